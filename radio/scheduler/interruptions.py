"""How a show on air gives way, and how it comes back: the cut rules of the on-air loop.

- A *hard* start cuts the show on air at an instant: the new show's playback opens a moment
  ahead (`CUT_OPEN_S`) with its first sample on the instant, and the old one's fade ends
  then (waiting for its stream to close first left 0.2 to 0.4 s of silence).
- An *emergency* or *live* suspends the show on air: it fades out under the alarm or the
  voice, keeping a relay's input connected, and waits on the `Suspended` stack (the last
  interrupted on top). When the air is free again the loop takes the top: a live segment
  goes on if its session is (`LiveDesk.resumes`), a show that never began airs whole, one
  cut in the middle resumes with what it never reached (`resumed`).

These run on the on-air thread, which alone changes what is on air (`onair.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from radio.i18n import N_, _
from radio.scheduler.airing import Airing, AiringState, continue_airing

log = logging.getLogger("radio.daemon")
CUT_OPEN_S = 1.2  # a hard cut's new show opens its output this long before its instant


def _now() -> datetime:
    return datetime.now(timezone.utc)


def hard_cut(
    current: Airing, start: datetime, reason: str, fade_lead_s: float, air: Callable[[datetime | None], None]
) -> None:
    """Cut *current* for a show due at *start*, which *air* puts on air (at its instant, or at
    once if that is too close). *current* fades out to end at *start* (*fade_lead_s*: its
    fade and the output's latency). A shared device mixes the fade with the new stream's
    silence; an exclusive one opens the new stream as the old closes (sd_output.py). Whatever
    the old playback does (its device failing included) the new show starts."""
    opening = (start - _now()).total_seconds() - CUT_OPEN_S
    if opening > 0:
        time.sleep(opening)
    current.cut(reason)
    air(start if start > _now() + timedelta(seconds=0.3) else None)
    fade_at = (start - _now()).total_seconds() - fade_lead_s - 0.1
    if fade_at > 0:
        time.sleep(fade_at)
    try:
        current.playback.interrupt(reason=reason)
    except Exception as err:  # its engine is gone already: the cut show is over anyway
        log.warning("the show cut at %s ended with an error: %s", start.isoformat(), err)


class Suspended:
    """Airings interrupted by an emergency or live, or waiting under one: the last on top."""

    def __init__(self) -> None:
        self._stack: list[Airing] = []

    def __bool__(self) -> bool:
        return bool(self._stack)

    def suspend(self, airing: Airing, reason: str, fade_s: float) -> None:
        """*airing* fades out (over *fade_s*) and resumes afterwards (a show waiting for its
        device too); one already cut by another show just ends."""
        if airing.suspend(reason):
            self._stack.append(airing)
        if airing.playback is not None:  # a relay's input stays connected for the resume
            keep = airing.state is AiringState.SUSPENDED
            airing.playback.interrupt(fade_s=fade_s, reason=reason, keep_input=keep)

    def wait(self, airing: Airing) -> None:
        """*airing*, not yet on air, goes on when the air is free (live waiting under an alarm)."""
        self._stack.append(airing)

    def wait_last(self, airing: Airing) -> None:
        """*airing*, not yet on air, goes on once everything else here has resumed (a show due during live)."""
        self._stack.insert(0, airing)

    def take_shows(self) -> list[Airing]:
        """The scheduled shows waiting here (not live segments), taken off the stack."""
        shows = [a for a in self._stack if a.live is None]
        self._stack = [a for a in self._stack if a.live is not None]
        return shows

    def pop(self) -> Airing:
        return self._stack.pop()


def resumed(app, suspended: Airing, now: datetime) -> Airing | None:
    """What airs of *suspended*, cut in the middle, now that the air is free: the items it
    never reached and the relay's time left, as a new airing of the show (None: nothing left)."""
    rest = suspended.remaining_items()
    if not rest and not suspended.relay_left(now):
        return None
    log.info(N_("resuming %s where it was cut"), suspended.occurrence.slot_name or _("one-off broadcast"))
    return continue_airing(app, suspended, rest)
