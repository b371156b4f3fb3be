"""Schedule rules: slots and their occurrences, start kinds, rundown order, catch-up and rejoin.

Pure functions of their arguments (no clock, no I/O): the daemon passes `now`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from radio.domain.library import Priority
from radio.errors import RadioError
from radio.i18n import _


class StartKind(enum.StrEnum):
    HARD = "hard"  # cut what is playing at the instant
    SOFT = "soft"  # start after the current item ends
    WAIT = "wait"  # soft, but cut if not started N seconds after the instant


@dataclass(frozen=True)
class StartRule:
    kind: StartKind = StartKind.HARD
    wait_s: int = 0

    @classmethod
    def parse(cls, text: str) -> StartRule:
        text = text.strip().lower()
        if text in ("hard", "soft"):
            return cls(StartKind(text))
        match = re.fullmatch(r"wait:(\d{1,4})", text)
        if match:
            return cls(StartKind.WAIT, int(match.group(1)))
        raise RadioError(_("'{value}' is not a start kind (hard, soft or wait:SECONDS)").format(value=text))

    def __str__(self) -> str:
        return f"wait:{self.wait_s}" if self.kind is StartKind.WAIT else str(self.kind)


DAY_NAMES = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
             "t2": 1, "t3": 2, "t4": 3, "t5": 4, "t6": 5, "t7": 6, "cn": 7}  # fmt: skip
DAY_CODES = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}


def parse_days(text: str) -> frozenset[int]:
    """'mon-sun', 'mon-fri', 'mon,wed,fri', 'sat-mon' (wraps) or Vietnamese 't2-cn' -> ISO weekdays."""
    days: set[int] = set()
    for part in text.strip().lower().replace(" ", "").split(","):
        if part in ("daily", "all", "*"):
            days.update(range(1, 8))
            continue
        ends = part.split("-")
        if not 1 <= len(ends) <= 2 or any(e not in DAY_NAMES for e in ends):
            raise RadioError(
                _("'{value}' is not a list of days (for example mon-sun, mon-fri or mon,wed,fri)").format(value=text)
            )
        first, last = DAY_NAMES[ends[0]], DAY_NAMES[ends[-1]]
        day = first
        days.add(day)
        while day != last:
            day = day % 7 + 1
            days.add(day)
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    if days == frozenset(range(1, 8)):
        return "mon-sun"
    return ",".join(DAY_CODES[d] for d in sorted(days))


def parse_time_of_day(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text.strip())
    if match:
        h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if h < 24 and m < 60 and s < 60:
            return time(h, m, s)
    raise RadioError(_("'{value}' is not a time of day (HH:MM or HH:MM:SS)").format(value=text))


@dataclass(frozen=True)
class Slot:
    id: int
    name: str
    days: frozenset[int]
    start: time
    max_minutes: int
    start_rule: StartRule = StartRule()
    jingles: bool = True
    relay: str | None = None  # a relay session: the code of the source it relays
    fallback: tuple[int, ...] = ()  # item ids aired while the relay is dead air
    created_at: datetime | None = field(default=None, compare=False)  # UTC; None for a slot not yet stored


@dataclass(frozen=True)
class Occurrence:
    """One airing of a slot on one day, or a one-off broadcast (slot_id None)."""

    start: datetime  # aware
    slot_id: int | None
    slot_name: str | None
    max_s: float | None
    start_rule: StartRule
    jingles: bool
    day: date  # the local date it belongs to
    relay: str | None = None  # the source relayed after the queued items, to the end of max_s
    fallback: tuple[int, ...] = ()

    @property
    def key(self) -> tuple[int | None, datetime]:
        return (self.slot_id, self.start)


def occurrence_of(slot: Slot, day: date, zone: tzinfo) -> Occurrence:
    return Occurrence(
        start=datetime.combine(day, slot.start, tzinfo=zone),
        slot_id=slot.id,
        slot_name=slot.name,
        max_s=slot.max_minutes * 60.0,
        start_rule=slot.start_rule,
        jingles=slot.jingles,
        day=day,
        relay=slot.relay,
        fallback=slot.fallback,
    )


def occurrences_between(slots: Iterable[Slot], start: datetime, end: datetime, zone: tzinfo) -> list[Occurrence]:
    """Every slot occurrence whose start lies in [start, end), in time order."""
    found = []
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    slots = list(slots)
    day = first
    while day <= last:
        for slot in slots:
            if day.isoweekday() in slot.days:
                occ = occurrence_of(slot, day, zone)
                if start <= occ.start < end:
                    found.append(occ)
        day += timedelta(days=1)
    return sorted(found, key=lambda o: (o.start, o.slot_id or 0))


def next_occurrence(slot: Slot, after: datetime, zone: tzinfo) -> Occurrence | None:
    """The first occurrence of *slot* starting at or after *after* (within a week)."""
    found = occurrences_between([slot], after, after + timedelta(days=8), zone)
    return found[0] if found else None


_PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.PRIORITY: 1, Priority.NORMAL: 2}


def rundown_order(priorities: Sequence[Priority]) -> list[int]:
    """Indexes of queue entries (given in queue order) in the order they air:
    emergency and priority first, each group keeping queue order."""
    return sorted(range(len(priorities)), key=lambda i: (_PRIORITY_RANK[priorities[i]], i))


def overrun_s(durations: Iterable[float], max_s: float | None) -> float:
    """How far a rundown passes its slot's cap (0 when it fits)."""
    total = sum(durations)
    return max(0.0, total - max_s) if max_s is not None else 0.0


@dataclass(frozen=True)
class StartPlan:
    at: datetime  # when the occurrence's first sample should sound
    cut: bool  # whether what is playing then is cut (faded out)


def plan_start(rule: StartRule, due: datetime, busy_until: datetime | None) -> StartPlan:
    """When an occurrence due at *due* starts, given that the current item ends at *busy_until*."""
    if busy_until is None or busy_until <= due:
        return StartPlan(due, cut=False)
    if rule.kind is StartKind.HARD:
        return StartPlan(due, cut=True)
    if rule.kind is StartKind.SOFT:
        return StartPlan(busy_until, cut=False)
    limit = due + timedelta(seconds=rule.wait_s)
    return StartPlan(busy_until, cut=False) if busy_until <= limit else StartPlan(limit, cut=True)


PLAYER_LEAD_S = 3.0  # the player is started this long before an instant, to open and fill the output


def preparation_lead_s(preroll_s: float, relay_buffer_s: float = 0.0, relay_no_data_s: float = 0.0) -> float:
    """How long before its instant the daemon prepares a session: builds its rundown and starts
    the player (or runs the on-air command, its preroll + 1 s, before); a relay session
    connects its source earlier still, to fill its buffer or know it dead. What is queued into
    a session after that does not reach its rundown."""
    lead = max(PLAYER_LEAD_S, preroll_s + 1.0)
    if relay_buffer_s or relay_no_data_s:
        lead = max(lead, max(relay_no_data_s, relay_buffer_s) + 2.0)
    return lead


class Catchup(enum.Enum):
    PENDING = "pending"  # not due yet
    START = "start"  # due now or late within the catch-up window: air from the beginning
    MISSED = "missed"  # too late


def catch_up(start: datetime, now: datetime, window_s: float) -> Catchup:
    """What to do with an occurrence that has not started, at *now*."""
    if now < start:
        return Catchup.PENDING
    return Catchup.START if (now - start).total_seconds() <= window_s else Catchup.MISSED


@dataclass(frozen=True)
class Rejoin:
    """Where to pick up an occurrence that was on air when the daemon stopped."""

    index: int | None  # the element that should be on air now (None: the occurrence is over)
    offset_s: float  # how far into it
    missed: tuple[int, ...]  # elements wholly passed without being aired


def plan_rejoin(durations: Sequence[float], began: datetime, now: datetime, aired: Iterable[int]) -> Rejoin:
    """Rejoin an occurrence that began at *began* as if it had played on without a break.

    *durations* are the elements in air order; *aired* the indexes that already have a log
    row. Elements whose planned time passed entirely and that were never aired are missed.
    """
    elapsed = (now - began).total_seconds()
    aired = set(aired)
    cursor = 0.0
    for index, duration in enumerate(durations):
        if elapsed < cursor + duration:
            missed = tuple(i for i in range(index) if i not in aired)
            return Rejoin(index, max(0.0, elapsed - cursor), missed)
        cursor += duration
    return Rejoin(None, 0.0, tuple(i for i in range(len(durations)) if i not in aired))
