"""Rejoining a show on its timeline (after a restart, or when the sound device is back).

A show's timeline is fixed by its first sample. A moment from now, `plan_rejoin` (pure,
domain/schedule.py) gives the entry that should be on air and how far into it; this module
turns that into the airing that continues the show: the original's tail from that entry,
the first item from its offset, its as-run rows at the original planned instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from radio.domain.schedule import plan_rejoin
from radio.scheduler.airing import Airing, continue_airing

REJOIN_LEAD_S = 0.7  # a rejoin (restart, device back) is placed this far ahead, on the show's timeline


@dataclass(frozen=True)
class Continuation:
    missed: list[int]  # entries of the old airing whose whole time passed unaired
    airing: Airing | None  # what airs next (None: the show is over)
    at: datetime | None = None  # its first sample's instant
    join_late: bool = False  # skip what should have sounded if the output starts late


def aired_rows(airing: Airing, rows) -> set[int]:
    """The rundown positions of *airing* that have a row among *rows* (matched in order)."""
    ids = [r.item_id for r in rows]
    aired = set()
    for index in sorted(airing.items):
        if airing.items[index].id in ids:
            ids.remove(airing.items[index].id)
            aired.add(index)
    return aired


def aired_before_crash(airing: Airing, rows, crashed: set[int], now: datetime) -> set[int] | None:
    """The entries of *airing* (a show on air when the daemon stopped) that aired before, by
    its as-run *rows*; its timeline is placed where its first row began. None: nothing of it
    is left to air (every item has its final row, none cut by the crash — *crashed* holds the
    ids of the rows it closed — and no relay time is left)."""
    aired = aired_rows(airing, rows)
    cut_by_crash = any(r.id in crashed for r in rows)
    if all(index in aired for index in airing.items) and not cut_by_crash and not airing.relay_left(now):
        return None
    aired |= set(range(min(airing.items, default=0)))  # an opening jingle that aired
    airing.timeline_from(min((r.started_at for r in rows if r.started_at), default=airing.occurrence.start))
    return aired


def continuation(app, airing: Airing, aired: set[int], now: datetime, attempt: int = 0) -> Continuation:
    """The rest of *airing* from where its timeline is a moment from now."""
    at = now + timedelta(seconds=REJOIN_LEAD_S)
    plan = plan_rejoin(airing.durations(), airing.timeline_start or now, at, aired)
    missed = [i for i in plan.missed if i in airing.items]
    rest = [i for i in sorted(airing.items) if plan.index is not None and i >= plan.index]
    if not rest and airing.relay_left(at):  # the relay joins live, for the time left
        return Continuation(missed, continue_airing(app, airing, [], timeline_start=at, attempt=attempt), at)
    if not rest:
        return Continuation(missed, None)
    first = rest[0]
    into = plan.offset_s if plan.index == first else 0.0
    offset = airing.rundown[first].offset_s + into
    start = airing.timeline_start + timedelta(seconds=sum(airing.durations()[:first]) + into)
    # as-run rows keep the planned instants of the original timeline, from *first* on; the
    # item joined may have its row already (cut, or aired before a restart)
    rejoined = continue_airing(app, airing, [airing.items[i] for i in rest], offset_s=offset, tail_from=first,
                               timeline_start=start, attempt=attempt, first_aired=first in aired)  # fmt: skip
    return Continuation(missed, rejoined, max(start, at), join_late=True)
