"""The on-air loop's named events, and the listeners that hear them.

The loop decides; listeners record and show. The as-run writer is one listener
(`asrun_writer.py`), the station's problem list another (`problems.py`); a future one (the
network's outbox, a stream's title) subscribes the same way. Every method is a no-op here:
a listener overrides what it cares about. The entry events arrive on the player's event
thread, the moment the sample sounded; the others on the on-air thread.
"""

from __future__ import annotations

import logging

from radio.audio.events import Ended, Started
from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item
from radio.domain.schedule import Occurrence

log = logging.getLogger("radio.daemon")


class PlayoutListener:
    def entry_started(self, airing, event: Started) -> None:
        """The first sample of rundown entry ``event.index`` of *airing* sounded at ``event.at``."""

    def entry_ended(self, airing, event: Ended) -> None:
        """Its last sample sounded (completed, interrupted or failed)."""

    def entries_not_aired(self, airing, indexes: list[int], status: AsRunStatus, reason: str) -> None:
        """Entries of *airing* that will never air (skipped, missed, failed), with why."""

    def show_not_aired(self, occurrence: Occurrence, items: list[Item], status: AsRunStatus, reason: str) -> None:
        """Items of an occurrence that never got an airing (missed at start-up, skipped by a rule)."""

    def problem(self, text: str) -> None:
        """A part of the programme cannot air, or the station is in trouble: an operator must know."""

    def device_changed(self, health) -> None:
        """The sound device's state changed (`device.DeviceHealth`)."""


class Listeners(PlayoutListener):
    """Tells every listener, each in turn; one that fails is logged and the others still hear."""

    def __init__(self, *listeners: PlayoutListener) -> None:
        self.listeners = list(listeners)

    def add(self, listener: PlayoutListener) -> None:
        self.listeners.append(listener)

    def _tell(self, name: str, *args) -> None:
        for listener in self.listeners:
            try:
                getattr(listener, name)(*args)
            except Exception:
                log.exception("%s failed in %s", name, type(listener).__name__)

    def entry_started(self, airing, event):
        self._tell("entry_started", airing, event)

    def entry_ended(self, airing, event):
        self._tell("entry_ended", airing, event)

    def entries_not_aired(self, airing, indexes, status, reason):
        self._tell("entries_not_aired", airing, indexes, status, reason)

    def show_not_aired(self, occurrence, items, status, reason):
        self._tell("show_not_aired", occurrence, items, status, reason)

    def problem(self, text):
        self._tell("problem", text)

    def device_changed(self, health):
        self._tell("device_changed", health)
