"""The console over real HTTP, against a real `radio web` process on a real station home:
sessions, CSRF, roles on every state-changing route, throttling, uploads, media with Range."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import make_tone
from tests.webtools import PASSWORD, Client, start_console, stop_console

# Every route that changes something, with the least role allowed to use it.
STATE_CHANGING = [
    ("/logout", "viewer"),
    ("/library/upload", "operator"),
    ("/library/1/edit", "operator"),
    ("/library/1/retire", "operator"),
    ("/library/approve", "approver"),
    ("/library/1/approve", "approver"),
    ("/emergency", "approver"),
    ("/live/stop", "operator"),
    ("/schedule/queue", "operator"),
    ("/schedule/entries/1/remove", "operator"),
    ("/schedule/entries/1/move", "operator"),
    ("/schedule/slots/add", "admin"),
    ("/schedule/slots/1/edit", "admin"),
    ("/schedule/slots/1/remove", "admin"),
    ("/usb/hamlets/import", "operator"),
    ("/usb/hamlets/add", "operator"),
    ("/usb/hamlets/X1/remove", "operator"),
    ("/usb/export", "operator"),
    ("/usb/verify", "operator"),
    ("/users/add", "admin"),
    ("/users/an/change", "admin"),
]
USERS = {"viewer": "chi", "operator": "binh", "approver": "an", "admin": "admin"}
RANK = ["viewer", "operator", "approver", "admin"]


def _db(home):
    return sqlite3.connect(home / "radio.db")


def test_without_a_session_pages_redirect_to_login_and_other_requests_get_401(console):
    c = Client(console.port)
    page = c.get("/library?topic=y-te")
    assert page.status == 303
    assert page.header("location") == "/login?next=%2Flibrary%3Ftopic%3Dy-te"
    assert c.get("/media/1", Accept="*/*").status == 401
    for path, _ in STATE_CHANGING:
        assert c.post(path, {"item": "1"}).status == 401, path
    login = c.get("/login")
    assert login.status == 200 and 'name="password"' in login.text


def test_login_sets_a_signed_httponly_strict_cookie_and_logout_ends_it(console):
    c = Client(console.port)
    c.get("/login")
    wrong = c.post("/login", {"name": "an", "password": "sai-mat-khau"})
    assert wrong.status == 401
    ok = c.post("/login", {"name": "an", "password": PASSWORD, "next": "/library"})
    assert ok.status == 303 and ok.header("location") == "/library"
    (cookie,) = [h for h in ok.set_cookies if h.startswith("radio_session=")]
    flags = [f.strip().lower() for f in cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags
    assert any(f.startswith("max-age=") and int(f.split("=")[1]) == 12 * 3600 for f in flags)
    assert c.get("/library").status == 200
    assert c.get("/on-air").status == 200
    old = dict(c.cookies)
    assert c.post("/logout").status == 303
    assert c.get("/library").status == 303
    # the cookie before logout was rotated at login; a forged one fails the signature
    forged = Client(console.port)
    forged.cookies = {"radio_session": old["radio_session"][:-3] + "AAA"}
    assert forged.get("/library").status == 303


def test_open_redirects_are_refused(console):
    c = Client(console.port)
    c.get("/login")
    ok = c.post("/login", {"name": "an", "password": PASSWORD, "next": "//evil.example/x"})
    assert ok.status == 303 and ok.header("location") == "/"


def test_an_expired_session_is_refused(console):
    key = (console.home / "web-secret.key").read_bytes()
    c = console.client("an")
    assert c.get("/library").status == 200

    serializer = URLSafeTimedSerializer(key, salt="radio-session")
    payload = serializer.loads(c.cookies["radio_session"])
    signer = serializer.make_signer("radio-session")
    signer.get_timestamp = lambda: int(time.time()) - 13 * 3600
    from itsdangerous.encoding import base64_encode

    old = signer.sign(base64_encode(json.dumps(payload, separators=(",", ":")).encode())).decode()
    stale = Client(console.port)
    stale.cookies = {"radio_session": old}
    assert stale.get("/library").status == 303
    fresh = Client(console.port)
    signer.get_timestamp = lambda: int(time.time())
    fresh.cookies = {"radio_session": signer.sign(base64_encode(json.dumps(payload, separators=(",", ":")).encode())).decode()}
    assert fresh.get("/library").status == 200


def test_state_changes_need_the_csrf_token(console, radio, tone):
    radio.add(tone(), approve=False)
    c = console.client("an")
    c.get("/library")
    assert c.post("/library/1/approve", {"back": "/library"}, csrf=False).status == 403
    assert c.post("/library/1/approve", {"csrf": "x" * 43}, csrf=False).status == 403
    other = console.client("admin")
    other.get("/library")
    assert c.post("/library/1/approve", {"csrf": other.csrf}, csrf=False).status == 403
    assert radio.json("library", "show", "1")["status"] == "draft"
    assert c.post("/library/1/approve", {"back": "/library"}).status == 303
    assert radio.json("library", "show", "1")["approved_by"] == "Nguyễn Văn An, Chủ tịch UBND xã"


def test_every_state_changing_route_refuses_the_roles_below_it(console):
    clients = {role: console.client(name) for role, name in USERS.items()}
    for c in clients.values():
        c.get("/on-air")
    wrong = []
    for path, least in STATE_CHANGING:
        for role in RANK[: RANK.index(least)]:
            reply = clients[role].post(path, {"item": "1", "name": "x", "action": "disable"})
            if reply.status != 403:
                wrong.append((path, role, reply.status))
    assert not wrong


def test_roles_on_reading_pages(console):
    viewer = console.client("chi")
    for path in ("/on-air", "/library", "/log", "/schedule", "/reports", "/usb"):
        assert viewer.get(path).status == 200, path
    assert viewer.get("/users").status == 403
    assert "Phát khẩn cấp" not in viewer.get("/on-air").text  # the button is for approvers
    assert console.client("admin").get("/users").status == 200


def test_five_failures_lock_the_account_for_a_minute(console):
    c = Client(console.port)
    c.get("/login")
    for _ in range(5):
        assert c.post("/login", {"name": "an", "password": "wrong-password"}).status == 401
    locked = c.post("/login", {"name": "an", "password": PASSWORD})
    assert locked.status == 429
    assert "radio_session" in c.cookies and c.get("/library").status == 303
    audit = _db(console.home).execute("SELECT action FROM audit_log WHERE user_name='an'").fetchall()
    assert [a for (a,) in audit].count("login.failed") == 5


def test_five_failures_from_one_address_lock_that_address(console):
    c = Client(console.port)
    c.get("/login")
    for n in range(5):
        assert c.post("/login", {"name": f"nobody{n}", "password": "wrong-password"}).status == 401
    assert c.post("/login", {"name": "binh", "password": PASSWORD}).status == 429


def test_a_disabled_user_or_a_new_password_ends_open_sessions(console, radio_bin, subprocess_env):
    c = console.client("binh")
    assert c.get("/library").status == 200
    run = lambda *a, **kw: subprocess.run([radio_bin, "--home", str(console.home), "user", *a], capture_output=True,
                                          text=True, env=subprocess_env, timeout=60, **kw)  # noqa: E731
    assert run("passwd", "binh", "--password-stdin", input="mot-mat-khau-moi\n").returncode == 0
    assert c.get("/library").status == 303
    c2 = Client(console.port)
    assert c2.login("binh", "mot-mat-khau-moi").status == 303
    assert run("disable", "binh").returncode == 0
    assert c2.get("/library").status == 303
    assert Client(console.port).login("binh", "mot-mat-khau-moi").status == 401


def test_approval_from_the_list_records_the_approvers_display_name_and_the_audit(console, radio, tone):
    radio.add(tone(), approve=False)
    c = console.client("an")
    page = c.get("/library?status=draft")
    assert 'data-approve="1"' in page.text
    assert c.post("/library/1/approve", {"back": "/library?status=draft"}).header("location") == "/library?status=draft"
    item = radio.json("library", "show", "1")
    assert item["status"] == "approved" and item["approved_by"] == "Nguyễn Văn An, Chủ tịch UBND xã"
    rows = _db(console.home).execute("SELECT user_name, action, detail, address FROM audit_log WHERE action='item.approve'").fetchall()
    assert rows == [("an", "item.approve", f"#1 {item['title']}", "127.0.0.1")]


def _upload(c: Client, name: str, data: bytes, topic: str = "y-te", headers: dict | None = None):
    return c.request("POST", f"/library/upload?topic={topic}&language=vi&priority=normal", data, {
        "X-CSRF-Token": c.csrf, "X-File-Name": name, "X-Requested-With": "fetch",
        "Content-Type": "application/octet-stream", **(headers or {}),
    })  # fmt: skip


def test_uploads_go_through_the_importer_with_its_reasons(console, radio, tmp_path):
    c = console.client("binh")
    c.get("/library")
    good = make_tone(tmp_path / "ban tin.mp3", seconds=1.0).read_bytes()
    reply = _upload(c, "ban%20tin.mp3", good)
    assert reply.status == 200, reply.text
    made = json.loads(reply.body)
    assert made["id"] == 1 and made["title"] == "ban tin" and made["status"] == "draft"
    again = json.loads(_upload(c, "copy.mp3", good).body)
    assert again["duplicate"] is True and again["id"] == 1
    bad = _upload(c, "hong.mp3", b"ID3" + b"\x00" * 500)
    assert bad.status == 422
    assert json.loads(bad.body)["name"] == "hong.mp3" and json.loads(bad.body)["error"]
    text = _upload(c, "notes.txt", "không phải âm thanh".encode())
    assert text.status == 422
    listed = radio.json("library", "list")
    assert [i["original_name"] for i in listed] == ["ban tin.mp3"]
    assert not list((console.home / "media" / ".incoming").iterdir())


def test_upload_names_never_become_paths(console, radio, tmp_path):
    c = console.client("binh")
    c.get("/library")
    good = make_tone(tmp_path / "x.wav", seconds=1.0).read_bytes()
    reply = _upload(c, "..%2F..%2F..%2Fevil.wav", good)
    assert reply.status == 200
    assert json.loads(reply.body)["name"] == "evil.wav"
    assert not (console.home / "evil.wav").exists() and not (console.home.parent / "evil.wav").exists()
    assert radio.json("library", "show", "1")["original_name"] == "evil.wav"
    unknown_topic = _upload(c, "a.wav", good, topic="../../etc")
    assert unknown_topic.status == 422


def test_an_upload_over_the_cap_is_refused(radio, radio_bin, subprocess_env, tmp_path):
    from tests.webtools import add_user

    (radio.home / "radio.toml").write_text("[web]\nmax_upload_mb = 1\n", encoding="utf-8")
    add_user(radio_bin, subprocess_env, radio.home, "binh", "operator")
    console = start_console(radio_bin, subprocess_env, radio.home)
    try:
        c = console.client("binh")
        c.get("/library")
        declared = _upload(c, "big.wav", b"\x00" * (1024 * 1024 + 1))
        assert declared.status == 413
        # streamed without a length: counted while written, refused past the cap
        conn = __import__("http.client").client.HTTPConnection("127.0.0.1", console.port, timeout=30)
        conn.putrequest("POST", "/library/upload?topic=y-te")
        for k, v in {"X-CSRF-Token": c.csrf, "X-File-Name": "big2.wav", "Transfer-Encoding": "chunked",
                     "Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())}.items():  # fmt: skip
            conn.putheader(k, v)
        conn.endheaders()
        chunk = b"\x00" * 65536
        try:
            for _ in range(40):
                conn.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert conn.getresponse().status == 413
        assert radio.json("library", "list") == []
        assert not list((radio.home / "media" / ".incoming").iterdir())
    finally:
        stop_console(console)


def test_media_is_served_by_item_id_with_range_requests(console, radio, tone):
    radio.add(tone("a.mp3", seconds=2.0))
    stored = next((console.home / "media").glob("*/*.mp3")).read_bytes()
    c = console.client("chi")
    whole = c.get("/media/1")
    assert whole.status == 200 and whole.body == stored
    assert whole.header("accept-ranges") == "bytes" and whole.header("content-type") == "audio/mpeg"
    part = c.get("/media/1", Range="bytes=100-199")
    assert part.status == 206 and part.body == stored[100:200]
    assert part.header("content-range") == f"bytes 100-199/{len(stored)}"
    tail = c.get("/media/1", Range="bytes=-10")
    assert tail.status == 206 and tail.body == stored[-10:]
    open_end = c.get("/media/1", Range=f"bytes={len(stored) - 5}-")
    assert open_end.body == stored[-5:]
    assert c.get("/media/1", Range=f"bytes={len(stored)}-").status == 416
    assert c.get("/media/2").status == 404


@pytest.mark.parametrize("path", [
    "/media/..%2F..%2Fradio.db", "/media/1%2F..%2F..%2Fradio.db", "/media/%2E%2E/radio.db", "/media/../radio.db",
    "/static/..%2F..%2Fradio.db", "/static/../server.py", "/static/%2e%2e%2fserver.py", "/media/-1",
    "/library/..%2F..%2Fradio.db", "/media/1/../../web-secret.key", "/static/style.css%00.py",
    "/users/..%2F..%2Fetc%2Fpasswd/change",
])  # fmt: skip
def test_no_request_path_reaches_the_filesystem(console, radio, tone, path):
    radio.add(tone("a.mp3"))
    c = console.client("admin")
    reply = c.get(path)
    assert reply.status in (303, 400, 404, 405), (path, reply.status)
    assert b"SQLite format" not in reply.body and b"import " not in reply.body
    key = (console.home / "web-secret.key").read_bytes()
    assert key not in reply.body


def test_the_emergency_button_asks_then_queues_like_radio_emergency(console, radio, tone):
    radio.add(tone(freq=440), approve=True)
    radio.add(tone(freq=550), approve=False)
    c = console.client("an")
    page = c.get("/on-air")
    assert 'action="/emergency"' in page.text
    ask = c.post("/emergency", {"item": "1"})
    assert ask.status == 200 and 'name="confirm" value="yes"' in ask.text
    assert radio.json("queue", "list") == []
    refused = c.post("/emergency", {"item": "2", "confirm": "yes"})
    assert refused.status == 303 and radio.json("queue", "list") == []
    assert "không phát được: chưa được duyệt" in c.get("/on-air").text  # the service's reason, shown once
    sent = c.post("/emergency", {"item": "1", "confirm": "yes"})
    assert sent.status == 303
    (entry,) = radio.json("queue", "list")
    assert entry["item_id"] == 1 and entry["priority"] == "emergency" and entry["slot_id"] is None


def test_the_as_run_page_shows_the_rows_of_radio_log(console, radio, tone):
    from datetime import datetime, timedelta, timezone

    from radio.app import open_app
    from radio.domain.asrun import AsRunStatus

    radio.add(tone("a.mp3"))
    app = open_app(console.home)
    item = app.library.get(1)
    now = datetime.now(timezone.utc)
    app.as_run.record(item, status=AsRunStatus.COMPLETED, occurrence_start=now - timedelta(seconds=10),
                      scheduled_at=now - timedelta(seconds=10), started_at=now - timedelta(seconds=10),
                      ended_at=now - timedelta(seconds=8), seconds_played=2.0, slot_name="Bản tin sáng")  # fmt: skip
    app.close()
    c = console.client("chi")
    page = c.get("/log")
    assert page.status == 200
    assert "Bản tin sáng" in page.text and item.title in page.text and "0:02" in page.text
    assert "Bản tin sáng" not in c.get("/log?status=missed").text


def test_users_page_adds_a_user_that_can_log_in(console):
    admin = console.client("admin")
    admin.get("/users")
    reply = admin.post("/users/add", {"name": "dung", "display": "Phạm Dũng", "role": "operator",
                                      "password": "mat-khau-dung", "password2": "mat-khau-dung"})  # fmt: skip
    assert reply.status == 303
    assert Client(console.port).login("dung", "mat-khau-dung").status == 303
    assert admin.post("/users/admin/change", {"action": "disable"}).status == 303  # refused with a message
    assert Client(console.port).login("admin").status == 303


def test_edit_and_retire_through_the_catalog_service(console, radio, tone):
    radio.add(tone("a.mp3"), approve=False)
    c = console.client("binh")
    c.get("/library/1")
    edited = c.post("/library/1/edit", {"title": "Thông báo tiêm chủng", "topic": "y-te", "language": "hmn",
                                        "source": "Trạm y tế xã", "priority": "priority", "valid_from": "2026-01-01",
                                        "valid_until": "31/12/2030"})  # fmt: skip
    assert edited.status == 303 and edited.header("location") == "/library/1"
    item = radio.json("library", "show", "1")
    assert (item["title"], item["topic"], item["language"], item["source"], item["priority"]) == (
        "Thông báo tiêm chủng", "y-te", "hmn", "Trạm y tế xã", "priority")
    assert (item["valid_from"], item["valid_until"]) == ("2026-01-01", "2030-12-31")
    backwards = c.post("/library/1/edit", {"valid_from": "2027-01-01", "valid_until": "2026-01-01", "back": "/library/1"})
    assert backwards.status == 303
    page = c.get("/library/1")
    assert "flash error" in page.text and radio.json("library", "show", "1")["valid_from"] == "2026-01-01"
    assert c.post("/library/1/edit", {"language": "not a code", "back": "/library/1"}).status == 303
    assert radio.json("library", "show", "1")["language"] == "hmn"
    assert c.post("/library/1/retire", {"back": "/library/1"}).status == 303
    assert radio.json("library", "show", "1")["status"] == "retired"
    approver = console.client("an")
    approver.get("/library/1")
    approver.post("/library/1/approve", {"back": "/library/1"})
    assert "flash error" in approver.get("/library/1").text
    assert radio.json("library", "show", "1")["status"] == "retired"
