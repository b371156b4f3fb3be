"""One daemon per station: the lock on the station home, and how the CLI finds the daemon.

Standard library only: the CLI imports it on every schedule change.
"""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _

from radio.home import DAEMON_LOCK_NAME as LOCK_NAME  # noqa: F401  (the name callers used)
from radio.home import StationHome


class StationLock:
    """An exclusive lock on the station home, held while the daemon runs."""

    def __init__(self, home: Path) -> None:
        self.path = StationHome(home).daemon_lock
        self.fd: int | None = None

    def acquire(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise RadioError(_("a daemon is already running for the station at {home}").format(home=self.path.parent)) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def daemon_pid(home: Path) -> int | None:
    """The pid of the daemon holding the station's lock, or None if none runs."""
    path = StationHome(home).daemon_lock
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        text = path.read_text().strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)
    return None


def nudge_daemon(home: Path) -> bool:
    """Tell a running daemon that the schedule changed (SIGUSR1), so it acts at once rather
    than at its next database check. False when no daemon runs or it cannot be signalled."""
    pid = daemon_pid(home)
    if not pid or pid < 0:
        return False
    try:
        os.kill(pid, signal.SIGUSR1)
    except OSError:
        return False
    return True
