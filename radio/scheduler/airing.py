"""A show on its way to air: the rundown built for it, its state, and what became of each entry.

An airing moves through explicit states (`AiringState`), only along the moves written in
`MOVES`; anything else is a bug and raises. A rejoin (after a restart or device trouble)
or a resume (after an emergency) is a *new* airing of the same show, on the same timeline;
the one it continues is then over.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from radio.domain.library import Item, why_not_airable
from radio.domain.playout import Entry, timeline
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
    state: AiringState = AiringState.READY
    reason: str | None = None  # why it was cut, suspended or is waiting
    playback: object | None = None  # Playback or EnginePlayback: interrupt, stop_after_current, wait
    error: str | None = None  # why the output failed
    timeline_start: datetime | None = None  # when rundown[0] (from its offset) sounds on the show's timeline
    timeline_fixed: bool = False  # timeline_start comes from a sample that sounded, not a plan
    dead_air: str | None = None  # why the relay last gave way to its fallback
    rows: dict[int, int] = field(default_factory=dict)  # rundown index -> as-run row id
    ended: set[int] = field(default_factory=set)
    started_at: dict[int, datetime] = field(default_factory=dict)  # rundown index -> when it sounded
    logged: set[int] = field(default_factory=set)  # entries with an as-run row from an earlier attempt
    live: object | None = None  # a live segment (scheduler/live.py: its speaker): not a show of the schedule

    # ---- state
    def move(self, to: AiringState, reason: str | None = None) -> None:
        if to not in MOVES[self.state]:
            raise ValueError(f"an airing cannot move from {self.state} to {to}")
        self.state = to
        if reason is not None:
            self.reason = reason

    @property
    def cut_reason(self) -> str | None:
        """Why it stopped early on purpose (cut or suspended), None otherwise."""
        return self.reason if self.state in (AiringState.CUT, AiringState.SUSPENDED) else None

    # ---- what became of the entries
    def accounted(self) -> set[int]:
        """Entries that have an as-run row, in this attempt or an earlier one."""
        return set(self.rows) | self.logged

    def row_written(self, index: int, row_id: int) -> None:
        self.rows[index] = row_id
        self.ended.discard(index)

    def entry_ended(self, index: int) -> None:
        self.ended.add(index)

    def durations(self) -> list[float]:
        """How long each entry lasts on the show's timeline (see `domain.playout.on_air_s`)."""
        return timeline(self.rundown, (self.timeline_start or self.planned.get(0) or _now()).timestamp())

    def relay_left(self, at: datetime) -> bool:
        """Whether the show's relay still has time after *at*."""
        return any(self.rundown[i].until - at.timestamp() > 1.0 for i in self.relays)

    def sounded(self, index: int, at: datetime) -> None:
        """Entry *index* started at *at*: that fixes the show's timeline, if not yet known."""
        self.started_at[index] = at
        if not self.timeline_fixed:
            self.timeline_fixed = True
            self.timeline_start = at - timedelta(seconds=sum(self.durations()[:index]))

    @property
    def occurrence(self) -> Occurrence:
        return self.show.occurrence

    def remaining_items(self) -> list[Item]:
        """Items not yet started, in order."""
        return [self.items[i] for i in sorted(self.items) if i not in self.accounted()]

    def busy_until(self) -> datetime | None:
        """When the item on air now should end."""
        playing = [i for i in self.rows if i not in self.ended]
        if not playing:
            return None
        index = playing[-1]
        entry = self.rundown[index]
        if index in self.relays or index in self.fallbacks:
            until = next(self.rundown[i].until for i in self.relays)
            return datetime.fromtimestamp(until, tz=timezone.utc)
        return self.started_at.get(index, _now()) + timedelta(seconds=(entry.duration_s or 0) - entry.offset_s)


def build_airing(app, show: Show, items: list[Item], offset_s: float = 0.0, opening: bool = True) -> Airing:
    """The airing of *items* for *show* (see `rundown.build`), with the planned instant of
    every entry on the occurrence's timeline."""
    occ = show.occurrence
    relay = None
    source = _relayed(app, occ)
    if source is not None:
        start = occ.start + timedelta(seconds=sum(max(0.0, i.duration_s - (offset_s if n == 0 else 0.0))
                                                  for n, i in enumerate(items)))  # fmt: skip
        until = occ.start + timedelta(seconds=occ.max_s)
        if (until - start).total_seconds() >= 1.0:  # else the items fill the session
            relay = (source, start, until)
    made = rundowns.build(app, items, offset_s=offset_s, opening=occ.jingles and opening, closing=occ.jingles,
                          relay=relay, fallbacks=fallback_items(app, occ) if relay else ())  # fmt: skip
    planned: dict[int, datetime] = {}
    cursor = occ.start
    for index, length in enumerate(timeline(made.entries, occ.start.timestamp())):
        planned[index] = cursor  # fallback entries air inside the relay's time: planned at its end
        cursor += timedelta(seconds=length)
    return Airing(show, made.entries, made.items, planned, relays=made.relays, fallbacks=made.fallbacks,
                  problems=made.problems)  # fmt: skip


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
