"""Whether the PC's clock can be trusted with the schedule (fault 7 of issue 18).

Old broadcast PCs lose their CMOS battery and come back from a power cut in the past; a PC
without Internet has no NTP. A schedule aired on such a clock airs at wrong hours, so the
daemon holds it. Pure: the facts are gathered by `scheduler/clock_guard.py`.

- **wrong** (the schedule is held): the clock is before a year this software was made in;
  or it is not synchronised and the as-run log already holds a row more than ``HOLD_AHEAD``
  (2 h) ahead of it (the station aired that row, so *now* cannot be before it). A lost
  CMOS clock is days or years behind; a clock an hour off (a daylight-saving or zone slip, a
  fast clock set right by hand) is warned about, not held, as is a row up to 2 h ahead.
  A synchronised clock is trusted over the log: rows ahead of it were written on a clock
  that was wrong then (too fast), and holding on them would silence a right clock.
- **unsynchronised** (a loud warning): the system says no time source keeps the clock right.
- **ok**: synchronised, or nothing known against it.

An operator who checked the clock against a phone may **confirm** it (`radio clock confirm`):
a fast clock set right by hand on a PC without NTP would otherwise stay held until real time
passed the rows it wrote ahead. Rows up to the confirmation no longer count; the confirmed
instant does (a clock set back before it again is held as before).

A time zone of the system that differs from the station's ([station] timezone) is a
warning on a clock no time source keeps right: whoever set the clock by the local time they
read may have set the UTC clock hours off. (The daemon itself works in UTC and the station's
zone: on a synchronised clock the system's zone changes nothing.)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from radio.i18n import _

WARN_AHEAD = timedelta(minutes=10)  # rows this far ahead of the clock are worth a warning
HOLD_AHEAD = timedelta(hours=2)  # rows this far ahead of an unsynchronised clock: it is wrong
EARLIEST = datetime.fromisoformat("2025-01-01T00:00:00+00:00")  # before this, the clock is not set


class ClockState(enum.StrEnum):
    OK = "ok"
    UNSYNCHRONISED = "unsynchronised"
    WRONG = "wrong"


@dataclass(frozen=True)
class ClockFacts:
    """What is known about the clock at one instant."""

    now: datetime  # aware
    newest_row: datetime | None  # the latest instant of any as-run row (started or ended)
    synchronised: bool | None  # None: the system cannot say
    station_zone: str
    station_offset: timedelta  # the station zone's UTC offset at *now*
    system_zone: str | None = None
    system_offset: timedelta | None = None  # the system's local UTC offset at *now*


@dataclass(frozen=True)
class ClockVerdict:
    state: ClockState
    synchronised: bool | None
    reasons: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        """The schedule must not air on this clock."""
        return self.state is ClockState.WRONG

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None


@dataclass(frozen=True)
class ClockConfirmation:
    """An operator said the clock is right: its reading then, and the newest as-run row then."""

    at: datetime  # aware
    last_row_id: int  # rows up to this one may have been written on a wrong clock
    by: str


def trusted_newest(confirmation: ClockConfirmation | None, newest: datetime | None) -> datetime | None:
    """The newest instant the clock must not be before: that of the newest row (*newest*: of
    all rows, or after a confirmation of the rows written since), or the confirmed instant,
    whichever is later."""
    if confirmation is None or (newest is not None and newest > confirmation.at):
        return newest
    return confirmation.at


def confirmable(now: datetime) -> bool:
    """A clock before this software existed is not set at all: it is set, not confirmed."""
    return now >= EARLIEST


def _offset(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _ahead(delta: timedelta) -> str:
    """A span as an operator reads it: days, hours or minutes."""
    seconds = delta.total_seconds()
    if seconds >= 1.5 * 86400:
        return _("{n:g} days").format(n=round(seconds / 86400, 1))
    if seconds >= 3600:
        return _("{n:g} h").format(n=round(seconds / 3600, 1))
    return _("{n:g} min").format(n=round(seconds / 60))


def judge(facts: ClockFacts) -> ClockVerdict:
    """The clock's state and the reasons an operator reads, from *facts*."""
    reasons: list[str] = []
    state = ClockState.OK
    if facts.now < EARLIEST:
        state = ClockState.WRONG
        reasons.append(_("the PC's clock says {date}, before this software existed (a flat CMOS battery?)").format(
            date=facts.now.strftime("%Y-%m-%d")))  # fmt: skip
    ahead = facts.newest_row - facts.now if facts.newest_row is not None else None
    if ahead is not None and ahead > HOLD_AHEAD and not facts.synchronised and state is not ClockState.WRONG:
        state = ClockState.WRONG
        reasons.append(_("the clock is {span} behind the newest as-run row: it is set in the past "
                         "(a flat CMOS battery after a power cut?)").format(span=_ahead(ahead)))  # fmt: skip
    elif ahead is not None and ahead > WARN_AHEAD and state is not ClockState.WRONG:
        reasons.append(_("the as-run log holds rows {span} ahead of the clock: the clock was set back, or those "
                         "rows were written on a wrong clock").format(span=_ahead(ahead)))  # fmt: skip
    if facts.synchronised is False:
        if state is ClockState.OK:
            state = ClockState.UNSYNCHRONISED
        reasons.append(_("the clock is not synchronised (no NTP time source): check it against a phone or the "
                         "radio's time signal"))  # fmt: skip
    if facts.system_offset is not None and facts.system_offset != facts.station_offset and not facts.synchronised:
        reasons.append(_("the PC's time zone ({system}, {system_offset}) is not the station's ({station}, "
                         "{station_offset}): a clock set by the local time may be hours off").format(
            system=facts.system_zone or "?", system_offset=_offset(facts.system_offset),
            station=facts.station_zone, station_offset=_offset(facts.station_offset)))  # fmt: skip
    return ClockVerdict(state, facts.synchronised, tuple(reasons))
