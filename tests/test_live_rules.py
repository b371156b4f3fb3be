"""The pure rules of live on air (radio/domain/live.py): which inputs are valid, how ffmpeg
reads each with low latency, what a second speaker is told, the row of a segment."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from radio.domain.asrun import AsRunStatus, live_record
from radio.domain.live import Speaker, busy_message, check_input, ffmpeg_live_input, segment_title
from radio.errors import RadioError


@pytest.mark.parametrize("text", ["alsa:hw:1", "alsa:plughw:1,0", "pulse:alsa_input.usb-mic", " pulse:mic.monitor "])
def test_capture_inputs_as_relay_sources_spell_them(text):
    assert check_input(text) == text.strip()


@pytest.mark.parametrize("text", ["", "hw:1", "alsa:", "pulse: x", "http://vov.vn/live", "console", "file:/etc/passwd"])
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(RadioError) as err:
        check_input(text)
    assert "\n" not in str(err.value) and "alsa:DEVICE" in str(err.value)


def test_ffmpeg_reads_each_input_without_holding_it_back():
    pulse = ffmpeg_live_input("pulse:mic.monitor")
    assert pulse[pulse.index("-f") + 1] == "pulse" and pulse[-1] == "mic.monitor"
    assert int(pulse[pulse.index("-fragment_size") + 1]) == 960  # 10 ms of 16-bit mono at 48 kHz
    alsa = ffmpeg_live_input("alsa:hw:1")
    assert alsa[alsa.index("-f") + 1] == "alsa" and alsa[-1] == "hw:1"
    console = ffmpeg_live_input("console:/home/radio/live/console.pcm")
    assert console[-1] == "/home/radio/live/console.pcm"  # a named pipe, read as a file
    assert console[console.index("-f") + 1] == "s16le" and console[console.index("-ar") + 1] == "48000"
    assert console[console.index("-analyzeduration") + 1] == "0"  # no probing delay


def test_a_second_speaker_is_told_who_is_on_air_since_when_and_from_where():
    speaker = Speaker("Anh Ba", "console (192.168.1.20)", "console:/x")
    since = datetime(2026, 3, 1, 1, 5, tzinfo=timezone.utc)
    text = busy_message(speaker, since, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert "Anh Ba" in text and "08:05" in text and "console (192.168.1.20)" in text


def test_a_segment_row_says_who_where_when_and_the_topic():
    speaker = Speaker("Anh Ba", "alsa:hw:1", "alsa:hw:1", topic="thien-tai")
    at = datetime(2026, 3, 1, 1, 5, tzinfo=timezone.utc)
    row = live_record(speaker, at, segment_title(speaker))
    assert row.title == "Live: Anh Ba" and row.source == "alsa:hw:1" and row.topic == "thien-tai"
    assert row.status is AsRunStatus.PLAYING and row.started_at == at and row.item_id is None


def test_who_speaks_is_bounded_for_the_log_and_the_hub():
    """The segment's title ("Live: WHO, time") must fit the as-run log and the hub's column: a
    speaker typed without bound (`radio live start --by`) is refused in one line, not sent on
    to block the station's outbox."""
    from radio.domain.live import MAX_SPEAKER_LENGTH, check_speaker

    assert check_speaker(" Nguyễn Văn An ") == "Nguyễn Văn An" and check_speaker(None) == "?"
    assert check_speaker("a" * MAX_SPEAKER_LENGTH) == "a" * MAX_SPEAKER_LENGTH
    with pytest.raises(RadioError, match="at most 100"):
        check_speaker("a" * (MAX_SPEAKER_LENGTH + 1))
