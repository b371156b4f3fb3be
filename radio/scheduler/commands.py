"""The commands of the on-air loop: everything that may change what is on air arrives as
one of these on its queue, and is handled one at a time on its single thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from radio.domain.schedule import Occurrence


@dataclass(frozen=True)
class Due:
    """An occurrence's timer fired (a little before its instant)."""

    occurrence: Occurrence


@dataclass(frozen=True, eq=False)
class PlaybackDone:
    """An airing's playback has ended (to its end, cut, or the device failed)."""

    airing: object
    resume_at: datetime | None = None  # an alarm's last sample sounds then: what it interrupted resumes there


@dataclass(frozen=True, eq=False)
class Cut:
    """A wait:N start's limit: cut the airing on air now."""

    airing: object
    reason: str


@dataclass(frozen=True, eq=False)
class Retry:
    """Reopen the sound device for the airing waiting for it."""

    airing: object


class Replan:
    """The schedule (or the clock) changed: rebuild the timers."""


class Reload:
    """SIGHUP: read radio.toml again, then replan."""


class Stop:
    """SIGTERM: fade out, log, power off, stop."""


@dataclass(frozen=True, eq=False)
class LiveCommand:
    """A request of `radio live` or the console (scheduler/live.py): *request* as sent on the
    control socket; the answer (or the RadioError) is set on *answer*, a Future."""

    request: dict
    answer: object
