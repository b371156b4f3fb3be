"""SQL fragments shared by the report queries: the moment of a row, local days, parameters.

The as-run table keeps naive UTC datetimes as SQLAlchemy writes them
('YYYY-MM-DD HH:MM:SS.ffffff'), so instants are compared as strings in that exact form.
A row's moment is COALESCE(started_at, scheduled_at): when it aired, or when it was due
(skipped and missed rows never started). The expression is written exactly as in the
index of migration 0005, so SQLite can use that index.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from radio.domain.reports import Period, offset_segments

MOMENT = "COALESCE(started_at, scheduled_at)"


def stamp(moment: datetime) -> str:
    """An instant in the stored form: naive UTC, microseconds."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def stamped_title_sql(dialect: str = "sqlite") -> str:
    """'moment<US>title' with the moment at a fixed width, so the greatest is the latest."""
    if dialect == "postgresql":
        return f"to_char({MOMENT}, 'YYYY-MM-DD HH24:MI:SS.US') || chr(31) || title"
    return f"{MOMENT} || char(31) || title"


def _shifted_day(expr: str, offset: int, dialect: str) -> str:
    if dialect == "postgresql":  # a hub's database
        return f"to_char({expr} + interval '{offset:+d} seconds', 'YYYY-MM-DD')"
    return f"date({expr}, '{offset:+d} seconds')"


def local_day_sql(expr: str, period: Period, zone: tzinfo, dialect: str = "sqlite") -> str:
    """SQL giving the station's calendar day (YYYY-MM-DD) of the UTC instant *expr*.

    One offset per stretch of the period (several only where daylight saving changes it).
    Offsets are integers from the zone database, never user text, so inlining them is safe.
    """
    segments = offset_segments(period.start, period.end, zone)
    if len(segments) == 1:
        return _shifted_day(expr, segments[0][1], dialect)
    cases = " ".join(
        f"WHEN {expr} < '{stamp(segments[n + 1][0])}' THEN {_shifted_day(expr, offset, dialect)}"
        for n, (_, offset) in enumerate(segments[:-1])
    )
    return f"CASE {cases} ELSE {_shifted_day(expr, segments[-1][1], dialect)} END"
