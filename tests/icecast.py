"""A real Icecast server for tests: Debian's icecast2 on 127.0.0.1 and a free port, with a
configuration written here. It refuses to run as root, so as root it runs as the icecast2
user the package creates (in a directory that user can write)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ports import free_port  # noqa: F401 - re-exported for tests and bench

PASSWORD = "h@ck me:/?#"  # characters a URL must escape
ADMIN_PASSWORD = "admin-secret"

CONFIG = """<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits><clients>20</clients><sources>4</sources><queue-size>524288</queue-size>
    <client-timeout>30</client-timeout><header-timeout>15</header-timeout><source-timeout>5</source-timeout>
    <burst-on-connect>0</burst-on-connect><burst-size>0</burst-size></limits>
  <authentication><source-password>{password}</source-password><relay-password>{admin}</relay-password>
    <admin-user>admin</admin-user><admin-password>{admin}</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths><basedir>/usr/share/icecast2</basedir><logdir>{dir}/log</logdir><webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot></security>
</icecast>
"""


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class IcecastServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="radio-icecast-"))
        os.chmod(self.dir, 0o755)
        (self.dir / "log").mkdir()
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.as_root = os.geteuid() == 0
        if self.as_root:
            user = pwd.getpwnam("icecast2")
            os.chown(self.dir / "log", user.pw_uid, user.pw_gid)
        (self.dir / "icecast.xml").write_text(CONFIG.format(password=_xml(PASSWORD), admin=ADMIN_PASSWORD,
                                                            port=self.port, dir=self.dir))  # fmt: skip
        os.chmod(self.dir / "icecast.xml", 0o644)

    def url(self, mount: str = "/radio") -> str:
        from urllib.parse import quote

        return f"icecast://source:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}{mount}"

    def listen_url(self, mount: str = "/radio") -> str:
        return f"http://127.0.0.1:{self.port}{mount}"

    def start(self) -> None:
        extra = {"user": "icecast2", "group": "icecast", "extra_groups": []} if self.as_root else {}
        self.proc = subprocess.Popen(["icecast2", "-c", str(self.dir / "icecast.xml")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, **extra)  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("icecast2 did not start: " + self.error_log())

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def status(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/status-json.xsl", timeout=3) as r:
            return json.loads(r.read().decode("utf-8", "replace"))

    def source(self, mount: str = "/radio") -> dict | None:
        try:
            sources = self.status()["icestats"].get("source", [])
        except (OSError, ValueError):  # icecast 2.4.4 writes broken JSON while it has no source
            return None
        for s in sources if isinstance(sources, list) else [sources]:
            if s.get("listenurl", "").endswith(mount):
                return s
        return None

    def error_log(self) -> str:
        path = self.dir / "log" / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def icecast():
    if shutil.which("icecast2") is None:
        pytest.fail("icecast2 is not installed (scripts/ensure-system-deps installs it)")
    server = IcecastServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
