"""Attacks on a real `radio web` (issue 17): what an attacker — an operator, or nobody logged
in — sends, and what must come back. One console serves the whole module; tests that lock or
log out use their own user and their own loopback address (127.0.0.N), so they leave the
others' sessions alone."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import threading
from datetime import date, timedelta
from itertools import count
from pathlib import Path

import pytest

from tests.conftest import REPO, make_tone
from tests.webtools import PASSWORD, Client, add_users, start_console, stop_console

BIN = str(REPO / ".venv" / "bin" / "radio") if (REPO / ".venv" / "bin" / "radio").exists() else "radio"
SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
_freq = count(300, 7)


class Station:
    def __init__(self, base: Path) -> None:
        self.base, self.home = base, base / "home"
        self.env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
        self.env["LANG"] = "C.UTF-8"
        self.console = None

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([BIN, "--home", str(self.home), *args], capture_output=True, text=True, env=self.env,
                              input=input, timeout=120)  # fmt: skip

    def item(self, approve: bool = True, priority: str = "normal", name: str | None = None) -> int:
        path = make_tone(self.base / "src" / f"t{next(_freq)}.mp3", seconds=0.5, freq=next(_freq))
        path = path.rename(path.with_name(name)) if name else path
        done = self.cli("library", "add", str(path), "--topic", "y-te", "--priority", priority, "--json")
        assert done.returncode == 0, done.stderr
        item_id = json.loads(done.stdout)[0]["id"]
        if approve:
            assert self.cli("library", "approve", str(item_id), "--by", "Chủ tịch").returncode == 0
        return item_id

    def db(self, sql: str, *args) -> list[tuple]:
        with sqlite3.connect(self.home / "radio.db") as conn:
            return conn.execute(sql, args).fetchall()

    def client(self, user: str | None = None, source: str | None = None) -> Client:
        c = self.console.client(user, source)
        c.get("/on-air" if user else "/login")
        return c


@pytest.fixture(scope="module")
def st(tmp_path_factory):
    station = Station(tmp_path_factory.mktemp("attacks"))
    assert station.cli("init").returncode == 0
    add_users(station.home, [("admin", "admin", "Quản trị"), ("an", "approver", "Nguyễn Văn An"),
                             ("binh", "operator", "Trần Thị Bình"), ("chi", "viewer", "Lê Văn Chí"),
                             ("dung", "operator", "Dũng"), ("khoa", "operator", "Khoa"), ("lan", "operator", "Lan")])
    station.console = start_console(BIN, station.env, station.home)
    try:
        yield station
    finally:
        stop_console(station.console)


def upload(c: Client, name: str, data: bytes, query: str = "topic=y-te&priority=normal"):
    return c.request("POST", f"/library/upload?{query}", data, {
        "X-CSRF-Token": c.csrf, "X-File-Name": name, "X-Requested-With": "fetch",
        "Content-Type": "application/octet-stream"})  # fmt: skip


# High 1 -------------------------------------------------------------------------------------


def test_an_mp3_with_a_page_appended_is_served_only_as_audio(st):
    mp3 = make_tone(st.base / "src" / "page.mp3", seconds=0.5, freq=911).read_bytes()
    page = b"<html><script src='/media/1'></script>alert(1)</html>"
    binh = st.client("binh")
    assert upload(binh, "bulletin.html", mp3 + page).status == 422  # not an audio name
    assert upload(binh, "bulletin.js", mp3 + page).status == 422
    reply = upload(binh, "bulletin.mp3", mp3 + page)
    assert reply.status == 200, reply.text  # it decodes as audio: accepted, as `library add` would
    item_id = json.loads(reply.body)["id"]
    served = st.client("admin").get(f"/media/{item_id}", Accept="text/html")
    assert served.status == 200 and served.body.endswith(page)
    assert served.header("content-type") == "audio/mpeg"
    assert served.header("x-content-type-options") == "nosniff"
    assert served.header("content-disposition") == f'inline; filename="item-{item_id}.mp3"'
    assert "sandbox" in served.header("content-security-policy")


def test_the_store_keeps_no_foreign_suffix_and_old_odd_files_are_served_safely(st):
    item_id = st.item(name="ban-tin.html")  # `library add` tries a file it is given by name
    ((stored, codec),) = st.db("SELECT media_path, codec FROM items WHERE id=?", item_id)
    assert not stored.endswith(".html") and codec == "mp3"
    # a file stored before this rule, under its uploaded suffix
    old = st.home / "media" / (stored + ".html")
    (st.home / "media" / stored).rename(old)
    st.db("UPDATE items SET media_path=? WHERE id=?", stored + ".html", item_id)
    served = st.client("chi").get(f"/media/{item_id}")
    assert served.status == 200 and served.header("content-type") == "audio/mpeg"
    assert served.header("content-disposition") == f'inline; filename="item-{item_id}.mp3"'
    st.db("UPDATE items SET codec='not-audio' WHERE id=?", item_id)
    odd = st.client("chi").get(f"/media/{item_id}")
    assert odd.header("content-type") == "application/octet-stream"
    assert odd.header("content-disposition").startswith("attachment;")


# High 2 -------------------------------------------------------------------------------------


def test_an_operator_cannot_queue_an_emergency_by_any_field(st):
    normal, emergency_item = st.item(), st.item(priority="emergency")
    binh = st.client("binh")
    before = st.db("SELECT count(*) FROM queue_entries")
    for fields in ({"item": normal, "priority": "emergency"}, {"ids": f"#{emergency_item}"},
                   {"item": emergency_item, "priority": "EMERGENCY"}):  # fmt: skip
        reply = binh.post("/schedule/queue", {**fields, "date": TOMORROW, "at": "10:00"})
        assert reply.status in (303, 403), fields
    assert st.db("SELECT count(*) FROM queue_entries WHERE priority='emergency'") == [(0,)]
    assert st.db("SELECT count(*) FROM queue_entries") == before
    assert binh.post("/emergency", {"item": normal, "confirm": "yes"}).status == 403
    # an emergency item may still be queued by an operator at a lower priority, and by an approver
    assert binh.post("/schedule/queue", {"ids": str(emergency_item), "priority": "priority", "date": TOMORROW,
                                         "at": "10:05"}).status == 303  # fmt: skip
    an = st.client("an")
    assert an.post("/schedule/queue", {"item": normal, "priority": "emergency", "date": TOMORROW, "at": "10:10"}).status == 303
    (entry,) = st.db("SELECT id FROM queue_entries WHERE priority='emergency'")
    assert binh.post(f"/schedule/entries/{entry[0]}/remove").status == 403  # cancelling one is the approver's too
    assert st.db("SELECT count(*) FROM queue_entries WHERE priority='emergency'") == [(1,)]


def test_an_operator_cannot_make_an_item_an_emergency_by_edit_or_upload(st):
    item_id = st.item(approve=False)
    binh = st.client("binh")
    assert 'value="emergency"' not in binh.get(f"/library/{item_id}").text
    assert 'value="emergency"' not in binh.get("/library").text
    assert binh.post(f"/library/{item_id}/edit", {"priority": "emergency"}).status == 403
    assert st.db("SELECT priority FROM items WHERE id=?", item_id) == [("normal",)]
    made = upload(binh, "khan.mp3", make_tone(st.base / "src" / "k.mp3", seconds=0.5, freq=777).read_bytes(),
                  "topic=y-te&priority=emergency")  # fmt: skip
    assert made.status == 403 and st.db("SELECT count(*) FROM items WHERE priority='emergency' AND original_name='khan.mp3'") == [(0,)]
    an = st.client("an")
    assert 'value="emergency"' in an.get(f"/library/{item_id}").text
    assert an.post(f"/library/{item_id}/edit", {"priority": "emergency"}).status == 303
    assert st.db("SELECT priority FROM items WHERE id=?", item_id) == [("emergency",)]


def test_an_operators_edit_of_what_airs_needs_a_new_approval_an_approvers_does_not(st):
    item_id = st.item()
    binh, an = st.client("binh"), st.client("an")
    assert binh.post(f"/library/{item_id}/edit", {"source": "Trạm y tế"}).status == 303
    assert st.db("SELECT status FROM items WHERE id=?", item_id) == [("approved",)]  # bookkeeping only
    assert binh.post(f"/library/{item_id}/edit", {"title": "Tiêu đề khác"}).status == 303
    assert st.db("SELECT status, approved_by FROM items WHERE id=?", item_id) == [("draft", None)]
    assert an.post(f"/library/{item_id}/approve").status == 303
    assert an.post(f"/library/{item_id}/edit", {"valid_until": "2099-01-01"}).status == 303
    assert st.db("SELECT status FROM items WHERE id=?", item_id) == [("approved",)]
    assert binh.post(f"/library/{item_id}/edit", {"valid_until": "2098-01-01"}).status == 303
    assert st.db("SELECT status FROM items WHERE id=?", item_id) == [("draft",)]


# Medium -------------------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(st):
    c = st.client("dung")
    stolen = dict(c.cookies)
    assert c.post("/logout").status == 303
    replay = Client(st.console.port)
    replay.cookies = stolen
    assert replay.get("/library").status == 303  # back to the login page
    assert replay.post("/schedule/queue", {"item": "1", "csrf": "x"}, csrf=False).status in (401, 403)


def _parallel_logins(st, user: str, source: str, passwords: list[str]) -> list[int]:
    clients = [Client(st.console.port, source) for _ in passwords]
    for c in clients:
        c.get("/login")
    go, statuses = threading.Barrier(len(clients)), [0] * len(clients)

    def attempt(n: int) -> None:
        go.wait()
        statuses[n] = clients[n].post("/login", {"name": user, "password": passwords[n]}).status

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_parallel_guesses_check_at_most_five_passwords_and_the_lock_holds(st):
    guesses = [f"doan-mat-khau-{n}" for n in range(29)] + [PASSWORD]
    statuses = _parallel_logins(st, "khoa", "127.0.0.61", guesses)
    assert statuses.count(401) + statuses.count(303) <= 5
    assert statuses.count(429) >= 25 and set(statuses) <= {401, 303, 429}
    if 303 not in statuses:  # the right one came after the lock: it must not get in now
        assert Client(st.console.port, "127.0.0.61").login("khoa").status == 429
    assert len(st.db("SELECT 1 FROM audit_log WHERE user_name='khoa' AND action='login.failed'")) <= 5


def test_attempts_on_a_locked_account_write_one_audit_row(st):
    c = Client(st.console.port, "127.0.0.71")
    c.get("/login")
    for n in range(5):
        assert c.post("/login", {"name": "lan", "password": f"sai-{n}-mat-khau"}).status == 401
    for n in range(40):
        assert c.post("/login", {"name": "lan", "password": f"van-sai-{n}"}).status == 429
    assert c.post("/login", {"name": "lan", "password": PASSWORD}).status == 429
    rows = st.db("SELECT action FROM audit_log WHERE user_name='lan'")
    assert sorted(a for (a,) in rows) == ["login.failed"] * 5 + ["login.locked"]


def test_slow_headers_never_shut_the_console_for_others(st):
    slow = []
    for _ in range(100):  # one address, headers trickled and never finished (slowloris)
        s = socket.create_connection(("127.0.0.1", st.console.port), timeout=30, source_address=("127.0.0.2", 0))
        s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    for _ in range(3):
        reply = Client(st.console.port).get("/login")
        assert reply.status == 200  # not 503
    for s in slow:  # past the per-address cap at once, the rest at the header timeout: all closed
        try:
            s.sendall(b"a")
            assert s.recv(100) == b""
        except (ConnectionResetError, BrokenPipeError):
            pass
        s.close()
    assert Client(st.console.port).get("/login").status == 200


# Low ----------------------------------------------------------------------------------------


def test_titles_and_names_are_bounded_and_lose_bidi_controls(st):
    item_id = st.item()
    binh = st.client("binh")
    assert binh.post(f"/library/{item_id}/edit", {"title": "x" * 301, "back": f"/library/{item_id}"}).status == 303
    assert "300" in binh.get(f"/library/{item_id}").text and len(st.db("SELECT title FROM items WHERE id=?", item_id)[0][0]) < 300
    done = st.cli("library", "edit", str(item_id), "--title", "y" * 301)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert binh.post(f"/library/{item_id}/edit", {"title": "Thông báo \u202egpj.exe\u202c"}).status == 303
    assert st.db("SELECT title FROM items WHERE id=?", item_id) == [("Thông báo gpj.exe",)]
    admin = st.client("admin")
    admin.post("/users/add", {"name": "mai", "display": "Mai \u2067\u202eadmin\u2069", "role": "viewer",
                              "password": "mot-mat-khau-tot", "password2": "mot-mat-khau-tot"})  # fmt: skip
    assert st.db("SELECT display FROM users WHERE name='mai'") == [("Mai admin",)]


@pytest.mark.parametrize("password", ["12345678", "password", "        ", "aaaaaaaaaa", "Matkhau123", "x" * 1025])
def test_weak_or_overlong_passwords_are_refused_when_set(st, password):
    admin = st.client("admin")
    admin.post("/users/add", {"name": "yen", "role": "viewer", "password": password, "password2": password})
    assert st.db("SELECT count(*) FROM users WHERE name='yen'") == [(0,)]
    done = st.cli("user", "passwd", "chi", "--password-stdin", input=password + "\n")
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_a_password_typed_as_the_name_stays_out_of_the_audit_log(st):
    c = Client(st.console.port, "127.0.0.81")
    c.get("/login")
    reply = c.post("/login", {"name": "Bi-Mat-Cua-Toi-2026", "password": "x"})
    assert reply.status == 401 and "bi-mat-cua-toi" not in reply.text.lower()
    assert not st.db("SELECT 1 FROM audit_log WHERE lower(user_name || detail) LIKE '%bi-mat-cua-toi%'")
    assert st.db("SELECT count(*) FROM audit_log WHERE user_name='?' AND address='127.0.0.81'") == [(1,)]


def test_huge_numbers_answer_404_or_416_never_500(st):
    item_id = st.item()
    chi, an = st.client("chi"), st.client("an")
    huge = "9" * 30
    assert chi.get(f"/media/{huge}").status == 404
    assert chi.get(f"/library/{2**63}").status == 404
    assert chi.get(f"/media/{item_id}", Range=f"bytes={huge}-").status == 416
    assert chi.get(f"/media/{item_id}", Range=f"bytes=0-{huge}").status == 206
    assert chi.get(f"/media/{item_id}", Range="bytes=" + "9" * 5000 + "-").status == 416
    assert chi.get(f"/log?page={huge}").status == 200
    for path, fields in ((f"/schedule/entries/{huge}/remove", {}), ("/emergency", {"item": huge}),
                         ("/library/approve", {"item": huge}), ("/schedule/queue", {"ids": huge, "at": "10:00"})):  # fmt: skip
        assert an.post(path, fields).status in (303, 400, 403, 404), path


def test_starlettes_own_answers_carry_the_security_headers(st):
    c = st.client("chi")
    for reply in (c.get("/no-such-page"), c.get("/logout"), c.request("PUT", "/library")):
        assert reply.status in (404, 405)
        for header in SECURITY:
            assert reply.header(header), (reply.status, header)
        assert "frame-ancestors 'none'" in reply.header("content-security-policy")


# What held, kept held ---------------------------------------------------------------------------

STATE_CHANGING = [("/logout", "viewer"), ("/library/upload", "operator"), ("/library/1/edit", "operator"),
                  ("/library/1/retire", "operator"), ("/library/approve", "approver"), ("/emergency", "approver"),
                  ("/schedule/queue", "operator"), ("/schedule/entries/1/remove", "operator"),
                  ("/schedule/slots/add", "admin"), ("/usb/hamlets/add", "operator"), ("/usb/export", "operator"),
                  ("/users/add", "admin"), ("/users/an/change", "admin")]  # fmt: skip
RANK = {"viewer": "chi", "operator": "binh", "approver": "an", "admin": "admin"}


def test_every_post_needs_the_csrf_token_and_its_role(st):
    admin = st.client("admin")
    for path, _least in STATE_CHANGING:
        if path != "/logout":
            assert admin.post(path, {"item": "1", "name": "x"}, csrf=False).status == 403, path
    roles = list(RANK)
    clients = {role: st.client(name) for role, name in RANK.items() if role != "admin"}
    for path, least in STATE_CHANGING:
        for role in roles[: roles.index(least)]:
            assert clients[role].post(path, {"item": "1", "name": "x", "action": "disable"}).status == 403, (path, role)


def test_titles_are_escaped_and_no_inline_script_runs(st):
    item_id = st.item()
    an = st.client("an")
    an.post(f"/library/{item_id}/edit", {"title": '<script>alert("x")</script><img src=x onerror=alert(1)>'})
    page = an.get(f"/library/{item_id}")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text and "<img src=x" not in page.text
    csp = page.header("content-security-policy")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", ["/media/..%2F..%2Fradio.db", "/static/..%2F..%2Fradio.db", "/media/1/../../web-secret.key",
                                  "/static/%2e%2e%2fserver.py"])  # fmt: skip
def test_no_path_reaches_the_station_files(st, path):
    reply = st.client("admin").get(path)
    assert reply.status in (303, 400, 404, 405) and b"SQLite format" not in reply.body


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil", "javascript:alert(1)"])
def test_no_open_redirect_after_login(st, target):
    c = Client(st.console.port, "127.0.0.91")
    c.get("/login")
    reply = c.post("/login", {"name": "chi", "password": PASSWORD, "next": target})
    assert reply.status == 303 and reply.header("location") == "/"


def test_the_session_cookie_is_httponly_strict_and_signed(st):
    c = Client(st.console.port, "127.0.0.92")
    c.get("/login")
    reply = c.post("/login", {"name": "chi", "password": PASSWORD})
    (cookie,) = [h for h in reply.set_cookies if h.startswith("radio_session=")]
    flags = {f.strip().lower() for f in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    forged = Client(st.console.port)
    forged.cookies = {"radio_session": c.cookies["radio_session"][:-4] + "AAAA"}
    assert forged.get("/library").status == 303


def test_an_upload_over_the_cap_is_refused_before_it_is_read(st):
    binh = st.client("binh")
    reply = binh.request("POST", "/library/upload?topic=y-te", b"", {
        "X-CSRF-Token": binh.csrf, "X-File-Name": "lon.mp3", "Content-Length": str(300 * 1024 * 1024 + 1)})  # fmt: skip
    assert reply.status == 413
    assert st.db("SELECT count(*) FROM items WHERE original_name='lon.mp3'") == [(0,)]
