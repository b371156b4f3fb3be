"""The as-run half of the on-air thread: the player's events written to the as-run log as
they happen (a row when an item's or a relay segment's first sample sounds, its completion
when its last one has), and the rows of what never aired (skipped, missed, unreached), each
with its reason."""

from __future__ import annotations

import logging
from radio.audio.events import Ended, Event, Started
from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item
from radio.domain.playout import Outcome
from radio.domain.schedule import Occurrence
from radio.i18n import _
from radio.scheduler.airing import Airing
from radio.scheduler.planner import Show

log = logging.getLogger("radio.daemon")
_STATUS = {Outcome.COMPLETED: AsRunStatus.COMPLETED, Outcome.INTERRUPTED: AsRunStatus.INTERRUPTED,
           Outcome.FAILED: AsRunStatus.FAILED}  # fmt: skip


class AsRunLogging:
    """Mixed into OnAir: needs ``self.app``, and ``self._sounding()`` (audio sounds again)."""

    def _on_event(self, airing: Airing, event: Event) -> None:
        """Runs on the player's event thread: write the as-run log as things happen."""
        index, occ = event.index, airing.occurrence
        if isinstance(event, Started):
            if index not in airing.fallbacks:  # (a fallback airs inside the relay's time)
                airing.sounded(index, event.at)
                for passed in sorted(airing.items):  # a late rejoin skipped over whole items
                    if passed < index and passed not in airing.accounted():
                        self._log_one(airing, passed, AsRunStatus.MISSED, _("its time passed before it could be joined"))
            self._sounding()
        if index in airing.relays or index in airing.fallbacks:
            self._on_relay_event(airing, event)
            return
        item = airing.items.get(index)
        if isinstance(event, Started):
            if item is None:
                return
            row = self.app.as_run.record(
                item, status=AsRunStatus.PLAYING, occurrence_start=occ.start, scheduled_at=airing.planned[index],
                slot_id=occ.slot_id, slot_name=occ.slot_name, started_at=event.at,
            )  # fmt: skip
            airing.rows[index] = row.id
            log.info("started %s (#%s) at %s", item.title, item.id, event.at.isoformat())
        elif isinstance(event, Ended):
            airing.ended.add(index)
            if item is None or index not in airing.rows:
                return
            self.app.as_run.finish(airing.rows[index], _STATUS[event.status], event.at, event.played_s, event.reason)
            log.info("%s %s (#%s) after %.3f s%s", event.status, item.title, item.id, event.played_s,
                     f": {event.reason}" if event.reason else "")  # fmt: skip

    def _on_relay_event(self, airing: Airing, event: Event) -> None:
        """A relay segment or a fallback item: one as-run row each time one starts."""
        occ, index = airing.occurrence, event.index
        source = airing.relays.get(index)
        if isinstance(event, Started):
            first = index not in airing.rows and not airing.continued
            when = airing.planned[index] if first else event.at
            airing.ended.discard(index)
            if source is not None:
                row = self.app.as_run.record_relay(source, status=AsRunStatus.PLAYING, occurrence_start=occ.start,
                                                   scheduled_at=when, slot_id=occ.slot_id, slot_name=occ.slot_name,
                                                   started_at=event.at)  # fmt: skip
                log.info("relaying %s (%s) at %s", source.name, source.code, event.at.isoformat())
            else:
                item = airing.fallbacks[index]
                row = self.app.as_run.record(item, status=AsRunStatus.PLAYING, occurrence_start=occ.start,
                                             scheduled_at=event.at, slot_id=occ.slot_id, slot_name=occ.slot_name,
                                             started_at=event.at, reason=airing.dead_air)  # fmt: skip
                log.info("fallback %s (#%s) at %s: %s", item.title, item.id, event.at.isoformat(), airing.dead_air)
            airing.rows[index] = row.id
        elif isinstance(event, Ended):
            airing.ended.add(index)
            if index not in airing.rows:
                return
            reason = event.reason
            if source is not None and event.status is not Outcome.COMPLETED:
                airing.dead_air = event.reason
            elif source is None:
                reason = event.reason or airing.dead_air  # why a fallback aired at all
            self.app.as_run.finish(airing.rows[index], _STATUS[event.status], event.at, event.played_s, reason)
            log.info("%s %s after %.3f s%s", event.status, event.entry.title, event.played_s,
                     f": {event.reason}" if event.reason else "")  # fmt: skip

    def _log_unreached(self, airing: Airing, status: AsRunStatus, reason: str) -> None:
        """Items of a stopped show that never started get a row saying why, at their planned time."""
        for index in sorted(airing.items):
            if index not in airing.accounted():
                self._log_one(airing, index, status, reason)
                item = airing.items[index]
                log.warning("%s %s (#%s): %s", status, item.title, item.id, reason)

    def _log_one(self, airing: Airing, index: int, status: AsRunStatus, reason: str) -> None:
        airing.logged.add(index)
        occ = airing.occurrence
        self.app.as_run.record(
            airing.items[index], status=status, occurrence_start=occ.start, scheduled_at=airing.planned[index],
            slot_id=occ.slot_id, slot_name=occ.slot_name, reason=reason,
        )  # fmt: skip

    def _log_skipped(self, skipped: list[tuple[Item, str]], occ: Occurrence) -> None:
        for item, reason in skipped:
            self.app.as_run.record(
                item, status=AsRunStatus.SKIPPED, occurrence_start=occ.start, scheduled_at=occ.start,
                slot_id=occ.slot_id, slot_name=occ.slot_name, reason=reason,
            )  # fmt: skip
            log.warning("skipped %s (#%s): %s", item.title, item.id, reason)

    def _log_missed(self, show: Show, reason: str) -> None:
        occ = show.occurrence
        for item in show.items:
            self.app.as_run.record(
                item, status=AsRunStatus.MISSED, occurrence_start=occ.start, scheduled_at=occ.start,
                slot_id=occ.slot_id, slot_name=occ.slot_name, reason=reason,
            )  # fmt: skip
        self._log_skipped(show.skipped, occ)
        if show.items:
            log.warning("missed %s at %s: %s", occ.slot_name or "one-off", occ.start.isoformat(), reason)
