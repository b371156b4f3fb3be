"""Report arithmetic: periods in station time, grouping keys, tallies, totals and shares.

Pure rules: standard library (and radio.i18n for error messages) only. The queries in radio/reports/ do the summing in SQL;
this module says what a period is (a half-open interval of instants [start, end) built
from local calendar days), how one as-run row counts (airing, seconds, status), and how
totals and shares are derived from the groups — so the SQL and the reference
aggregation here must agree (the property tests check that they do).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from radio.i18n import _

# --- statuses, as the as-run log writes them (radio/domain/asrun.py) -----------------

STATUSES = ("completed", "interrupted", "playing", "failed", "skipped", "missed")
AIRED = ("completed", "interrupted", "playing")
"""Statuses whose rows count as an airing: the item went on air (to its end or not)."""
TIMED = ("completed", "interrupted", "playing", "failed")
"""Statuses whose seconds are shown separately (skipped and missed rows never play)."""

GROUP_KEYS = ("topic", "day", "slot", "item", "language", "source", "station", "commune")
"""What `radio report airtime --by` accepts, in a stable order."""

KEY_WIDTH = {"item": 2, "source": 2}
"""Values a key contributes to a group's key tuple (the others give one)."""


# --- periods ----------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period written the wrong way; the message says which form is expected."""


@dataclass(frozen=True)
class Period:
    """Local calendar days first..last (inclusive) in *zone*, and the instants [start, end)."""

    kind: str  # month | quarter | half | year | week | range
    label: str  # 2026-11, 2026Q4, 2026H2, 2026, 2026-W47, 2026-11-01..2026-11-30
    first: date
    last: date
    zone: tzinfo = field(compare=False)

    @property
    def start(self) -> datetime:
        """Local midnight opening the first day, in UTC."""
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day, in UTC (excluded)."""
        return local_midnight(self.last + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(timezone.utc)


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The station's calendar day of an instant (naive instants are UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).date()


def month(year: int, month_: int, zone: tzinfo) -> Period:
    first = date(year, month_, 1)
    nxt = date(year + (month_ == 12), month_ % 12 + 1, 1)
    return Period("month", f"{year:04d}-{month_:02d}", first, nxt - timedelta(days=1), zone)


def quarter(year: int, q: int, zone: tzinfo) -> Period:
    first = date(year, 3 * q - 2, 1)
    last = month(year, 3 * q, zone).last
    return Period("quarter", f"{year:04d}Q{q}", first, last, zone)


def half(year: int, h: int, zone: tzinfo) -> Period:
    first, last = (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1), date(year, 12, 31))
    return Period("half", f"{year:04d}H{h}", first, last, zone)


def year(year_: int, zone: tzinfo) -> Period:
    return Period("year", f"{year_:04d}", date(year_, 1, 1), date(year_, 12, 31), zone)


def week(iso_year: int, iso_week: int, zone: tzinfo) -> Period:
    first = date.fromisocalendar(iso_year, iso_week, 1)
    return Period("week", f"{iso_year:04d}-W{iso_week:02d}", first, first + timedelta(days=6), zone)


def date_range(first: date, last: date, zone: tzinfo) -> Period:
    if last < first:
        raise PeriodError(
            _("the period ends ({last}) before it starts ({first})").format(last=last.isoformat(), first=first.isoformat())
        )
    return Period("range", f"{first.isoformat()}..{last.isoformat()}", first, last, zone)


def _match(pattern: str, text: str, expected: str) -> re.Match:
    found = re.fullmatch(pattern, text.strip(), flags=re.IGNORECASE)
    if not found:
        raise PeriodError(expected.format(text=text))
    return found


def parse_month(text: str, zone: tzinfo) -> Period:
    expected = _("'{text}' is not a month (YYYY-MM, e.g. 2026-11)")
    m = _match(r"(\d{4})-(\d{1,2})", text, expected)
    if not 1 <= int(m[2]) <= 12:
        raise PeriodError(expected.format(text=text))
    return month(int(m[1]), int(m[2]), zone)


def parse_quarter(text: str, zone: tzinfo) -> Period:
    m = _match(r"(\d{4})-?Q([1-4])", text, _("'{text}' is not a quarter (YYYYQn, e.g. 2026Q4)"))
    return quarter(int(m[1]), int(m[2]), zone)


def parse_half(text: str, zone: tzinfo) -> Period:
    m = _match(r"(\d{4})-?H([12])", text, _("'{text}' is not a half-year (YYYYH1 or YYYYH2, e.g. 2026H2)"))
    return half(int(m[1]), int(m[2]), zone)


def parse_year(text: str, zone: tzinfo) -> Period:
    m = _match(r"(\d{4})", text, _("'{text}' is not a year (YYYY, e.g. 2026)"))
    return year(int(m[1]), zone)


def parse_week(text: str, zone: tzinfo) -> Period:
    m = _match(r"(\d{4})-?W(\d{1,2})", text, _("'{text}' is not an ISO week (YYYY-Www, e.g. 2026-W47)"))
    try:
        return week(int(m[1]), int(m[2]), zone)
    except ValueError:
        raise PeriodError(_("'{text}': {year} has no such week").format(text=text, year=m[1])) from None


# --- local time in SQL ------------------------------------------------------------------


def offset_segments(start: datetime, end: datetime, zone: tzinfo) -> list[tuple[datetime, int]]:
    """[(from_instant, utc_offset_seconds), …] covering [start, end): where the zone's offset
    changes (daylight saving), a new segment begins. Lets SQL turn a stored UTC instant into
    a local day with plain arithmetic. Found by hourly steps, refined to the second."""

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())

    segments = [(start, offset(start))]
    last = end - timedelta(microseconds=1)
    prev = start
    while prev < last:
        at = min(prev + timedelta(hours=1), last)
        if offset(at) != segments[-1][1]:
            low, high = prev, at  # offset(low) is the current one, offset(high) is not
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                low, high = (mid, high) if offset(mid) == segments[-1][1] else (low, mid)
            high = high.replace(microsecond=0) if offset(high.replace(microsecond=0)) != segments[-1][1] else high
            segments.append((high, offset(high)))
        prev = at
    return segments


ROLLUP_OFFSET_S = 7 * 3600
"""The UTC offset whose calendar days the daily airtime rollup (as_run_daily) is kept in:
Vietnam's (+07:00, no daylight saving), the zone of every station and hub."""

ROLLUP_KEYS = frozenset({"station", "commune", "day", "topic", "language"})
"""The `--by` keys the rollup holds; grouping by slot, item or source reads the rows."""


def rollup_serves(period: Period, by: Iterable[str]) -> bool:
    """Whether the airtime report of *period* grouped *by* can be summed from the daily rollup
    and give the same figures as the rows: only its keys, and a zone whose days are the
    rollup's (the offset ROLLUP_OFFSET_S all through the period)."""
    if not set(by) <= ROLLUP_KEYS:
        return False
    segments = offset_segments(period.start, period.end, period.zone)
    return len(segments) == 1 and segments[0][1] == ROLLUP_OFFSET_S


# --- tallies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts per status and seconds played per status, for one group or the total."""

    counts: tuple[tuple[str, int], ...] = ()
    seconds_by_status: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, counts: dict[str, int], seconds: dict[str, float]) -> Tally:
        return cls(
            tuple((s, int(counts.get(s, 0))) for s in STATUSES),
            tuple((s, float(seconds.get(s, 0.0))) for s in STATUSES),
        )

    def count(self, status: str) -> int:
        return dict(self.counts).get(status, 0)

    def seconds_of(self, status: str) -> float:
        return dict(self.seconds_by_status).get(status, 0.0)

    @property
    def airings(self) -> int:
        return sum(self.count(s) for s in AIRED)

    @property
    def rows(self) -> int:
        return sum(self.count(s) for s in STATUSES)

    @property
    def seconds(self) -> float:
        """Seconds actually played, whatever the row's final status."""
        return sum(self.seconds_of(s) for s in STATUSES)

    def __add__(self, other: Tally) -> Tally:
        return Tally.of(
            {s: self.count(s) + other.count(s) for s in STATUSES},
            {s: self.seconds_of(s) + other.seconds_of(s) for s in STATUSES},
        )


EMPTY = Tally.of({}, {})


@dataclass(frozen=True)
class Group:
    """One line of a report: its key values (in the order of ``by``), tally and share."""

    key: tuple
    tally: Tally
    share: float = 0.0


@dataclass(frozen=True)
class AsRunFact:
    """What a report needs of one as-run row (for the reference aggregation)."""

    moment: datetime  # started_at, else scheduled_at (UTC)
    status: str
    seconds: float
    topic: str
    language: str
    source: str | None
    slot: str | None
    item_id: int | None
    title: str
    relay_source: str | None = None  # a relay segment: the code of the source relayed
    station: str | None = None  # at a hub: the station that aired it
    commune: str | None = None  # at a hub: the commune that station serves (hub station --commune)

    def key(self, by: Sequence[str], zone: tzinfo, relay_names: dict[str, str] | None = None) -> tuple:
        values = {
            "topic": (self.topic,),
            "day": (local_day(self.moment, zone),),
            "slot": (self.slot,),
            "item": (self.item_id, self.title),
            "language": (self.language,),
            "source": self.source_key(relay_names or {}),
            "station": (self.station,),
            "commune": (self.commune,),
        }
        return tuple(v for b in by for v in values[b])

    def source_key(self, relay_names: dict[str, str]) -> tuple[str | None, str | None]:
        """(name, relay code) where the airtime came from.

        A relay segment comes from the source it relayed: its code, and its name as last
        aired in the period (*relay_names*, so a source renamed mid-period stays one line).
        Anything else was played from the station's own library, attributed to the item's
        source as aired (None when the item names none); its relay code is None.
        """
        if self.relay_source is not None:
            return (relay_names.get(self.relay_source, self.title), self.relay_source)
        return (self.source, None)


def relay_names(facts: Iterable[AsRunFact]) -> dict[str, str]:
    """Each relayed source's name as last aired among *facts* (latest moment, then the
    greatest name when two segments share a moment: the SQL's MAX(moment || name))."""
    latest: dict[str, tuple[datetime, str]] = {}
    for f in facts:
        if f.relay_source is not None:
            at = (f.moment.astimezone(timezone.utc).replace(tzinfo=None), f.title)
            latest[f.relay_source] = max(latest.get(f.relay_source, at), at)
    return {code: name for code, (_, name) in latest.items()}


def check_by(by: Sequence[str]) -> tuple[str, ...]:
    """The grouping asked for, duplicates dropped; the default is by topic."""
    unknown = [b for b in by if b not in GROUP_KEYS]
    if unknown:
        raise ValueError(f"unknown grouping: {', '.join(unknown)}")
    return tuple(dict.fromkeys(by)) or ("topic",)


def with_shares(groups: Iterable[Group]) -> list[Group]:
    """Each group's share of the seconds played in all of them (0 when nothing played)."""
    groups = list(groups)
    total = sum(g.tally.seconds for g in groups)
    return [Group(g.key, g.tally, g.tally.seconds / total if total > 0 else 0.0) for g in groups]


def total(groups: Iterable[Group]) -> Tally:
    result = EMPTY
    for g in groups:
        result = result + g.tally
    return result


def sort_groups(groups: Iterable[Group], by: Sequence[str]) -> list[Group]:
    """Days, slots and items in time/name order; topics, languages, sources by airtime."""
    groups = list(groups)
    if by and by[0] in ("day", "slot"):
        return sorted(groups, key=lambda g: tuple("" if v is None else str(v) for v in g.key))
    return sorted(groups, key=lambda g: (-g.tally.seconds, tuple("" if v is None else str(v) for v in g.key)))


def aggregate(facts: Iterable[AsRunFact], by: Sequence[str], period: Period) -> list[Group]:
    """The reference aggregation: group the rows in *period*, tally them, add shares."""
    inside = [f for f in facts if period.contains(f.moment)]
    names = relay_names(inside)
    counts: dict[tuple, dict[str, int]] = {}
    seconds: dict[tuple, dict[str, float]] = {}
    for fact in inside:
        key = fact.key(by, period.zone, names)
        c = counts.setdefault(key, {})
        s = seconds.setdefault(key, {})
        c[fact.status] = c.get(fact.status, 0) + 1
        s[fact.status] = s.get(fact.status, 0.0) + fact.seconds
    groups = [Group(key, Tally.of(counts[key], seconds[key])) for key in counts]
    return sort_groups(with_shares(groups), by)


def minutes(seconds: float) -> float:
    return round(seconds / 60.0, 1)
