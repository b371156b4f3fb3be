"""The notices and relay-sources pages, the relay fields of the slot form and the emergency
answer, against a real `radio web` (tests/webtools.py) over a real station home: real
espeak-ng and ffmpeg for the notices, a real Icecast server fed by ffmpeg for a source's test.

What is asserted is what a person (or an attacker) gets back: the page's words, the status
code, and that a saved password never comes back in any answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
import html
import re
import shutil
import sqlite3

import pytest

from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import ToneSource
from tests.test_daemon import station  # noqa: F401 - fixture
from tests.webtools import Client, console  # noqa: F401 - fixture

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
SECRET = "Mk-tiep-song-9f3Q"  # a source's password: must never come back
NOTICE = "UBND xã thông báo: ngày 15/3/2025 tiêm phòng cho trẻ tại trạm y tế, 1.500.000 đồng."


def _text(reply) -> str:
    """The page as a person reads it: tags dropped, blanks folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", reply.text)).split())


def _flash(reply, kind: str = "") -> str:
    return html.unescape(" ".join(re.findall(rf'<p class="flash[^"]*{kind}[^"]*"[^>]*>([^<]*)</p>', reply.text)))


def _compose(client: Client, do: str, **fields) -> object:
    client.get("/notices")
    form = {"text": NOTICE, "title": "Thông báo tiêm phòng", "topic": "y-te", "voice": "north", "repeat": "1",
            "chime": "none", "priority": "normal", "source": "UBND xã", "do": do}  # fmt: skip
    form.update(fields)
    return client.post("/notices", form)


def test_a_notice_is_read_listened_to_saved_approved_and_queued(console, radio):
    binh = console.client("binh")  # the operator
    words = _compose(binh, "words")
    assert words.status == 200
    spoken = _text(words)
    assert "ủy ban nhân dân xã thông báo" in spoken and "mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm" in spoken
    assert "một triệu năm trăm nghìn đồng" in spoken

    listened = _compose(binh, "listen")
    src = re.search(r'<audio controls preload="auto" src="(/notices/preview/[^"]+)"', listened.text).group(1)
    wav = binh.get(src)
    assert wav.status == 200 and wav.header("content-type") == "audio/wav" and wav.body[:4] == b"RIFF"
    assert len(wav.body) > 48000  # more than a second of speech
    assert console.client("an").get(src).status == 404  # a preview is its own user's
    # (names that reach the preview handler, and what it must not serve: test_console_rules.py)

    saved = _compose(binh, "save")
    assert saved.status == 303
    page = binh.get("/notices")
    assert "#1 Thông báo tiêm phòng" in _text(page) and "Đang chờ người duyệt." in _text(page)
    db = sqlite3.connect(radio.home / "radio.db")
    (item_id, status, notice, topic), = db.execute("SELECT id, status, notice_text, topic FROM items").fetchall()
    assert (status, notice, topic) == ("draft", NOTICE, "y-te")
    assert f'action="/notices/{item_id}/air"' not in page.text  # the operator is offered no approval

    an = console.client("an")  # the approver, who airs it at a time
    an.get("/notices")
    aired = an.post(f"/notices/{item_id}/air", {"when": "at", "date": "", "at": "23:59:59"})
    assert aired.status == 303
    after = an.get("/notices")
    assert "Nguyễn Văn An" in _text(after)
    assert db.execute("SELECT status, approved_by FROM items").fetchone() == ("approved", "Nguyễn Văn An, Chủ tịch UBND xã")
    assert db.execute("SELECT count(*) FROM queue_entries WHERE item_id=? AND at IS NOT NULL", (item_id,)).fetchone() == (1,)
    # no daemon runs here: the answer says so plainly
    assert "dịch vụ phát sóng KHÔNG chạy" in _flash(after, "error")


def test_notice_errors_are_one_line_on_the_page(console):
    binh = console.client("binh")
    empty = _compose(binh, "words", text="   ")
    assert empty.status == 422 and _flash(empty, "error") == "thông báo không có nội dung"
    untitled = _compose(binh, "save", title="")
    assert untitled.status == 303
    assert _flash(binh.get("/notices"), "error") == "hãy đặt tiêu đề cho thông báo"


def test_roles_are_enforced_on_direct_posts(console, radio):
    """An operator or a viewer cannot do an approver's or an administrator's part by posting
    the form by hand: 403, and nothing changed."""
    binh = console.client("binh")
    _compose(binh, "save")
    db = sqlite3.connect(radio.home / "radio.db")
    (item_id,) = db.execute("SELECT id FROM items").fetchone()
    chi = console.client("chi")  # the viewer
    chi.get("/notices")
    assert _compose(chi, "save").status == 403
    assert _compose(chi, "listen").status == 403
    for who in (binh, chi):
        who.get("/notices")
        assert who.post(f"/notices/{item_id}/air", {"when": "now"}).status == 403
        assert who.post("/library/approve", {"item": str(item_id)}).status == 403
        assert who.post("/sources/add", {"code": "vov1", "name": "VOV1", "url": "http://127.0.0.1:9/x"}).status == 403
    assert db.execute("SELECT status FROM items").fetchone() == ("draft",)
    # an emergency priority is the approver's, however it is asked for
    binh.get("/notices")
    assert _compose(binh, "save", priority="emergency", title="Khẩn").status == 403
    assert db.execute("SELECT count(*) FROM items").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM sources").fetchone() == (0,)
    admin = console.client("admin")
    admin.get("/sources")
    assert admin.post("/sources/add", {"code": "vov1", "name": "VOV1", "url": "http://127.0.0.1:9/x"}).status == 303
    for who in (binh, chi):
        who.get("/sources")
        assert who.post("/sources/vov1/edit", {"name": "Hỏng", "url": "http://127.0.0.1:9/y"}).status == 403
        assert who.post("/sources/vov1/remove", {}).status == 403
    chi.get("/sources")
    assert chi.post("/sources/vov1/test", {}).status == 403
    assert db.execute("SELECT name, url FROM sources").fetchone() == ("VOV1", "http://127.0.0.1:9/x")


def test_a_source_password_never_comes_back(console, radio, icecast):  # noqa: F811
    admin = console.client("admin")
    answers = [admin.get("/sources")]
    tone = ToneSource(icecast, mount="/vov1").start()
    try:
        url = tone.listen_url.replace("http://", "http://nghe@")
        answers.append(admin.post("/sources/add", {"code": "vov1", "name": "VOV1 – Đài Tiếng nói Việt Nam", "url": url,
                                                   "password": SECRET, "silence_dbfs": "-45"}))  # fmt: skip
        answers.append(admin.get("/sources"))
        db = sqlite3.connect(radio.home / "radio.db")
        (stored,) = db.execute("SELECT url FROM sources").fetchone()
        assert SECRET in stored  # saved, for ffmpeg …
        # … an edit with the password field left empty keeps it
        answers.append(admin.post("/sources/vov1/edit", {"name": "VOV1", "url": url, "password": "", "silence_dbfs": "-40"}))
        assert db.execute("SELECT url, name, silence_dbfs FROM sources").fetchone() == (stored, "VOV1", -40.0)
        answers.append(admin.get("/sources"))
        # the test: what was heard, and how loud (Icecast ignores the password of a listener)
        answers.append(admin.post("/sources/vov1/test", {}))
        result = _text(answers[-1])
        assert "mp3" in result.lower() and "dBFS" in result
        level = re.search(r"trung bình (-?\d+(?:[.,]\d)?) dBFS", result)
        assert level and -40 < float(level.group(1).replace(",", ".")) < -3, result
        answers.append(console.client("binh").get("/sources"))
        answers += [admin.get(p) for p in ("/on-air", "/on-air?fragment=1", "/schedule/slots", "/log")]
    finally:
        tone.close()
    for reply in answers:
        assert SECRET not in reply.text and SECRET not in str(reply.headers), reply.status
    audit = " ".join(str(r) for r in db.execute("SELECT detail FROM audit_log").fetchall())
    assert SECRET not in audit


def test_relay_fields_of_the_slot_form(console, radio):
    admin = console.client("admin")
    admin.get("/sources")
    admin.post("/sources/add", {"code": "vov1", "name": "VOV1", "url": "http://127.0.0.1:9/vov1"})
    fallback = radio.add(__import__("tests.conftest", fromlist=["make_tone"]).make_tone(radio.home.parent / "f.wav"))["id"]
    page = admin.get("/schedule/slots")
    assert '<select name="relay">' in page.text and "VOV1 (vov1)" in page.text
    form = [("name", "Tiếp sóng VOV"), ("at", "06:00"), *[("day", d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")],
            ("max_minutes", "45"), ("start", "hard")]  # the slot form's own fields, as the page sends them
    made = admin.post("/schedule/slots/add", [*form, ("relay", "vov1"), ("fallback", f"{fallback}")])
    assert made.status == 303
    slots = radio.json("slot", "list")
    assert (slots[0]["relay"], slots[0]["fallback"]) == ("vov1", [fallback])
    assert "tiếp sóng vov1" in _text(admin.get("/schedule/slots")).lower()
    # the CLI's rules: fallback items without a relay are refused, in one line
    admin.get("/schedule/slots")
    bad = admin.post(f"/schedule/slots/{slots[0]['id']}/edit", [*form, ("relay", ""), ("fallback", f"{fallback}")])
    assert bad.status == 303 and "nguồn" in _flash(admin.get("/schedule/slots")).lower()
    admin.get("/schedule/slots")
    plain = admin.post(f"/schedule/slots/{slots[0]['id']}/edit", [*form, ("relay", ""), ("fallback", "")])
    assert plain.status == 303
    assert (radio.json("slot", "list")[0]["relay"], radio.json("slot", "list")[0]["fallback"]) == (None, [])


def test_an_emergency_while_the_service_is_down_is_answered_plainly(console, radio, tone):
    item = radio.add(tone("bao-chay.wav"))["id"]
    an = console.client("an")
    an.get("/on-air")
    confirm = an.post("/emergency", {"item": str(item)})
    page = _text(confirm)
    assert "Dịch vụ phát sóng đang KHÔNG chạy" in page and "Sẽ KHÔNG phát ngay" in page
    assert "Đồng ý, phát ngay" not in page and "Vẫn xếp hàng, phát khi dịch vụ chạy lại" in page
    done = an.post("/emergency", {"item": str(item), "confirm": "yes"})
    assert done.status == 303
    on_air = an.get("/on-air")
    assert _flash(on_air, "error").startswith("đã xếp 1 bản tin phát khẩn cấp, nhưng dịch vụ phát sóng KHÔNG chạy")
    assert "trong vòng một, hai giây" not in _text(on_air)
    # the command line answers the same
    cli = radio("emergency", str(item), env={"LANGUAGE": "vi"})
    assert cli.exit_code == 0 and "KHÔNG chạy" in cli.stdout and "một, hai giây" not in cli.stdout


def test_the_services_refuse_what_a_role_may_not_do(radio, tone):
    """The rule is the service's, not the route's: called with a role, each refuses on its own
    (None, the station's command line, may do everything)."""
    from radio.app import open_app
    from radio.domain.library import Priority
    from radio.domain.users import Role
    from radio.errors import ForbiddenError
    from radio.library.catalog import approve_items
    from radio.scheduler import relay_service
    from radio.tts.service import create_notice

    from radio.scheduler import service

    draft = radio.add(tone("ban-tin.wav"), approve=False)["id"]
    approved = radio.add(tone("bao-dong.wav", freq=880))["id"]
    app = open_app(radio.home)
    try:
        refused = [
            lambda: create_notice(app, NOTICE, topic="y-te", title="T", role=Role.VIEWER),
            lambda: create_notice(app, NOTICE, topic="y-te", title="T", priority=Priority.EMERGENCY, role=Role.OPERATOR),
            lambda: approve_items(app.library, [draft], "Bình", role=Role.OPERATOR),
            lambda: relay_service.add_source(app, "vov1", "http://127.0.0.1:9/x", "VOV1", role=Role.APPROVER),
            lambda: relay_service.test_source(app, "vov1", 1.0, role=Role.VIEWER),
            lambda: service.send_emergency(app, [approved], role=Role.OPERATOR),
        ]
        for attempt in refused:
            with pytest.raises(ForbiddenError):
                attempt()
        assert app.library.get(draft).status.value == "draft" and app.sources.all() == []
        assert app.schedule.one_offs_between(datetime.now(timezone.utc) - timedelta(hours=1),
                                             datetime.now(timezone.utc) + timedelta(hours=1)) == []  # fmt: skip
        relay_service.add_source(app, "vov1", "http://127.0.0.1:9/x", "VOV1", role=Role.ADMIN)
        for attempt in (lambda: relay_service.edit_source(app, "vov1", name="X", role=Role.OPERATOR),
                        lambda: relay_service.remove_source(app, "vov1", role=Role.OPERATOR)):  # fmt: skip
            with pytest.raises(ForbiddenError):
                attempt()
        assert [s.name for s in app.sources.all()] == ["VOV1"]
        assert approve_items(app.library, [draft], "An", role=Role.APPROVER)[0].approved_by == "An"
    finally:
        app.close()


def _wait_for_page(client: Client, path: str, predicate, timeout: float = 45.0) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = _text(client.get(path))
        if predicate(text):
            return text
        time.sleep(0.3)
    raise AssertionError(f"{path} never showed what was waited for: {text}")


@pytest.mark.xdist_group("realtime")  # a relay on the real daemon: never beside another timing test
def test_on_air_shows_the_relay_its_fallback_and_the_drop(console, radio, station, icecast):  # noqa: F811
    """A real relay session on the real daemon: On air says it relays, then — the source killed —
    that the fallback is on air and why, and when the source dropped."""
    fallback = station.item(20.0, 71)
    with ToneSource(icecast, "/vov1", 440.0) as source:
        added = radio("source", "add", "vov1", source.listen_url, "--name", "VOV1", "--no-data", "2", "--buffer", "2")
        assert added.exit_code == 0, added.output
        station.slot_in(6, "Tiếp sóng VOV", max_minutes="1", relay="vov1", fallback=str(fallback))
        station.start()
        viewer = console.client("chi")
        before = _text(viewer.get("/on-air?fragment=1"))
        assert "Tiếp sóng: hiện không tiếp sóng; lần tới: VOV1 lúc" in before
        _wait_for_page(viewer, "/on-air?fragment=1", lambda t: "Tiếp sóng: đang tiếp sóng VOV1 từ" in t)
        source.kill()
        shown = _wait_for_page(viewer, "/on-air?fragment=1",
                               lambda t: "VOV1 im lặng hoặc mất tín hiệu: đang phát bản tin dự phòng từ" in t)  # fmt: skip
        assert "Tiếp sóng: VOV1 mất tín hiệu lúc" in shown
        assert station.stop() == 0
