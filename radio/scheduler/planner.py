"""From the database to shows: which occurrences come, and what each one airs.

Everything here is derived from the database at the moment it is asked; nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from radio.domain.library import Item, Priority, why_not_airable
from radio.domain.schedule import Occurrence, StartRule, occurrences_between, overrun_s, rundown_order
from radio.i18n import _


@dataclass(frozen=True)
class Show:
    """An occurrence and its items in air order; the items that may not air, with why."""

    occurrence: Occurrence
    items: list[Item] = field(default_factory=list)
    skipped: list[tuple[Item, str]] = field(default_factory=list)
    emergency: bool = False


def one_off(at: datetime, emergency: bool, zone) -> Occurrence:
    return Occurrence(
        start=at,
        slot_id=None,
        slot_name=None,
        max_s=None,
        start_rule=StartRule(),
        jingles=not emergency,
        day=at.astimezone(zone).date(),
    )


def occurrences(app, start: datetime, end: datetime) -> list[Occurrence]:
    """Slot occurrences and one-off broadcasts starting in [start, end), in time order."""
    zone = app.settings.zone
    found = occurrences_between(app.schedule.slots(), start, end, zone)
    entries = app.schedule.one_offs_between(start, end)
    for at, group in groupby(entries, key=lambda e: e.at):
        group = list(group)
        emergency = all(e.priority is Priority.EMERGENCY for e in group)
        found.append(one_off(at, emergency, zone))
    return sorted(found, key=lambda o: (o.start, o.slot_id or 0))


def show_for(app, occurrence: Occurrence) -> Show:
    """The items of *occurrence* in air order, each checked against the approval gate and the cap."""
    if occurrence.slot_id is not None:
        entries = app.schedule.entries_for(occurrence.slot_id, occurrence.day)
    else:
        entries = [e for e in app.schedule.one_offs_between(occurrence.start, occurrence.start + timedelta(microseconds=1))]
    items = app.library.get_many([e.item_id for e in entries]) if entries else []
    priorities = [e.priority or item.priority for e, item in zip(entries, items)]
    ordered = [items[i] for i in rundown_order(priorities)]
    airable: list[Item] = []
    skipped: list[tuple[Item, str]] = []
    used = 0.0
    for item in ordered:
        reason = why_not_airable(item, occurrence.day)
        if reason is None and overrun_s([used, item.duration_s], occurrence.max_s) > 0:
            reason = _("does not fit in the slot's {minutes}-minute cap").format(
                minutes=int((occurrence.max_s or 0) // 60)
            )
        if reason:
            skipped.append((item, reason))
        else:
            airable.append(item)
            used += item.duration_s
    emergency = bool(entries) and all(p is Priority.EMERGENCY for p in priorities) and occurrence.slot_id is None
    return Show(occurrence, airable, skipped, emergency)
