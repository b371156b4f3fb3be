"""A show on its way to air: the rundown built for it, and what became of each entry."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from radio.audio.station import jingle_path
from radio.domain.library import Item, why_not_airable
from radio.domain.playout import Entry, EntryKind, build_rundown, item_entry
from radio.domain.relay import RelayRules, Source
from radio.domain.schedule import Occurrence
from radio.errors import RadioError
from radio.scheduler.planner import Show

log = logging.getLogger("radio.daemon")
FILLER_PLAYLIST = "filler"  # playlists/filler.toml|txt: the station's fallback for relays without their own


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Airing:
    """A show being aired: its rundown, and what became of each entry."""

    show: Show
    rundown: list[Entry]
    items: dict[int, Item]  # rundown index -> library item (jingles have none)
    planned: dict[int, datetime]  # rundown index -> planned start
    playback: object | None = None  # Playback or EnginePlayback: interrupt, stop_after_current, wait
    rows: dict[int, int] = field(default_factory=dict)  # rundown index -> as-run row id
    ended: set[int] = field(default_factory=set)
    started_at: dict[int, datetime] = field(default_factory=dict)  # rundown index -> when it sounded
    cut_reason: str | None = None  # why it was stopped early on purpose
    error: str | None = None  # why the output failed
    timeline_start: datetime | None = None  # when rundown[0] (from its offset) sounds on the show's timeline
    attempt: int = 0  # reopenings of the sound device for this show so far
    waiting: bool = False  # off air, waiting to reopen the device
    timeline_fixed: bool = False  # timeline_start comes from a sample that sounded, not a plan
    logged: set[int] = field(default_factory=set)  # entries with an as-run row from an earlier attempt
    relays: dict[int, Source] = field(default_factory=dict)  # rundown index -> the source it relays
    fallbacks: dict[int, Item] = field(default_factory=dict)  # rundown index -> fallback item
    dead_air: str | None = None  # why the relay last gave way to its fallback
    continued: bool = False  # a rejoin or resume of the show: relay rows are not at their planned instant

    def accounted(self) -> set[int]:
        """Entries that have an as-run row, in this attempt or an earlier one."""
        return set(self.rows) | self.logged

    def durations(self) -> list[float]:
        """How long each entry lasts on air (from its offset); a relay lasts until its end
        instant, fallback entries take no time of their own (they air inside the relay's)."""
        out: list[float] = []
        cursor = (self.timeline_start or self.planned.get(0) or _now()).timestamp()
        for e in self.rundown:
            if e.kind is EntryKind.FALLBACK:
                length = 0.0
            elif e.kind is EntryKind.RELAY:
                length = max(0.0, (e.until or cursor) - cursor)
            else:
                length = max(0.0, (e.duration_s or 0) - e.offset_s)
            out.append(length)
            cursor += length
        return out

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
    """The rundown of *items* for *show*: loudness gains, the station's jingles (the opening
    one left out when resuming or rejoining), the first item from *offset_s*, a relay
    session's source after the items (until the session's end) with its fallback entries,
    and the planned instant of every entry on the occurrence's timeline."""
    settings = app.settings
    occ = show.occurrence

    def entry(item: Item, offset: float = 0.0) -> Entry:
        return item_entry(item, str(app.media.path(item.media_path)), settings.audio.loudness_target_lufs,
                          settings.audio.true_peak_max_dbtp, offset)  # fmt: skip

    entries = [entry(item, offset_s if n == 0 else 0.0) for n, item in enumerate(items)]
    source = _relayed(app, occ)
    if source is not None:
        start = occ.start + timedelta(seconds=sum(e.duration_s - e.offset_s for e in entries))
        until = occ.start + timedelta(seconds=occ.max_s)
        if (until - start).total_seconds() >= 1.0:  # else the items fill the session
            entries.append(Entry(EntryKind.RELAY, source.name, source.url, duration_s=(until - start).total_seconds(),
                                 until=until.timestamp(), relay=RelayRules.of(source)))  # fmt: skip
    open_path = jingle_path(settings, settings.playout.jingle_open) if occ.jingles and opening else None
    close_path = jingle_path(settings, settings.playout.jingle_close) if occ.jingles else None
    rundown = build_rundown(entries, open_path, close_path)
    relays = {i: source for i, e in enumerate(rundown) if e.kind is EntryKind.RELAY}
    fallbacks = {}
    if relays:
        for item in fallback_items(app, occ):
            fallbacks[len(rundown)] = item
            rundown.append(replace(entry(item), kind=EntryKind.FALLBACK))
    by_item = iter(items)
    mapping = {i: next(by_item) for i, e in enumerate(rundown) if e.kind is EntryKind.ITEM}
    planned: dict[int, datetime] = {}
    cursor = occ.start
    for index, e in enumerate(rundown):  # fallback entries air inside the relay's time: planned at its end
        planned[index] = cursor
        cursor += timedelta(seconds=(e.duration_s or 0) - e.offset_s if e.kind is not EntryKind.FALLBACK else 0)
    return Airing(show, rundown, mapping, planned, relays=relays, fallbacks=fallbacks)


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
        from radio.export.playlists import load_playlist

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
