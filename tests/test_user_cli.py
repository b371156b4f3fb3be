"""`radio user …` and `radio web` as commands: accounts, one-line errors, exit codes."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import time

from radio.accounts import verify_login
from radio.app import open_app
from tests.webtools import free_port


def test_add_list_passwd_disable(radio):
    added = radio("user", "add", "An", "--role", "approver", "--display", "Nguyễn Văn An, Chủ tịch UBND xã",
                  "--password-stdin", input="mat-khau-an-1\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert added.stdout == "added user 'an' (approver, Nguyễn Văn An, Chủ tịch UBND xã)\n"
    (user,) = radio.json("user", "list")
    assert (user["name"], user["role"], user["display"], user["disabled"]) == (
        "an", "approver", "Nguyễn Văn An, Chủ tịch UBND xã", False)
    app = open_app(radio.home)
    try:
        assert verify_login(app.users, "an", "mat-khau-an-1").display.startswith("Nguyễn")
        assert verify_login(app.users, "an", "wrong-password") is None
        stored = app.users.password_hash("an")[1]
        assert stored.startswith("$argon2id$") and "mat-khau" not in stored
        assert radio("user", "passwd", "an", "--password-stdin", input="mat-khau-moi-2\n").exit_code == 0
        assert verify_login(app.users, "an", "mat-khau-an-1") is None
        assert verify_login(app.users, "an", "mat-khau-moi-2") is not None
        assert radio("user", "disable", "an").stdout == "disabled user 'an'\n"
        assert verify_login(app.users, "an", "mat-khau-moi-2") is None
    finally:
        app.close()
    audit = sqlite3.connect(radio.home / "radio.db").execute("SELECT action, detail FROM audit_log ORDER BY id").fetchall()
    assert [a for a, _ in audit] == ["user.add", "user.passwd", "user.disable"]


def test_the_password_is_asked_twice_when_not_on_stdin(radio):
    ok = radio("user", "add", "binh", "--role", "operator", input="mat-khau-binh\nmat-khau-binh\n")
    assert ok.exit_code == 0, ok.output
    assert radio.json("user", "list")[0]["display"] == "binh"


def test_user_errors_are_one_line(radio):
    short = radio("user", "add", "an", "--role", "viewer", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and short.stderr == "radio: error: the password must have at least 8 characters\n"
    bad = radio("user", "add", "An Nguyen", "--role", "viewer", "--password-stdin", input="long-enough\n")
    assert bad.exit_code == 1 and "is not a valid user name" in bad.stderr
    assert radio("user", "add", "an", "--role", "chief").exit_code == 2
    radio("user", "add", "an", "--role", "viewer", "--password-stdin", input="long-enough\n")
    twice = radio("user", "add", "an", "--role", "viewer", "--password-stdin", input="long-enough\n")
    assert twice.stderr == "radio: error: a user named 'an' already exists\n"
    missing = radio("user", "passwd", "nobody", "--password-stdin", input="long-enough\n")
    assert missing.exit_code == 1 and missing.stderr == "radio: error: no user named 'nobody'\n"
    assert radio("user", "list").stdout.startswith("Name")
    assert radio("user", "disable", "nobody").exit_code == 1


def test_radio_web_refuses_a_bad_address_and_a_busy_port(radio, radio_bin, subprocess_env):
    run = lambda *a: subprocess.run([radio_bin, "--home", str(radio.home), "web", *a], capture_output=True,  # noqa: E731
                                    text=True, env=subprocess_env, timeout=60)  # fmt: skip
    usage = run("--listen", "nowhere")
    assert usage.returncode == 2 and "is not HOST:PORT" in usage.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run("--listen", f"127.0.0.1:{port}")
    assert taken.returncode == 1
    assert taken.stderr.strip().splitlines()[-1].startswith(f"radio: error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in taken.stderr
    # two consoles started at the same instant on one port (both bind it before either listens):
    # one serves, the other says why not in one line
    port = free_port()
    both = [subprocess.Popen([radio_bin, "--home", str(radio.home), "web", "--listen", f"127.0.0.1:{port}"],
                             stderr=subprocess.PIPE, text=True, env=subprocess_env) for _ in range(2)]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in both) and time.monotonic() < deadline:
            time.sleep(0.1)
        loser = next(p for p in both if p.poll() is not None)
        winner = next(p for p in both if p is not loser)
        refused = loser.stderr.read()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert winner.poll() is None
    finally:
        for p in both:
            p.kill()
            p.wait()
    assert loser.returncode == 1 and "Traceback" not in refused, refused
    assert refused.strip().splitlines()[-1].startswith(f"radio: error: cannot listen on 127.0.0.1:{port}"), refused
    nowhere = subprocess.run([radio_bin, "--home", str(radio.home.parent / "none"), "web"], capture_output=True,
                             text=True, env=subprocess_env, timeout=60)  # fmt: skip
    assert nowhere.returncode == 1 and "no station at" in nowhere.stderr
