"""The as-run log as a listener of the on-air loop: a row when an item's, a relay segment's
or a live segment's first sample sounds, its completion when its last one has, and a row for
each thing that never aired, with its reason. Every write goes through `app.as_run` — in the
daemon the full-disk guard (`safeguards.GuardedAsRun`), one path for every kind of row.

The writer keeps the id of each row it has open; what became of each entry (and so what the
loop decides) is the airing's own record, written by the loop before the listeners hear."""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from radio.audio.events import Ended, Started
from radio.domain.asrun import AsRunStatus, item_record, live_record, relay_record
from radio.domain.playout import Outcome
from radio.i18n import N_
from radio.scheduler.listener import PlayoutListener
from radio.text import format_duration

log = logging.getLogger("radio.daemon")
ENDED = {Outcome.COMPLETED: N_("finished: %s, %s"), Outcome.INTERRUPTED: N_("interrupted: %s after %s"),
         Outcome.FAILED: N_("failed: %s after %s")}  # fmt: skip
ENDED_BECAUSE = {Outcome.COMPLETED: N_("finished: %s, %s (%s)"), Outcome.INTERRUPTED: N_("interrupted: %s after %s (%s)"),
                 Outcome.FAILED: N_("failed: %s after %s (%s)")}  # fmt: skip
STATUS = {Outcome.COMPLETED: AsRunStatus.COMPLETED, Outcome.INTERRUPTED: AsRunStatus.INTERRUPTED,
          Outcome.FAILED: AsRunStatus.FAILED}  # fmt: skip


class AsRunWriter(PlayoutListener):
    def __init__(self, app) -> None:
        self.app = app
        self.rows: WeakKeyDictionary = WeakKeyDictionary()  # airing -> {rundown index: its last row's id}

    def _where(self, occ) -> dict:
        return {"occurrence_start": occ.start, "slot_id": occ.slot_id, "slot_name": occ.slot_name}

    def _item_where(self, airing) -> dict:
        return {**self._where(airing.occurrence), "emergency": airing.show.emergency}

    def entry_started(self, airing, event: Started) -> None:
        index, occ = event.index, airing.occurrence
        source, fallback, item = airing.relays.get(index), airing.fallbacks.get(index), airing.items.get(index)
        if source is not None:
            first = airing.first_sounding(index)
            record = relay_record(source, status=AsRunStatus.PLAYING, scheduled_at=airing.planned[index] if first
                                  else event.at, started_at=event.at, **self._where(occ))  # fmt: skip
            said = (N_("relaying %s (%s)"), source.name, source.code)
        elif fallback is not None:
            record = item_record(fallback, status=AsRunStatus.PLAYING, scheduled_at=event.at, started_at=event.at,
                                 reason=airing.dead_air, **self._where(occ))  # fmt: skip
            said = (N_("on air instead of the relay: %s (#%s): %s"), fallback.title, fallback.id, airing.dead_air)
        elif item is not None:
            record = item_record(item, status=AsRunStatus.PLAYING, scheduled_at=airing.planned[index],
                                 started_at=event.at, **self._item_where(airing))  # fmt: skip
            said = (N_("on air: %s (#%s)"), item.title, item.id)
        elif airing.live is not None:  # who, from where, the topic (`live_record`)
            record, said = live_record(airing.live.speaker, event.at, event.entry.title), None
        else:
            return  # a jingle: no row
        row_id = self.app.as_run.append(record).id  # the row first: a log line never tells of a row not written
        self.rows.setdefault(airing, {})[index] = row_id
        if said:
            log.info(*said)

    def entry_ended(self, airing, event: Ended) -> None:
        index = event.index
        row_id = self.rows.get(airing, {}).get(index)
        if row_id is None:
            return
        reason = event.reason
        if index in airing.fallbacks:
            reason = event.reason or airing.dead_air  # why a fallback aired at all
        self.app.as_run.finish(row_id, STATUS[event.status], event.at, event.played_s, reason)
        if event.reason:
            log.info(ENDED_BECAUSE[event.status], event.entry.title, format_duration(event.played_s), event.reason)
        else:
            log.info(ENDED[event.status], event.entry.title, format_duration(event.played_s))

    def entries_not_aired(self, airing, indexes, status, reason) -> None:
        """Rows at their planned instants, for entries that never started."""
        for index in indexes:
            item = airing.items[index]
            self.app.as_run.append(item_record(item, status=status, scheduled_at=airing.planned[index], reason=reason,
                                               **self._item_where(airing)))  # fmt: skip
            log.warning("%s %s (#%s): %s", status, item.title, item.id, reason)

    def show_not_aired(self, occurrence, items, status, reason) -> None:
        for item in items:
            self.app.as_run.append(item_record(item, status=status, scheduled_at=occurrence.start, reason=reason,
                                               **self._where(occurrence)))  # fmt: skip
            log.warning("%s %s (#%s) at %s: %s", status, item.title, item.id, occurrence.start.isoformat(), reason)
