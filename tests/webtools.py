"""A real `radio web` process on a free port of the loopback, over a real station home, and a
small HTTP client that keeps cookies and reads the CSRF token of the page like a browser.

Registered from conftest.py as a pytest plugin.
"""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.ports import free_port  # noqa: F401 - re-exported for tests and bench

PASSWORD = "mat-khau-dai-1"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    set_cookies: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class Client:
    """Keeps the cookies the console sets; `csrf` is the token of the last page read."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port = port
        self.source = source  # another loopback address (127.0.0.N) to come from, e.g. for the throttle
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.timeout = 60.0  # seconds for one answer

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                          source_address=(self.source, 0) if self.source else None)  # fmt: skip
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        resp = conn.getresponse()
        data = resp.read()
        raw = resp.headers.get_all("set-cookie") or []
        conn.close()
        for header in raw:
            jar = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value in ("", '""'):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        reply = Reply(resp.status, resp.headers, data, raw)
        match = re.search(rb'<meta name="csrf" content="([^"]+)"', data)
        if match:
            self.csrf = match.group(1).decode()
        return reply

    def get(self, path: str, **headers) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict | list | None = None, csrf: bool = True, headers: dict | None = None) -> Reply:
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            fields.append(("csrf", self.csrf))
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})  # fmt: skip

    def login(self, name: str, password: str = PASSWORD) -> Reply:
        self.get("/login")
        return self.post("/login", {"name": name, "password": password, "next": "/on-air"})


class Console:
    """The running console: its address, station home, and a client factory."""

    def __init__(self, proc: subprocess.Popen, port: int, home: Path) -> None:
        self.proc, self.port, self.home = proc, port, home
        self.url = f"http://127.0.0.1:{port}"
        self.log = home.parent / f"web-{port}.log"

    def client(self, user: str | None = None, source: str | None = None) -> Client:
        c = Client(self.port, source)
        if user:
            reply = c.login(user)
            assert reply.status == 303, reply.text
        return c


def start_console(radio_bin: str, env: dict, home: Path, port: int | None = None, https: bool = False) -> Console:
    port = port or free_port()
    log = (home.parent / f"web-{port}.log").open("w")
    proc = subprocess.Popen([radio_bin, "--home", str(home), "web", "--listen", f"127.0.0.1:{port}",
                             *(["--https"] if https else [])],
                            env=env, stdout=log, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"radio web exited {proc.returncode}: {(home.parent / f'web-{port}.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                console = Console(proc, port, home)
                if https:
                    console.url = f"https://127.0.0.1:{port}"
                return console
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("radio web did not start listening")


def stop_console(console: Console) -> None:
    """Stopped; and its log holds no traceback (an operator reads it in the journal) unless
    the test already failed (its own error is the one to see)."""
    console.proc.terminate()
    try:
        console.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        console.proc.kill()
        console.proc.wait()
    log = console.log.read_text(encoding="utf-8", errors="replace")
    if sys.exc_info()[0] is None:
        assert "Traceback" not in log, log[max(0, log.index("Traceback") - 500):][:4000]


def add_user(radio_bin: str, env: dict, home: Path, name: str, role: str, display: str | None = None) -> None:
    args = [radio_bin, "--home", str(home), "user", "add", name, "--role", role, "--password-stdin"]
    if display:
        args += ["--display", display]
    done = subprocess.run(args, input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr


def add_users(home: Path, users: list[tuple[str, str, str]]) -> None:
    """Through the same service as `radio user add` (in-process: faster than one CLI per user)."""
    from radio.accounts import add_user as add
    from radio.app import open_app
    from radio.domain.users import Role

    app = open_app(home)
    try:
        for name, role, display in users:
            add(app.users, app.audit, "test", name, Role(role), display, PASSWORD)
    finally:
        app.close()


@pytest.fixture
def console(radio, radio_bin, subprocess_env):
    """A station with one user of each role (admin, approver 'an', operator 'binh', viewer 'chi')
    and `radio web` serving it."""
    home = radio.home
    add_users(home, [("admin", "admin", "Quản trị"), ("an", "approver", "Nguyễn Văn An, Chủ tịch UBND xã"),
                     ("binh", "operator", "Trần Thị Bình"), ("chi", "viewer", "Lê Văn Chí")])  # fmt: skip
    running = start_console(radio_bin, subprocess_env, home)
    try:
        yield running
    finally:
        stop_console(running)
