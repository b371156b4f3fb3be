"""A source's password kept off every command line: a loopback proxy that adds it as a header.

ffmpeg takes its input as an argument, and every user of the PC can read any process's
arguments (``ps -ef``, /proc/PID/cmdline). A relay source such as
``http://user:password@host/vov1`` must therefore never be given to ffmpeg as written.
The options weighed:

- ffmpeg reading a pipe that Python fills: no HLS (a playlist names other URLs that ffmpeg
  must open itself), no reconnection, no seeking;
- ``-headers "Authorization: Basic …"``: still an argument, and base64 is not secret;
- the environment (readable only by the same user): ffmpeg reads no credentials from it;
- **a proxy on 127.0.0.1 inside our own process** (chosen): ffmpeg opens
  ``http://127.0.0.1:PORT/TOKEN/path``; the proxy forwards each request to the source with
  ``Authorization: Basic …`` added, and streams the answer back. Relative URLs of an HLS
  playlist resolve to the proxy too, and absolute ones on the source's own host are rewritten
  to it, so HLS keeps working. Its costs: one copy of a 64-128 kbit/s stream through a
  thread, and Basic authentication only (what Icecast and HLS servers use).

The proxy answers only the PC's own user (the connecting socket's owner, from
/proc/net/tcp) on a path with a random token, so the token seen in ``ps`` lets no one else
listen. It remembers the source's last failure in words (``problem``): ffmpeg only sees a
502 from the proxy, the operator reads "connection refused by …" or "the server refused
the user name or password". Addresses without a password are given to ffmpeg unchanged.
"""

from __future__ import annotations

import base64
import http.client
import os
import secrets
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from radio.domain.relay import redact_password
from radio.i18n import _

UPSTREAM_TIMEOUT_S = 8.0  # connect and each read; ffmpeg's own read timeout (4 s) gives up first
CHUNK = 16384
PLAYLIST_MAX = 4 * 1024 * 1024  # an HLS playlist is rewritten in memory
_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "upgrade", "content-length"}  # fmt: skip
_FORWARDED = ("User-Agent", "Accept", "Range", "Icy-MetaData", "Accept-Encoding", "Cookie")


class SourceAddress:
    """What ffmpeg opens for a source address (``url``), and its failure in words (``problem``).

    Use as a context manager or call close(): the proxy, if any, stops with it."""

    def __init__(self, url: str) -> None:
        self.source = url
        self.problem: str | None = None
        self._server: _Proxy | None = None
        parts = urlsplit(url) if "://" in url else None
        password = _password(parts)
        if parts is None or password is None:
            self.url = url
            return
        if parts.scheme not in ("http", "https"):
            # rtsp/rtmp/srt cannot go through an HTTP proxy: the password is dropped, not shown
            self.url = _without_userinfo(parts)
            self.problem = _("a password in a {scheme}:// address cannot be used without showing it to every "
                             "user of the PC; use an http(s) address").format(scheme=parts.scheme)  # fmt: skip
            return
        try:
            self._server = _Proxy(self, parts, unquote(parts.username or ""), password)
        except (ValueError, OSError) as err:  # a bad port; no loopback socket: nothing secret leaves
            self.url = _without_userinfo(parts)
            self.problem = _("cannot reach {host}: {reason}").format(host=parts.hostname or "?", reason=err)
            return
        self.url = self._server.local_url(parts)

    def note(self, problem: str | None) -> None:
        self.problem = redact_password(problem, self.source) if problem else None

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SourceAddress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _password(parts) -> str | None:
    try:
        return unquote(parts.password) if parts is not None and parts.password else None
    except ValueError:
        return None


def _without_userinfo(parts) -> str:
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host).geturl()


def _socket_uid(port: int) -> int | None:
    """The owner of the loopback TCP socket bound to *port* (Linux: /proc/net/tcp)."""
    want = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp", encoding="ascii") as table:
            for line in table:
                fields = line.split()
                if len(fields) > 7 and fields[1] == want:
                    return int(fields[7])
    except OSError:
        return None
    return None


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: SourceAddress, parts, user: str, password: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.address = address
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.token = secrets.token_urlsafe(16)
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self.prefix = f"http://127.0.0.1:{self.server_address[1]}/{self.token}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="radio-source-proxy", daemon=True)  # fmt: skip
        self._thread.start()

    def local_url(self, parts) -> str:
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.prefix}{parts.path or '/'}{query}"

    def upstream(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT_S,
                                               context=ssl.create_default_context())  # fmt: skip
        return http.client.HTTPConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT_S)

    def rewrite(self, text: str) -> str:
        """Absolute URLs on the source's own host (in a playlist, a redirect) through the proxy."""
        return text.replace(self.origin + "/", self.prefix + "/")

    def stop(self) -> None:
        """Stop serving, in the background: shutdown() waits up to a poll interval, and the
        relay's feeder must not wait at the end of a relay."""
        def stop_now() -> None:
            self.shutdown()
            self.server_close()

        threading.Thread(target=stop_now, name="radio-source-proxy-stop", daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy
    protocol_version = "HTTP/1.0"  # one request per connection: the stream ends when either side closes

    def log_message(self, *args) -> None:
        pass  # the relay logs what matters, in words

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        proxy = self.server
        if _socket_uid(self.client_address[1]) not in (os.getuid(), None):
            self.send_error(403)
            return
        token, slash, rest = self.path.lstrip("/").partition("/")
        if not secrets.compare_digest(token, proxy.token):
            self.send_error(404)
            return
        headers = {k: v for k in _FORWARDED if (v := self.headers.get(k)) is not None}
        headers["Authorization"] = proxy.auth
        headers["Host"] = proxy.origin.partition("://")[2]
        conn = proxy.upstream()
        try:
            conn.request(self.command, "/" + rest, headers=headers)
            answer = conn.getresponse()
        except (OSError, http.client.HTTPException) as err:
            proxy.address.note(_upstream_failure(err, proxy.host))
            conn.close()
            self.send_error(502)
            return
        try:
            self._relay(answer)
        except OSError:
            pass  # ffmpeg went away (a reconnect, the relay's end): so does this request
        finally:
            conn.close()

    def _relay(self, answer: http.client.HTTPResponse) -> None:
        proxy = self.server
        if answer.status in (401, 403):
            proxy.address.note(_("the server refused the user name or password (HTTP {code} {text})").format(
                code=answer.status, text=answer.reason))  # fmt: skip
        elif answer.status >= 400:
            proxy.address.note(_("the server answered HTTP {code} {text}").format(code=answer.status,
                                                                                   text=answer.reason).strip())  # fmt: skip
        else:
            proxy.address.note(None)
        kind = answer.getheader("Content-Type", "")
        playlist = "mpegurl" in kind.lower() or self.path.split("?")[0].endswith(".m3u8")
        body = None
        if playlist and answer.status < 300:
            body = proxy.rewrite(answer.read(PLAYLIST_MAX).decode("utf-8", "replace")).encode("utf-8")
        self.send_response_only(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() in _HOP or key.lower() == "www-authenticate":
                continue  # ffmpeg must not try credentials of its own
            self.send_header(key, proxy.rewrite(value) if key.lower() == "location" else value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        elif answer.getheader("Content-Length") and answer.getheader("Transfer-Encoding") is None:
            self.send_header("Content-Length", answer.getheader("Content-Length"))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if body is not None:
            self.wfile.write(body)
            return
        while data := answer.read1(CHUNK):
            self.wfile.write(data)
            self.wfile.flush()


def _upstream_failure(err: Exception, host: str) -> str:
    if isinstance(err, ConnectionRefusedError):
        return _("connection refused by {host} (nothing listens at that address and port)").format(host=host)
    if isinstance(err, socket.gaierror):
        return _("host {host} not found (check the address and the PC's Internet connection)").format(host=host)
    if isinstance(err, TimeoutError | socket.timeout):
        return _("nothing arrived from {host} in time (connection timed out)").format(host=host)
    if isinstance(err, ssl.SSLError):
        return _("the secure connection to {host} failed ({reason})").format(host=host, reason=err.reason or err)
    return _("cannot reach {host}: {reason}").format(host=host, reason=getattr(err, "strerror", None) or err)
