"""A password-protected stream server for the tests of fault 6 (a source's password on no
command line), and the scan of every process's command line.

- AuthSource: an HTTP server on 127.0.0.1 that answers only requests carrying
  ``Authorization: Basic`` with its user and password (else 401 with WWW-Authenticate, as
  Icecast's listener authentication does). ``/live.mp3`` is an endless real MP3 tone sent at
  its bitrate (a live stream); anything else is served from *directory* (an HLS playlist and
  its segments, made by real ffmpeg).
- secret_in_cmdlines(): which processes' /proc/PID/cmdline hold any spelling of a secret.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from tests.relaytools import tone_mp3

USER = "tiep-song"
PASSWORD = "mật khẩu:/?#@"  # spaces, Vietnamese and what a URL must escape


class AuthSource:
    def __init__(self, directory: Path, user: str = USER, password: str = PASSWORD, frequency: float = 440.0) -> None:
        self.directory, self.user, self.password, self.frequency = Path(directory), user, password, frequency
        self.httpd: ThreadingHTTPServer | None = None
        self.refused = 0  # requests without the right credentials
        self.served = 0  # requests with them

    def url(self, path: str = "live.mp3", password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"http://{quote(self.user, safe='')}:{quote(secret, safe='')}@127.0.0.1:{self.port}/{path}"

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def __enter__(self) -> AuthSource:
        source = self
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        body = tone_mp3(20.0, self.frequency)  # 64 kbit/s: 8000 bytes a second, looped

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=str(source.directory), **kwargs)

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                if self.headers.get("Authorization") != expected:
                    source.refused += 1
                    self.send_response(401, "Unauthorized")
                    self.send_header("WWW-Authenticate", 'Basic realm="Icecast2 Server"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                source.served += 1
                if self.path.split("?")[0] != "/live.mp3":
                    super().do_GET()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.end_headers()
                next_at, at = time.monotonic(), 0
                try:
                    while True:
                        chunk = body[at:at + 800]  # 0.1 s
                        at = (at + 800) % (len(body) - 800)
                        self.wfile.write(chunk)
                        next_at += 0.1
                        time.sleep(max(0.0, next_at - time.monotonic()))
                except OSError:
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(2)


def spellings(user: str, password: str) -> list[bytes]:
    """Every way the secret could be written on a command line."""
    pair = f"{user}:{password}".encode()
    return [password.encode(), quote(password, safe="").encode(), quote(password).encode(),
            base64.b64encode(pair)]  # fmt: skip


def cmdlines() -> dict[int, bytes]:
    """Every process's command line (arguments joined by NUL), as `ps -ef` reads them."""
    found = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                found[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
    return found


def secret_in_cmdlines(user: str = USER, password: str = PASSWORD) -> list[str]:
    """The command lines (readable) that hold the secret in any spelling."""
    secrets = spellings(user, password)
    return [line.replace(b"\0", b" ").decode("utf-8", "replace") for line in cmdlines().values()
            if any(s in line for s in secrets)]  # fmt: skip


def ffmpeg_cmdlines() -> list[str]:
    return [line.replace(b"\0", b" ").decode("utf-8", "replace") for line in cmdlines().values()
            if b"ffmpeg" in line.split(b"\0")[0]]  # fmt: skip
