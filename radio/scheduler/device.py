"""The sound device's health as the on-air loop sees it, and its recovery: after trouble
(a stall, a lost device or sound server, a stream that would not open) the show on air is
rejoined after 0.5, 1, 2, 4, 8, 8 … s, until its time is over."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from radio.i18n import N_

log = logging.getLogger("radio.daemon")
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)  # waits before reopening a sound device in trouble, then every 8 s


@dataclass(frozen=True)
class DeviceHealth:
    """The sound device as the daemon last saw it (shown by `radio status`)."""

    state: str = "ok"  # ok | retrying | unavailable
    since: datetime | None = None
    reason: str | None = None
    attempts: int = 0
    retry_at: datetime | None = None

    def as_json(self) -> dict:
        return {"state": self.state, "since": self.since.isoformat() if self.since else None,
                "reason": self.reason, "attempts": self.attempts,
                "retry_at": self.retry_at.isoformat() if self.retry_at else None}  # fmt: skip


class DeviceRecovery:
    """Owns `health`; schedules the retries (*retry* is called with the airing, on a timer
    thread: it posts to the on-air loop); tells *on_change* every time the state changes."""

    def __init__(self, retry, on_change) -> None:
        self._retry = retry
        self._on_change = on_change
        self.health = DeviceHealth()

    def _set(self, health: DeviceHealth) -> None:
        self.health = health
        self._on_change(health)

    def trouble(self, airing, reason: str) -> None:
        """The device failed under *airing*: reopen it after the backoff of its next attempt."""
        delay = BACKOFF_S[min(airing.attempt, len(BACKOFF_S) - 1)]
        now = datetime.now(timezone.utc)
        since = self.health.since if self.health.state != "ok" else now
        self._set(DeviceHealth("retrying", since, reason, airing.attempt + 1, now + timedelta(seconds=delay)))
        log.warning(N_("sound device trouble: %s; reopening in %.1f s (attempt %d)"), reason, delay, airing.attempt + 1)
        timer = threading.Timer(delay, self._retry, args=[airing])
        timer.daemon = True
        timer.start()

    def sounding(self) -> None:
        """Audio reached the output: the sound device is fine (again)."""
        if self.health.state != "ok":
            log.info(N_("the sound device plays again (after %d attempts)"), self.health.attempts)
            self._set(DeviceHealth())

    def gave_up(self) -> None:
        """The show it was retrying for is over: unavailable until something opens it."""
        if self.health.state == "retrying":
            h = self.health
            self._set(DeviceHealth("unavailable", h.since, h.reason, h.attempts))
