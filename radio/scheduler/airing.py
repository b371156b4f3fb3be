"""A show on its way to air: the rundown built for it, its state, and what became of each entry.

An airing moves through explicit states (`AiringState`), only along the moves written in
`MOVES`; anything else is a bug and raises. What became of each entry (started, ended, never
aired) is recorded here by the on-air loop itself, before its listeners hear of it: the loop's
decisions (`accounted`, `remaining_items`, `busy_until`) never depend on a listener having
written a row. A rejoin (after a restart or device trouble) or a resume (after an emergency)
is a *new* airing of the same show, on the same timeline (`continue_airing`); the one it
continues is then over.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from radio.domain.library import Item, why_not_airable
from radio.domain.playout import Entry, EntryKind, Outcome, on_air_s, timeline
from radio.domain.relay import Source
from radio.domain.schedule import Occurrence
from radio.errors import RadioError
from radio.scheduler import rundown as rundowns
from radio.scheduler.planner import Show

log = logging.getLogger("radio.daemon")
FILLER_PLAYLIST = "filler"  # playlists/filler.toml|txt: the station's fallback for relays without their own


def _now() -> datetime:
    return datetime.now(timezone.utc)


class AiringState(enum.StrEnum):
    READY = "ready"  # built, its playback not started
    ON_AIR = "on-air"  # its playback runs
    CUT = "cut"  # stopped (or stopping at the end of its item) on purpose: another show takes the air
    SUSPENDED = "suspended"  # interrupted by an emergency; a new airing resumes it afterwards
    WAITING = "waiting"  # off air: its sound device is being reopened, then it is rejoined
    OVER = "over"  # its playback ended (what it never reached is logged), or a new airing continues it


MOVES: dict[AiringState, frozenset[AiringState]] = {
    AiringState.READY: frozenset({AiringState.ON_AIR, AiringState.OVER}),
    AiringState.ON_AIR: frozenset({AiringState.CUT, AiringState.SUSPENDED, AiringState.WAITING, AiringState.OVER}),
    AiringState.CUT: frozenset({AiringState.OVER}),
    AiringState.SUSPENDED: frozenset({AiringState.OVER}),
    AiringState.WAITING: frozenset({AiringState.CUT, AiringState.SUSPENDED, AiringState.OVER}),
    AiringState.OVER: frozenset(),
}


@dataclass(eq=False)
class Airing:
    """A show being aired: its rundown, its state, and what became of each entry."""

    show: Show
    rundown: list[Entry]
    items: dict[int, Item]  # rundown index -> library item (jingles have none)
    planned: dict[int, datetime]  # rundown index -> planned start on the occurrence's timeline
    relays: dict[int, Source] = field(default_factory=dict)  # rundown index -> the source it relays
    fallbacks: dict[int, Item] = field(default_factory=dict)  # rundown index -> fallback item
    problems: tuple[str, ...] = ()  # parts of the show that cannot air, with why
    continued: bool = False  # a rejoin or resume: relay rows are not at their planned instant
    attempt: int = 0  # reopenings of the sound device for this show so far
    timeline_start: datetime | None = None  # when rundown[0] (from its offset) sounds on the show's timeline
    aired_before: frozenset[int] = frozenset()  # entries with an as-run row from the airing this one continues
    live: object | None = None  # a live segment (scheduler/live.py: its speaker): not a show of the schedule
    state: AiringState = AiringState.READY
    reason: str | None = None  # why it was cut, suspended or is waiting
    playback: object | None = None  # Playback or EnginePlayback: interrupt, stop_after_current, wait
    error: str | None = None  # why the output failed
    timeline_fixed: bool = field(default=False, init=False)  # timeline_start comes from a sample that sounded
    dead_air: str | None = field(default=None, init=False)  # why the relay last gave way to its fallback
    # what became of the entries, written only by the methods below (the loop calls them)
    _started: dict[int, datetime] = field(default_factory=dict, init=False, repr=False)  # index -> last start
    _restarted: set[int] = field(default_factory=set, init=False, repr=False)  # started more than once
    _ended: set[int] = field(default_factory=set, init=False, repr=False)  # last sample sounded since its start
    _not_aired: set[int] = field(default_factory=set, init=False, repr=False)  # logged never aired

    # ---- state
    def move(self, to: AiringState, reason: str | None = None) -> None:
        if to not in MOVES[self.state]:
            raise ValueError(f"an airing cannot move from {self.state} to {to}")
        self.state = to
        if reason is not None:
            self.reason = reason

    def go_on_air(self, at: datetime) -> None:
        """Its playback starts, its first sample at *at* unless a sample already fixed its timeline."""
        self.move(AiringState.ON_AIR)
        if not self.timeline_fixed:
            self.timeline_start = at

    def cut(self, reason: str) -> None:
        """Another show takes the air from it (now, or at the end of its item); cut again, only why changes."""
        if self.state is AiringState.CUT:
            self.reason = reason
        else:
            self.move(AiringState.CUT, reason)

    def suspend(self, reason: str) -> bool:
        """An emergency or live takes the air: True if it is to resume afterwards; False if it
        was cut by another show already (it just ends; only why changes)."""
        if self.state is AiringState.CUT:
            self.reason = reason
            return False
        self.move(AiringState.SUSPENDED, reason)
        return True

    def failed(self, err: BaseException) -> None:
        """Its output failed (would not start, or the device could not be opened at all)."""
        self.error = str(err) or type(err).__name__

    def timeline_from(self, start: datetime) -> None:
        """Its timeline starts at *start*: the first row of an earlier life of the daemon, or
        now for an alarm that never sounded."""
        self.timeline_start = start

    @property
    def cut_reason(self) -> str | None:
        """Why it stopped early on purpose (cut or suspended), None otherwise."""
        return self.reason if self.state in (AiringState.CUT, AiringState.SUSPENDED) else None

    # ---- what became of the entries (the loop records it here, then tells its listeners)
    def started(self, index: int, at: datetime) -> None:
        """Entry *index*'s first sample sounded at *at* (a relay or fallback may start again
        after dead air). The first entry that sounds fixes the show's timeline; a fallback
        airs inside the relay's time and fixes nothing."""
        if index in self._started:
            self._restarted.add(index)
        self._started[index] = at
        self._ended.discard(index)
        if index not in self.fallbacks and not self.timeline_fixed:
            self.timeline_fixed = True
            self.timeline_start = at - timedelta(seconds=sum(self.durations()[:index]))

    def first_sounding(self, index: int) -> bool:
        """Whether entry *index* sounds for the first time in this show (not again after dead
        air, not in a rejoin or resume): then its row is at its planned instant."""
        return index not in self._restarted and not self.continued

    def ended(self, index: int, outcome: Outcome, reason: str | None = None) -> None:
        """Entry *index*'s last sample sounded. A relay that ended otherwise than completed
        gave way to its fallback: *reason* is why the fallback airs."""
        self._ended.add(index)
        if index in self.relays and index in self._started and outcome is not Outcome.COMPLETED:
            self.dead_air = reason

    def not_aired(self, indexes) -> None:
        """Entries that will never air in this airing (skipped, missed, failed)."""
        self._not_aired.update(indexes)

    def accounted(self) -> set[int]:
        """Entries whose fate is known (a jingle's is not logged): started, logged never aired,
        or aired by the airing this one continues."""
        started = {i for i in list(self._started) if self.rundown[i].kind is not EntryKind.JINGLE}
        return started | self._not_aired | set(self.aired_before)

    def unaccounted(self, before: int | None = None) -> list[int]:
        """Items not yet started nor logged, in order (with *before*: only those ahead of that entry)."""
        accounted = self.accounted()
        return [i for i in sorted(self.items) if i not in accounted and (before is None or i < before)]

    def remaining_items(self) -> list[Item]:
        """Items not yet started, in order."""
        return [self.items[i] for i in self.unaccounted()]

    def busy_until(self) -> datetime | None:
        """When the entry on air now should end (`domain.playout.on_air_s`; a fallback airs
        inside the relay's time)."""
        started = [i for i in list(self._started) if self.rundown[i].kind is not EntryKind.JINGLE]
        playing = [i for i in started if i not in self._ended]
        if not playing:
            return None
        index = playing[-1]
        at = self._started[index]
        entry = self.rundown[next(iter(self.relays))] if index in self.fallbacks else self.rundown[index]
        return at + timedelta(seconds=on_air_s(entry, at.timestamp()))

    def durations(self) -> list[float]:
        """How long each entry lasts on the show's timeline (see `domain.playout.on_air_s`)."""
        return timeline(self.rundown, (self.timeline_start or self.planned.get(0) or _now()).timestamp())

    def relay_left(self, at: datetime) -> bool:
        """Whether the show's relay still has time after *at*."""
        return any(self.rundown[i].until - at.timestamp() > 1.0 for i in self.relays)

    @property
    def occurrence(self) -> Occurrence:
        return self.show.occurrence


def build_airing(app, show: Show, items: list[Item], offset_s: float = 0.0, opening: bool = True) -> Airing:
    """The airing of *items* for *show* (see `rundown.build`), with the planned instant of
    every entry on the occurrence's timeline."""
    made, planned = _rundown(app, show, items, offset_s, opening)
    return Airing(show, made.entries, made.items, planned, relays=made.relays, fallbacks=made.fallbacks,
                  problems=made.problems)  # fmt: skip


def continue_airing(app, old: Airing, items: list[Item], *, offset_s: float = 0.0, tail_from: int | None = None,
                    timeline_start: datetime | None = None, attempt: int = 0, first_aired: bool = False) -> Airing:  # fmt: skip
    """A new airing that continues *old* (a rejoin or a resume): *items*, the first from
    *offset_s*, without the opening jingle, its relay rows at the instants they sound.

    With *tail_from* (the entry of *old* it begins with) its rows keep *old*'s planned
    instants: the new rundown is *old*'s tail from there, entry for entry (the rest of the
    items, the relay, the closing jingle, the fallbacks). *first_aired*: that first item has
    its row already (it was cut, or aired before a restart)."""
    made, planned = _rundown(app, old.show, items, offset_s, opening=False)
    first_new = next((i for i, e in enumerate(made.entries) if e.kind is EntryKind.ITEM), None)
    if tail_from is not None and first_new is not None:
        planned = {j: old.planned.get(tail_from + j - first_new, t) for j, t in planned.items()}
    return Airing(old.show, made.entries, made.items, planned, relays=made.relays, fallbacks=made.fallbacks,
                  problems=made.problems, continued=True, attempt=attempt, timeline_start=timeline_start,
                  aired_before=frozenset({first_new} if first_aired and first_new is not None else ()))  # fmt: skip


def _rundown(app, show: Show, items: list[Item], offset_s: float, opening: bool):
    """The rundown (`rundown.build`: a relay session's source after the items, if they leave
    it time) and each entry's planned instant on the occurrence's timeline."""
    occ = show.occurrence
    source = _relayed(app, occ)
    relay = (source, occ.start, occ.start + timedelta(seconds=occ.max_s)) if source is not None else None
    made = rundowns.build(app, items, offset_s=offset_s, opening=occ.jingles and opening, closing=occ.jingles,
                          relay=relay, fallbacks=lambda: fallback_items(app, occ))  # fmt: skip
    planned: dict[int, datetime] = {}
    cursor = occ.start
    for index, length in enumerate(timeline(made.entries, occ.start.timestamp())):
        planned[index] = cursor  # fallback entries air inside the relay's time: planned at its end
        cursor += timedelta(seconds=length)
    return made, planned


def _relayed(app, occ: Occurrence) -> Source | None:
    """The source a relay session relays (None: not a relay session, or its source is gone)."""
    if not occ.relay or occ.max_s is None:
        return None
    source = app.sources.find(occ.relay)
    if source is None:
        log.error("the slot %s relays the source %s, which does not exist", occ.slot_name, occ.relay)
    return source


def fallback_items(app, occ: Occurrence) -> list[Item]:
    """What a relay airs on dead air: the slot's fallback items, else the station's filler
    playlist (playlists/filler.toml or .txt); only items that may air that day."""
    ids = list(occ.fallback)
    if not ids:
        from radio.library.playlists import load_playlist

        try:
            ids = list(load_playlist(app.settings.playlists_dir, FILLER_PLAYLIST).item_ids)
        except RadioError:
            ids = []
    items = []
    for item_id in ids:
        try:
            item = app.library.get(item_id)
        except RadioError:
            log.warning("fallback item #%s does not exist", item_id)
            continue
        reason = why_not_airable(item, occ.day)
        if reason:
            log.warning("fallback item %s (#%s) may not air: %s", item.title, item.id, reason)
            continue
        items.append(item)
    if not items:
        log.warning("the relay of %s has no fallback to air on dead air", occ.slot_name)
    return items
