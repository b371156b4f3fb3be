"""The console's rules held where they belong, against a real `radio web` (and the services it
calls, as the CLI calls them): the slots are an administrator's in the service as in the route;
a bad "air at" time leaves the notice a draft; a saved source password never follows an address
to another server; a notice's title and source are bounded by the service; a preview name that
reaches the handler serves nothing but the user's own preview; On air counts the drafts."""

from __future__ import annotations

import html
import re

import pytest

from radio.app import open_app
from radio.domain.users import Role
from radio.errors import ForbiddenError, RadioError
from tests.test_web_notices_sources import NOTICE, _compose
from tests.webtools import console  # noqa: F401 - fixture

SLOT = {"name": "Sáng", "at": "06:00", "day": ["mon", "tue"], "start": "hard", "max_minutes": "30", "jingles": "on"}


def _text(reply) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", reply.text))


def _form(fields: dict) -> list[tuple[str, str]]:
    return [(k, x) for k, v in fields.items() for x in (v if isinstance(v, list) else [v])]


def test_an_operator_changes_no_slot_through_any_route_nor_the_service(console, radio):  # noqa: F811
    admin, binh = console.client("admin"), console.client("binh")
    admin.get("/schedule/slots")
    assert admin.post("/schedule/slots/add", _form(SLOT)).status == 303
    app = open_app(radio.home)
    try:
        (slot,) = app.schedule.slots()
        binh.get("/schedule/slots")
        for path, fields in [("/schedule/slots/add", {**SLOT, "name": "Chiều"}),
                             (f"/schedule/slots/{slot.id}/edit", {**SLOT, "at": "07:00"}),
                             (f"/schedule/slots/{slot.id}/remove", {})]:  # fmt: skip
            reply = binh.post(path, _form(fields))
            assert reply.status == 403, (path, reply.status)
        from radio.scheduler import service

        for attempt in (lambda: service.add_slot(app, "Chiều", "17:00", role=Role.OPERATOR),
                        lambda: service.edit_slot(app, "Sáng", at="07:00", role=Role.OPERATOR),
                        lambda: service.remove_slot(app, "Sáng", role=Role.APPROVER)):  # fmt: skip
            with pytest.raises(ForbiddenError, match="administrator"):
                attempt()
        (after,) = app.schedule.slots()
        assert (after.name, after.start.strftime("%H:%M")) == ("Sáng", "06:00")
        # the command line (no role) and an administrator still may
        service.edit_slot(app, "Sáng", at="06:30", role=Role.ADMIN)
        assert app.schedule.slots()[0].start.strftime("%H:%M") == "06:30"
        service.edit_slot(app, "Sáng", at="06:45")
        assert app.schedule.slots()[0].start.strftime("%H:%M") == "06:45"
    finally:
        app.close()


def test_a_bad_air_at_time_leaves_the_notice_a_draft(console, radio):  # noqa: F811
    _away_from_midnight()
    binh, an = console.client("binh"), console.client("an")
    assert _compose(binh, "save").status == 303
    app = open_app(radio.home)
    try:
        (notice,) = [i for i in app.library.list() if i.notice_text is not None]
        an.get("/notices")
        for fields in ({"when": "at", "at": "25:99"}, {"when": "at", "at": "00:00:01"}, {"when": "at", "at": "x"}):
            reply = an.post(f"/notices/{notice.id}/air", fields)
            assert reply.status == 303, reply.status
            page = _text(an.get("/notices"))
            assert app.library.get(notice.id).status.value == "draft", (fields, page)
            assert "approved #" not in page, page
        assert app.schedule.one_offs_between(*_day()) == []
        # a good time approves and queues it, in one step
        an.post(f"/notices/{notice.id}/air", {"when": "at", "at": "23:59:59"})
        assert app.library.get(notice.id).status.value == "approved"
    finally:
        app.close()


def _away_from_midnight() -> None:
    """Wait out the last and first minutes of the station's day: the test gives times of today
    (one passed, one to come) as the console's field takes them, HH:MM:SS."""
    import time
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    seconds = now.hour * 3600 + now.minute * 60 + now.second
    if seconds > 86400 - 180:
        time.sleep(86400 - seconds + 5)
    elif seconds < 5:
        time.sleep(5 - seconds)


def _day():
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    return now - timedelta(days=1), now + timedelta(days=2)


def test_a_saved_source_password_never_follows_the_address_to_another_server(console, radio):  # noqa: F811
    from radio.scheduler import relay_service

    app = open_app(radio.home)
    try:
        relay_service.add_source(app, "vov1", "http://tiepsong@radio.example:8000/vov1", "VOV1", password="bi-mat")
        # the same server, another mount: the password stays
        relay_service.edit_source(app, "vov1", url="http://tiepsong@radio.example:8000/vov2")
        assert app.sources.get("vov1").url == "http://tiepsong:bi-mat@radio.example:8000/vov2"
        admin = console.client("admin")
        admin.get("/sources")
        for moved in ("http://tiepsong@evil.example:8000/vov2", "http://tiepsong@radio.example:9000/vov2",
                      "https://tiepsong@radio.example:8000/vov2"):  # fmt: skip
            with pytest.raises(RadioError, match="give the password again"):
                relay_service.edit_source(app, "vov1", url=moved)
            reply = admin.post("/sources/vov1/edit", {"url": moved, "name": "VOV1", "password": ""},
                               headers={"Referer": f"{console.url}/sources"})  # fmt: skip
            page = _text(admin.get(reply.header("location")))
            assert "hãy nhập lại mật khẩu" in page, moved
            assert app.sources.get("vov1").url == "http://tiepsong:bi-mat@radio.example:8000/vov2", reply.status
        # with a new password given, the new server is fine
        relay_service.edit_source(app, "vov1", url="http://tiepsong@evil.example:8000/x", password="khac")
        assert app.sources.get("vov1").url == "http://tiepsong:khac@evil.example:8000/x"
    finally:
        app.close()


def test_a_notices_title_and_source_are_bounded_by_the_service(console, radio):  # noqa: F811
    from radio.tts.service import create_notice

    binh = console.client("binh")
    for fields, words, vi in [({"title": "T" * 301}, "the title has 301 characters", "tiêu đề có 301 ký tự"),
                              ({"source": "S" * 201}, "the source has 201 characters", "nguồn tin dài 201 ký tự")]:  # fmt: skip
        _compose(binh, "save", **fields)
        assert vi in _text(binh.get("/notices")), fields
        cli = radio("announce", NOTICE, "--topic", "y-te", "--title", fields.get("title", "T"),
                    "--source", fields.get("source", "S"))  # fmt: skip
        assert cli.exit_code == 1 and words in cli.output and "Traceback" not in cli.output, cli.output
    app = open_app(radio.home)
    try:
        with pytest.raises(RadioError, match="201 characters"):
            create_notice(app, NOTICE, topic="y-te", title="T", source="S" * 201)
        assert [i for i in app.library.list() if i.notice_text is not None] == []
    finally:
        app.close()


def test_preview_names_that_reach_the_handler_serve_nothing_but_ones_own(console, radio):  # noqa: F811
    binh, chi = console.client("binh"), console.client("chi")
    listened = _compose(binh, "listen")
    own = re.search(r'src="/notices/preview/([^"]+)"', listened.text).group(1)
    uid = own.split("-")[0]
    folder = radio.home / "cache" / "tts" / "previews"
    if not folder.is_dir():  # wherever the station keeps it: next to the preview just made
        (folder,) = {p.parent for p in radio.home.rglob(own)}
    secret = b"RIFF-SECRET-NOT-A-PREVIEW"
    (folder / f"{uid}-short.wav").write_bytes(secret)  # a name the rule refuses (token too short)
    (folder / f"{uid}-{'a' * 20}.txt").write_bytes(secret)
    (folder.parent / f"{uid}-{'b' * 20}.wav").write_bytes(secret)  # outside the previews
    (folder / f"{int(uid) + 1}-{'c' * 20}.wav").write_bytes(secret)  # another user's
    (folder / f"{uid}-{'d' * 20}.wav").symlink_to(radio.home / "radio.db")  # a well-formed name, a link out
    attacks = [f"{uid}-short.wav", f"{uid}-{'a' * 20}.txt", "..", f"{uid}-..", "%2e%2e", f"{uid}-%2e%2e",
               f"{int(uid) + 1}-{'c' * 20}.wav", f"{uid}-{'b' * 20}.wav", f"{uid}-{'b' * 20}.wav%00",
               f"{uid}-..%5C{'b' * 20}.wav", f"{uid}-{'d' * 20}.wav", "radio.db"]  # fmt: skip
    for name in attacks:
        # the route matched (so the handler's own rule is what is tested): a viewer is refused by role
        assert chi.get(f"/notices/preview/{name}").status == 403, name
        reply = binh.get(f"/notices/preview/{name}")
        assert reply.status == 404 and secret not in reply.body and b"SQLite" not in reply.body, (name, reply.status)
    assert binh.get(f"/notices/preview/{own}").body[:4] == b"RIFF"


def test_on_air_counts_the_drafts_and_lists_only_a_few(console, radio, tone):  # noqa: F811
    for n in range(7):
        radio.add(tone(f"d{n}.wav", freq=300 + 40 * n), approve=False)
    reply = console.client("an").get("/on-air")
    assert re.search(r'id="pending-count">7 ', reply.text), reply.text[:3000]
    assert reply.text.count("data-draft=") == 5 and 'href="/library?status=draft">' in reply.text.split('id="drafts"')[1]


def test_on_airs_refresh_and_page_read_no_draft_beyond_those_shown(radio, tone):
    """Counted at the database (the page's handler called as the console calls it, its template
    left out): the 5-s refresh reads no item list, the page reads the drafts' number and the few
    shown — never every draft."""
    from types import SimpleNamespace

    from sqlalchemy import event

    from radio.web.pages import onair

    for n in range(8):
        radio.add(tone(f"d{n}.wav", freq=300 + 40 * n), approve=False)
    app = open_app(radio.home)
    statements: list[str] = []
    event.listen(app.engine, "before_cursor_execute", lambda *a, **k: statements.append(" ".join(a[2].split())))

    class Ask(SimpleNamespace):
        def q(self, name, default=""):
            return "1" if name == "fragment" and self.fragment else default

        def render(self, template, **context):
            return context

    try:
        for fragment in (True, False):
            statements.clear()
            shown = onair.on_air(Ask(app=app, user=SimpleNamespace(role=Role.APPROVER), fragment=fragment))
            selects = [s for s in statements if s.startswith("SELECT")]
            whole = [s for s in selects if " FROM items" in s and "LIMIT" not in s and "count(" not in s]
            assert not whole, whole  # no unbounded read of the library
            print(f"On air {'refresh' if fragment else 'page'}: {len(selects)} SELECT statements")
            if not fragment:
                assert shown["drafts_count"] == 8 and len(shown["drafts"]) == onair.DRAFTS_SHOWN
    finally:
        app.close()
