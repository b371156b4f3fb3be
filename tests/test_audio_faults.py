"""Faults on the real sound server: device missing, server killed mid-play and restored."""

from __future__ import annotations

import threading
import time

import pytest

from radio.audio.devices import output_devices
from radio.audio.output import DeviceError
from radio.audio.player import Player
from radio.audio.sd_output import SoundDeviceOutput
from radio.domain.playout import Entry, EntryKind, Outcome
from tests.soundserver import RATE, Monitor, noise, onset, write_wav

pytestmark = pytest.mark.xdist_group("realtime")  # timing read off the sound server: never beside another


def _player() -> Player:
    return Player(lambda: SoundDeviceOutput("pulse", RATE, 1))


def test_missing_device_names_the_available_ones(live_server, tmp_path):
    path = write_wav(tmp_path / "a.wav", noise(4800, 1))
    player = Player(lambda: SoundDeviceOutput("no-such-card", RATE, 1))
    with pytest.raises(DeviceError) as err:
        player.play([Entry(EntryKind.ITEM, "a", str(path))])
    assert "no-such-card" in str(err.value) and "pulse" in str(err.value)


def test_server_killed_mid_play_then_restored(live_server, tmp_path):
    long = write_wav(tmp_path / "long.wav", noise(RATE * 6, 2))
    short = write_wav(tmp_path / "short.wav", noise(RATE // 2, 3))
    player = _player()
    killer = threading.Timer(1.5, live_server.kill)
    killer.start()
    started, started_wall = time.monotonic(), time.time()
    result = player.play([Entry(EntryKind.ITEM, "long", str(long)), Entry(EntryKind.ITEM, "next", str(short))])
    assert time.monotonic() - started < 5.0  # stopped, did not hang
    assert result.device_lost
    assert "lost" in result.stopped
    (ended,) = result.ended
    # cut by the trouble: interrupted, with no more seconds than could have sounded before the kill
    assert ended.entry.title == "long" and ended.status is Outcome.INTERRUPTED
    assert ended.reason == result.stopped
    (began,) = [e for e in result.events if not hasattr(e, "status")]
    assert 0.0 <= ended.played_s <= 1.5 - (began.at.timestamp() - started_wall) + 0.05

    # No sound server: the device is gone from the list, and play says so.
    with pytest.raises(DeviceError):
        player.play([Entry(EntryKind.ITEM, "next", str(short))])

    live_server.start()
    assert any(d.name == "pulse" for d in output_devices())
    with Monitor(live_server) as monitor:
        start = time.time() + 0.8
        again = player.play([Entry(EntryKind.ITEM, "next", str(short))], at=start)
        time.sleep(0.2)
        audio = monitor.audio()
        first = onset(audio, 0.005, start=monitor.frame_at(start - 0.4))
        assert first is not None
        assert abs(monitor.wall_time(first) - start) < 0.02  # on the instant (ms figures: the bench)
    assert [e.status for e in again.ended] == [Outcome.COMPLETED]


def test_an_engine_whose_parent_is_gone_exits_even_on_a_frozen_sound_server(live_server, tmp_path):
    """The daemon killed while the sound server is frozen: its engine, stuck closing a stream
    inside PortAudio, used to live on as an orphan (seen for hours after such tests). Its
    input closing ends it within the grace, whatever the output does."""
    import json
    import os
    import subprocess
    import sys

    from radio.audio.engine import EXIT_GRACE_S
    from radio.audio.protocol import entry_to_json

    path = write_wav(tmp_path / "long.wav", noise(RATE * 30, 5))
    request = {"rundown": [entry_to_json(Entry(EntryKind.ITEM, "long", str(path)))], "at": None, "tee": None,
               "output": {"device": "pulse", "rate": RATE, "channels": 1}, "fade_s": 0.5, "ahead_s": 1.0}  # fmt: skip
    engine = subprocess.Popen([sys.executable, "-m", "radio.audio.engine"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **live_server.env})  # fmt: skip
    try:
        engine.stdin.write((json.dumps(request) + "\n").encode())
        engine.stdin.flush()
        assert json.loads(engine.stdout.readline())["event"] == "started"
        live_server.freeze()
        time.sleep(1.0)
        engine.stdin.close()  # the parent is gone
        try:
            engine.wait(timeout=EXIT_GRACE_S + 10)
        except subprocess.TimeoutExpired:
            pytest.fail("the engine outlived its parent on a frozen sound server")
    finally:
        live_server.thaw()
        if engine.poll() is None:
            engine.kill()
