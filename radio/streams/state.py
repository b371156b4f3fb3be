"""What `radio status` shows of one stream, and the log of its outages (with times)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

log = logging.getLogger("radio.streams")


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, tz=timezone.utc).astimezone().isoformat(timespec="seconds")


class StreamState:
    """Connected or not since when, bytes sent, listeners; thread-safe. Every change from
    up to down (an outage) and back is logged once, with its times: a server down for a day
    gives two lines, not one per reconnection attempt."""

    def __init__(self, label: str, kind: str, target: str) -> None:
        self.label = label
        self.kind = kind
        self.target = target
        self.connected = False
        self.since = time.time()
        self.bytes_sent = 0
        self.listeners: int | None = None
        self.error: str | None = None
        self.outages = 0
        self.ever_up = False
        self._lock = threading.Lock()

    def up(self) -> None:
        with self._lock:
            if self.connected:
                return
            now = time.time()
            if self.error is not None and self.ever_up:
                log.warning("stream %s: back at %s after an outage of %.1f s (since %s)", self.label, _iso(now),
                            now - self.since, _iso(self.since))  # fmt: skip
            else:
                log.info("stream %s: connected to %s", self.label, self.target)
            self.connected, self.since, self.error, self.ever_up = True, now, None, True

    def down(self, reason: str) -> None:
        with self._lock:
            if self.connected or self.error is None:
                now = time.time()
                if self.connected:
                    self.outages += 1
                    log.warning("stream %s: outage from %s: %s", self.label, _iso(now), reason)
                else:
                    log.warning("stream %s: cannot connect: %s", self.label, reason)
                self.since = now
            self.connected, self.error = False, reason

    def idle(self) -> None:
        """Disconnected on purpose (between sessions, between_sessions = "disconnect")."""
        with self._lock:
            if self.connected:
                log.info("stream %s: disconnected between sessions", self.label)
            self.connected, self.since, self.error = False, time.time(), None

    def sent(self, count: int) -> None:
        self.bytes_sent += count

    def as_json(self) -> dict:
        with self._lock:
            return {"name": self.label, "kind": self.kind, "target": self.target, "connected": self.connected,
                    "since": _iso(self.since), "bytes_sent": self.bytes_sent, "listeners": self.listeners,
                    "error": self.error, "outages": self.outages}  # fmt: skip
