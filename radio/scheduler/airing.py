"""A show on its way to air: the rundown built for it, and what became of each entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from radio.audio.station import jingle_path
from radio.domain.library import Item
from radio.domain.playout import Entry, EntryKind, build_rundown, item_entry
from radio.domain.schedule import Occurrence
from radio.scheduler.planner import Show


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

    def accounted(self) -> set[int]:
        """Entries that have an as-run row, in this attempt or an earlier one."""
        return set(self.rows) | self.logged

    def durations(self) -> list[float]:
        """How long each entry lasts on air (from its offset)."""
        return [max(0.0, (e.duration_s or 0) - e.offset_s) for e in self.rundown]

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
        return self.started_at.get(index, _now()) + timedelta(seconds=(entry.duration_s or 0) - entry.offset_s)


def build_airing(app, show: Show, items: list[Item], offset_s: float = 0.0, opening: bool = True) -> Airing:
    """The rundown of *items* for *show*: loudness gains, the station's jingles (the opening
    one left out when resuming or rejoining), the first item from *offset_s*, and the
    planned instant of every entry on the occurrence's timeline."""
    settings = app.settings
    entries = [
        item_entry(item, str(app.media.path(item.media_path)), settings.audio.loudness_target_lufs,
                   settings.audio.true_peak_max_dbtp, offset_s if n == 0 else 0.0)
        for n, item in enumerate(items)
    ]  # fmt: skip
    jingles = show.occurrence.jingles
    open_path = jingle_path(settings, settings.playout.jingle_open) if jingles and opening else None
    close_path = jingle_path(settings, settings.playout.jingle_close) if jingles else None
    rundown = build_rundown(entries, open_path, close_path)
    by_item = iter(items)
    mapping = {i: next(by_item) for i, e in enumerate(rundown) if e.kind is EntryKind.ITEM}
    planned: dict[int, datetime] = {}
    cursor = show.occurrence.start
    for index, entry in enumerate(rundown):
        planned[index] = cursor
        cursor += timedelta(seconds=(entry.duration_s or 0) - entry.offset_s)
    return Airing(show, rundown, mapping, planned)
