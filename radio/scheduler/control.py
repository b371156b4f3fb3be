"""The daemon's control socket: the CLI asks a running daemon instead of starting up the
whole database layer itself.

`radio emergency` and `radio status` are the commands that must answer at once: an
emergency goes on air within a second, and `status` is what an operator types when
something sounds wrong. A running daemon already has the station open, so the CLI sends
it one JSON line on a Unix socket in the station home (``daemon.sock``, mode 0600: whoever
may write the database may ask) and prints the answer. The daemon does the same work the
CLI would (``radio.scheduler.service``), writes the same database, and answers in the
CLI's language. With no daemon, the CLI does the work itself.

This module is imported by the CLI on every `status`/`emergency`: standard library only
(and radio.home, which is).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path

from radio.home import DAEMON_SOCKET_NAME, MAX_SOCKET_PATH, StationHome
from radio.home import socket_address as _unix_address

SOCKET_NAME = DAEMON_SOCKET_NAME  # the names callers used before radio.home held the layout
MAX_PATH = MAX_SOCKET_PATH

log = logging.getLogger("radio.daemon")


class NoDaemon(Exception):
    """No daemon listens (none runs, or it is too old to have the socket)."""


class DaemonError(Exception):
    """The daemon refused the request; the message is for the user, in their language."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def socket_address(directory: Path, name: str = SOCKET_NAME):
    """The address of the Unix socket *name* in *directory* (see radio.home.socket_address)."""
    return _unix_address(Path(directory) / name)


def ask(home: Path, request: dict, timeout: float = 5.0) -> object:
    """Send *request* to the station's daemon; its answer's data.

    Raises NoDaemon when none listens (nothing was sent: the caller may do the work
    itself), DaemonError when the daemon refused, OSError when it stopped answering after
    the request was sent (the work may be done: never do it a second time).
    """
    if not StationHome(home).daemon_socket.exists():
        raise NoDaemon()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            with socket_address(home) as address:
                sock.connect(address)
        except OSError as err:  # refused (a stale socket), gone, no permission
            raise NoDaemon() from err
        sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        with sock.makefile("rb") as answer:
            line = answer.readline()
    finally:
        sock.close()
    if not line:
        raise OSError("the daemon closed the connection without answering")
    reply = json.loads(line)
    if not reply.get("ok"):
        raise DaemonError(reply.get("error", ""), reply.get("exit", 1))
    return reply.get("data")


Handler = Callable[[dict], object]


class ControlServer:
    """Answers requests on the socket, each in a thread of its own, with *handlers[cmd]*.

    *errors* are the exception types that carry a message for the user (RadioError);
    *speaking(languages)* is a context manager translating into the asker's language.
    """

    def __init__(self, home: Path, handlers: dict[str, Handler], errors: tuple[type, ...], speaking) -> None:
        self.home = home
        self.handlers = handlers
        self.errors = errors
        self.speaking = speaking
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._thread: threading.Thread | None = None

    def _answer(self, request: dict) -> dict:
        handler = self.handlers.get(request.get("cmd"))
        if handler is None:
            return {"ok": False, "error": f"unknown request {request.get('cmd')!r}", "exit": 2}
        with self.speaking(request.get("languages")):
            try:
                return {"ok": True, "data": handler(request)}
            except self.errors as err:
                return {"ok": False, "error": str(err), "exit": getattr(err, "exit_code", 1)}
            except Exception as err:  # a bug: logged here, one line there
                log.exception("control request %r failed", request.get("cmd"))
                return {"ok": False, "error": f"internal error in the daemon: {err}", "exit": 1}

    def start(self) -> None:
        server = self

        class _Request(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.connection.settimeout(10)
                try:
                    line = self.rfile.readline(1 << 16)
                    reply = server._answer(json.loads(line))
                except (OSError, ValueError) as err:
                    reply = {"ok": False, "error": f"bad request: {err}", "exit": 2}
                try:
                    self.wfile.write(json.dumps(reply, ensure_ascii=False, default=str).encode() + b"\n")
                except OSError:
                    pass  # the asker is gone

        StationHome(self.home).daemon_socket.unlink(missing_ok=True)  # left by a daemon killed -9 (we hold the lock)
        old = os.umask(0o177)
        try:
            with socket_address(self.home) as address:
                self._server = socketserver.ThreadingUnixStreamServer(address, _Request)
        finally:
            os.umask(old)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.5,), daemon=True,
                                        name="radio-control")  # fmt: skip
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            StationHome(self.home).daemon_socket.unlink(missing_ok=True)
            self._server = None


def ask_daemon(home: Path, request: dict, fallback_safe: bool, languages: list[str] | None = None,
               timeout: float = 5.0) -> object | None:  # fmt: skip
    """The running daemon's answer to *request* in *languages*, or None when no daemon listens;
    what the CLI and the console both call (a refusal is a RadioError carrying its text).

    *fallback_safe*: the request only reads, so a daemon that stops answering midway can
    be replaced by reading the database here. A request that writes is never repeated.
    """
    from radio.errors import RadioError  # (here: the CLI imports this module on every status)
    from radio.i18n import _

    try:
        return ask(home, {**request, "languages": languages or []}, timeout=timeout)
    except NoDaemon:
        return None
    except DaemonError as err:
        raise RadioError(str(err), exit_code=err.exit_code) from None
    except (OSError, ValueError) as err:
        if fallback_safe:
            return None
        raise RadioError(_("the daemon did not answer ({reason}); check 'radio status' before trying again").format(
            reason=err)) from None  # fmt: skip


def ask_live(home: Path, request: dict, languages: list[str] | None = None, timeout: float = 5.0) -> object | None:
    """A `radio live` request (or the console's microphone) to the daemon: live goes on air
    only through it, so no daemon is an error (except for a status, which is then None)."""
    from radio.errors import RadioError
    from radio.i18n import _

    answer = ask_daemon(home, {"cmd": "live", **request}, fallback_safe=False, languages=languages, timeout=timeout)
    if answer is None and request.get("action") != "status":
        raise RadioError(_("the daemon is not running: live goes on air through it (start it: radio daemon, "
                           "or systemctl start radio)"))  # fmt: skip
    return answer
