"""The pure playout rules: start placement, frames, rundowns, start-time parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radio.domain.playout import (
    Entry, EntryKind, build_rundown, parse_start, start_offset_in_buffer, timeline, to_frames,
)  # fmt: skip
from radio.errors import RadioError

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@given(st.floats(0, 10, allow_nan=False), st.integers(64, 4096))
def test_start_lands_on_the_frame_of_the_instant(delay, size):
    rate = 48000
    offset = start_offset_in_buffer(100.0 + delay, 100.0, rate, size)
    frames = round(delay * rate)
    assert offset == (frames if frames < size else None)


def test_a_past_instant_starts_at_once():
    assert start_offset_in_buffer(99.0, 100.0, 48000, 1024) == 0


def test_frames_are_whole_and_additive():
    assert to_frames(1.0, 48000) == 48000
    assert to_frames(0.5, 44100) == 22050


def test_rundown_framed_by_jingles_except_when_rejoining():
    a = Entry(EntryKind.ITEM, "a", "/a", duration_s=10)
    b = Entry(EntryKind.ITEM, "b", "/b", duration_s=5)
    full = build_rundown([a, b], "/open.wav", "/close.wav")
    assert [e.kind for e in full] == ["jingle", "item", "item", "jingle"]
    rejoin = Entry(EntryKind.ITEM, "a", "/a", offset_s=3, duration_s=10)
    assert [e.path for e in build_rundown([rejoin, b], "/open.wav", "/close.wav")] == ["/a", "/b", "/close.wav"]
    assert sum(timeline([rejoin, b], 0.0)) == 12  # a rejoined item from its offset


def test_parse_start():
    now = datetime(2025, 3, 1, 22, 30, tzinfo=timezone.utc)  # 05:30 on 2 March in Hanoi
    assert parse_start("06:00", now, HCM) == datetime(2025, 3, 2, 6, 0, tzinfo=HCM)
    assert parse_start("06:00:05.25", now, HCM) == datetime(2025, 3, 2, 6, 0, 5, 250000, tzinfo=HCM)
    assert parse_start("2025-03-02T06:00:00+07:00", now, HCM).utcoffset().total_seconds() == 7 * 3600
    assert parse_start("2025-03-02 06:00", now, HCM).tzinfo is HCM
    for bad in ("25:00", "tomorrow", "6h"):
        with pytest.raises(RadioError):
            parse_start(bad, now, HCM)
