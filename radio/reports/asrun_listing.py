"""The as-run log as `radio log` and the console's log page list it: one window of local
days, one line per row with the same cells, in the same words.

Both front ends call this, so the page and the terminal show the same rows with the same
times (to the millisecond: the as-run log is the station's legal record of what aired
when), the same item label for a relay segment, and the same status words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from radio.domain.asrun import AS_RUN_STATUS_LABELS, AsRunEntry
from radio.domain.library import Priority
from radio.errors import RadioError
from radio.i18n import N_, _
from radio.text import format_duration

HEADINGS = (N_("Date"), N_("Start"), N_("End"), N_("Slot"), N_("Item"), N_("Title"), N_("Played"), N_("Status"),
            N_("Reason"))  # fmt: skip


def relay_label(source: str) -> str:
    """What the Item column shows for a relay segment (no item: the source it relayed)."""
    return _("relay: {source}").format(source=source)


def headings() -> list[str]:
    return [_(h) for h in HEADINGS]


def _clock(moment: datetime | None, zone) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S.%f")[:-3] if moment else ""


def emergency_starts(app, start: datetime, end: datetime) -> frozenset[datetime]:
    """The instants of the emergency broadcasts among the one-off broadcasts that may have
    rows in [start, end): those whose queue entries are all emergencies (the planner's rule
    for an emergency show). An as-run row of such an occurrence is an emergency row."""
    by_at: dict[datetime, list[bool]] = {}
    for entry in app.schedule.one_offs_between(start - timedelta(days=1), end):
        by_at.setdefault(entry.at, []).append(entry.priority is Priority.EMERGENCY)
    return frozenset(at for at, flags in by_at.items() if all(flags))


def is_emergency(entry: AsRunEntry, emergencies: frozenset[datetime]) -> bool:
    """The row says so (since migration 0010); an older row is known by its queue entries."""
    return entry.emergency or (entry.slot_id is None and entry.occurrence_start in emergencies)


def log_cells(entry: AsRunEntry, zone, emergency: bool = False) -> list[str]:
    """One row of the as-run log as both front ends show it, in the order of HEADINGS; an
    emergency's Slot cell says so."""
    moment = (entry.started_at or entry.scheduled_at).astimezone(zone)
    item = relay_label(entry.relay_source) if entry.relay_source is not None else str(entry.item_id or "")
    slot = _("emergency broadcast") if emergency else entry.slot_name or ""
    return [moment.strftime("%d/%m/%Y"), _clock(moment, zone), _clock(entry.ended_at, zone), slot,
            item, entry.title, format_duration(entry.seconds_played), _(AS_RUN_STATUS_LABELS[entry.status]),
            entry.reason or ""]  # fmt: skip


def _iso(moment: datetime | None, zone) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="milliseconds") if moment else None


def as_run_json(entry: AsRunEntry, zone) -> dict:
    """One row for `radio log --json` (stable English keys, ISO times in the station zone)."""
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "title": entry.title,
        "topic": entry.topic,
        "language": entry.language,
        "source": entry.source,
        "relay_source": entry.relay_source,
        "emergency": entry.emergency,
        "approved_by": entry.approved_by,
        "slot": entry.slot_name,
        "occurrence_start": _iso(entry.occurrence_start, zone),
        "scheduled_at": _iso(entry.scheduled_at, zone),
        "started_at": _iso(entry.started_at, zone),
        "ended_at": _iso(entry.ended_at, zone),
        "seconds_played": entry.seconds_played,
        "status": str(entry.status),
        "reason": entry.reason,
        "station": entry.station,
    }


def day_window(first: date, last: date, zone, max_days: int | None = None) -> tuple[datetime, datetime]:
    """The instants [start, end) of the local days *first*..*last*."""
    if last < first:
        raise RadioError(_("the last day is before the first"))
    if max_days is not None and (last - first).days >= max_days:
        raise RadioError(_("choose at most a year"))
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class LogListing:
    rows: list[AsRunEntry]
    total: int  # rows in the window (with the filters), beyond this page too
    played: float  # seconds played by all of them
    emergencies: frozenset[datetime] = frozenset()  # see emergency_starts

    def lines(self, zone) -> list[tuple[AsRunEntry, list[str]]]:
        return [(r, log_cells(r, zone, is_emergency(r, self.emergencies))) for r in self.rows]

    def emergency(self, entry: AsRunEntry) -> bool:
        return is_emergency(entry, self.emergencies)


def as_run_log(app, first: date, last: date, topic: str | None = None, status: str | None = None,
               offset: int = 0, limit: int | None = None, max_days: int | None = None,
               station: str | None = None) -> LogListing:  # fmt: skip
    """The as-run rows of the local days *first*..*last* (optionally one topic or status; a
    page of *limit* rows from *offset*), in time order."""
    start, end = day_window(first, last, app.settings.zone, max_days)
    emergencies = emergency_starts(app, start, end)
    if limit is None and not topic and not status and not station:
        rows = app.as_run.between(start, end)
        return LogListing(rows, len(rows), sum(r.seconds_played for r in rows), emergencies)
    rows, total, played = app.as_run.page(start, end, topic or None, status or None, offset, limit or 1 << 31,
                                          station or None)  # fmt: skip
    return LogListing(rows, total, played, emergencies)
