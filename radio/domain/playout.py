"""The rules of playout, free of I/O: rundowns, sample arithmetic, start placement, outcomes.

A rundown is what the player airs: library items (each with its loudness gain) optionally
opened and closed by the station jingle. Times on air are counted in frames (one sample
per channel) so that joins are exact; seconds are only for people and logs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import NewType

from radio.domain.library import Item, loudness_gain
from radio.domain.relay import RelayRules
from radio.domain.units import Db, Dbtp, ItemId, Lufs, Seconds
from radio.errors import RadioError
from radio.i18n import _

Frames = NewType("Frames", int)


class EntryKind(enum.StrEnum):
    ITEM = "item"
    JINGLE = "jingle"
    RELAY = "relay"  # a live source (path: its address) until the instant `until`
    FALLBACK = "fallback"  # aired only by the relay before it, while the source is dead air
    LIVE = "live"  # a live voice (path: the capture input) until stopped, or the instant `until`


class Outcome(enum.StrEnum):
    """How one entry of a rundown ended on air (the as-run log's status)."""

    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    FAILED = "failed"


@dataclass(frozen=True)
class Entry:
    """One thing to air: a file, the gain bringing it to the station target, where to begin."""

    kind: EntryKind
    title: str
    path: str
    gain_db: Db = Db(0.0)
    offset_s: Seconds = Seconds(0.0)
    item_id: ItemId | None = None
    duration_s: Seconds | None = None
    until: float | None = None  # RELAY: the wall instant (epoch s) it hands over to what follows
    relay: RelayRules | None = None  # RELAY, LIVE: when the source counts as dead air, and what then
    record: str | None = None  # LIVE: the WAV file where what airs is also written (the recording)
    latency_s: float | None = None  # LIVE: the output buffer it wants (a voice heard in the room wants it short)


def item_entry(item: Item, path: str, target: Lufs, peak_max: Dbtp, offset_s: float = 0.0) -> Entry:
    return Entry(
        kind=EntryKind.ITEM,
        title=item.title,
        path=path,
        gain_db=loudness_gain(item.loudness_lufs, item.true_peak_dbtp, target, peak_max),
        offset_s=Seconds(max(0.0, offset_s)),
        item_id=item.id,
        duration_s=item.duration_s,
    )


def build_rundown(
    items: Sequence[Entry], jingle_open: str | None = None, jingle_close: str | None = None
) -> list[Entry]:
    """Items in order, framed by the jingles when the station has them.

    A rundown rejoined in the middle (its first item starting at an offset) does not
    replay the opening jingle: the session is already open.
    """
    rundown: list[Entry] = []
    rejoining = bool(items) and items[0].offset_s > 0
    if jingle_open and not rejoining:
        rundown.append(Entry(EntryKind.JINGLE, _("opening jingle"), jingle_open))
    rundown.extend(items)
    if jingle_close:
        rundown.append(Entry(EntryKind.JINGLE, _("closing jingle"), jingle_close))
    return rundown


def on_air_s(entry: Entry, at: float) -> float:
    """How long *entry* takes on the show's timeline when it starts at *at* (epoch seconds):
    a file from its offset to its end, a relay until its end instant, a fallback nothing of
    its own (it airs inside the relay's time). The one rule of entry lengths."""
    if entry.kind is EntryKind.FALLBACK:
        return 0.0
    if entry.kind in (EntryKind.RELAY, EntryKind.LIVE):
        return max(0.0, (entry.until if entry.until is not None else at) - at)
    return max(0.0, (entry.duration_s or 0.0) - entry.offset_s)


def timeline(entries: Sequence[Entry], start: float) -> list[float]:
    """The length of each entry on a timeline starting at *start* (epoch seconds)."""
    out: list[float] = []
    cursor = start
    for entry in entries:
        length = on_air_s(entry, cursor)
        out.append(length)
        cursor += length
    return out


def to_frames(seconds: float, rate: int) -> Frames:
    """The nearest whole frame; the one conversion used everywhere, so sums stay exact."""
    return Frames(round(seconds * rate))


def to_seconds(frames: int, rate: int) -> Seconds:
    return Seconds(frames / rate)


def start_offset_in_buffer(target: float, buffer_time: float, rate: int, buffer_frames: int) -> Frames | None:
    """Where in an output buffer the first sample goes so that it sounds at *target*.

    *buffer_time* is when the buffer's first frame reaches the converter, on the same
    clock as *target*. None: the instant falls in a later buffer. A target already past
    gives 0 (start as soon as possible; the lateness is reported by the caller).
    """
    offset = to_frames(target - buffer_time, rate)
    if offset >= buffer_frames:
        return None
    return Frames(max(0, offset))


def fade_frames(fade_s: float, rate: int) -> Frames:
    return Frames(max(1, to_frames(fade_s, rate)))


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")


def parse_start(text: str, now: datetime, zone: tzinfo) -> datetime:
    """`HH:MM[:SS[.ffffff]]` today in the station zone, or an ISO date-time (naive = station zone).

    Returns an aware datetime. Raises RadioError for text that is neither.
    """
    text = text.strip()
    if match := _CLOCK.match(text):
        hour, minute, second, fraction = match.groups()
        try:
            clock = time(int(hour), int(minute), int(second or 0), int((fraction or "0").ljust(6, "0")))
        except ValueError as err:
            raise RadioError(_("'{text}' is not a time of day: {reason}").format(text=text, reason=err)) from err
        today: date = now.astimezone(zone).date()
        return datetime.combine(today, clock, tzinfo=zone)
    try:
        when = datetime.fromisoformat(text)
    except ValueError as err:
        raise RadioError(
            _("'{text}' is not a start time (use HH:MM[:SS[.ffffff]] or an ISO date-time)").format(text=text)
        ) from err
    return when if when.tzinfo else when.replace(tzinfo=zone)


def lateness(target: datetime, actual: datetime) -> timedelta:
    return actual - target
