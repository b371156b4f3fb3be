"""One contract, two outputs: the WAV file and the sound card (a real PulseAudio null sink,
recorded from its monitor). Content, order, level, joins, start instant, fade, skips."""

from __future__ import annotations

import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from radio.audio.player import Player, Started
from radio.audio.remote import EnginePlayer
from radio.audio.sd_output import SoundDeviceOutput
from radio.audio.wav_output import WavOutput
from radio.domain.playout import Entry, EntryKind, Outcome
from tests.soundserver import RATE, Monitor, locate, noise, onset, write_wav

pytestmark = pytest.mark.xdist_group("realtime")  # timing read off the sound server: never beside another


@dataclass
class Take:
    audio: np.ndarray
    wall: callable  # frame -> wall-clock time it sounded
    frame_at: callable  # wall-clock time -> frame


class WavRig:
    name = "wav"

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "out.wav"
        self.origin = None

    def player(self, fade_s: float = 0.5) -> Player:
        def factory():
            self.origin = time.time()
            return WavOutput(self.path, RATE, 1, origin=self.origin, realtime=True)

        return Player(factory, fade_s=fade_s)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def take(self) -> Take:
        with wave.open(str(self.path)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
        origin = self.origin
        return Take(pcm, lambda n: origin + n / RATE, lambda t: max(0, int((t - origin) * RATE)))


class CardRig:
    name = "soundcard"

    def __init__(self, server) -> None:
        self.monitor = Monitor(server)

    def player(self, fade_s: float = 0.5) -> Player:
        return Player(lambda: SoundDeviceOutput("pulse", RATE, 1), fade_s=fade_s)

    def __enter__(self):
        self.monitor.start()
        return self

    def __exit__(self, *exc):
        self.monitor.stop()

    def take(self) -> Take:
        time.sleep(0.2)
        return Take(self.monitor.audio(), self.monitor.wall_time, self.monitor.frame_at)


class EngineRig(CardRig):
    """The sound card through the engine process, as the daemon and `radio play` use it."""

    name = "engine"

    def player(self, fade_s: float = 0.5) -> EnginePlayer:
        return EnginePlayer({"device": "pulse", "rate": RATE, "channels": 1}, fade_s=fade_s)


@pytest.fixture(params=["wav", "soundcard", "engine"])
def rig(request, tmp_path):
    if request.param == "wav":
        r = WavRig(tmp_path)
    elif request.param == "engine":
        r = EngineRig(request.getfixturevalue("live_server"))
    else:
        r = CardRig(request.getfixturevalue("live_server"))
    with r:
        yield r


def entry(path: Path, gain_db: float = 0.0, title: str | None = None, offset_s: float = 0.0) -> Entry:
    return Entry(EntryKind.ITEM, title or path.stem, str(path), gain_db=gain_db, offset_s=offset_s)


@pytest.fixture
def items(tmp_path):
    lengths = [12000, 7001, 9000]
    signals = [noise(n, seed) for n, seed in zip(lengths, (11, 12, 13))]
    paths = [write_wav(tmp_path / f"n{i}.wav", s) for i, s in enumerate(signals)]
    return paths, signals


def test_joins_are_sample_exact_and_in_order(rig, items):
    paths, signals = items
    start = time.time() + 1.0
    result = rig.player().play([entry(p) for p in paths], at=start)
    take = rig.take()
    search = take.audio[take.frame_at(start - 0.5):]
    found = [locate(search, s) for s in signals]
    assert found[1] - found[0] == len(signals[0])
    assert found[2] - found[1] == len(signals[1])
    first = found[0]
    # content: the whole rundown equals the concatenation, sample for sample (16-bit)
    expected = np.concatenate(signals)
    got = search[first:first + len(expected)]
    assert np.max(np.abs(got - expected)) < 2e-3
    assert [e.status for e in result.ended] == [Outcome.COMPLETED] * 3
    started = [e for e in result.events if isinstance(e, Started)]
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(started, started[1:])]
    # the reported instants (for the as-run log) come from the output's clock as read in each
    # callback: they jitter by a fraction of a millisecond on a busy machine
    assert gaps == pytest.approx([len(signals[0]) / RATE, len(signals[1]) / RATE], abs=2e-3)


def test_hard_start_on_the_instant(rig, items):
    paths, signals = items
    start = time.time() + 1.2
    result = rig.player().play([entry(paths[0])], at=start)
    take = rig.take()
    first = onset(take.audio, 0.005, start=take.frame_at(start - 0.5))
    error_ms = (take.wall(first) - start) * 1000
    # a start on the instant, not a timer firing near it (the bench measures the ms figures:
    # timing targets do not belong in tests on a shared machine)
    assert abs(error_ms) < 20.0, error_ms
    reported = result.events[0].at.timestamp()
    assert abs(reported - start) < 0.005


def test_gain_sets_the_level(rig, tone):
    path = tone("t.wav", seconds=1.0, freq=1000, rate=RATE, volume_db=-6)
    start = time.time() + 0.8
    rig.player().play([entry(path, gain_db=-6.0)], at=start)
    take = rig.take()
    first = onset(take.audio, 0.01, start=take.frame_at(start - 0.4))
    body = take.audio[first + 4800: first + 4800 + 24000]
    rms_db = 20 * np.log10(np.sqrt(np.mean(body**2)))
    assert rms_db == pytest.approx(-6 - 6 - 3.01, abs=0.3)  # sine RMS is peak - 3 dB
    spectrum = np.abs(np.fft.rfft(body))
    assert np.argmax(spectrum) * RATE / len(body) == pytest.approx(1000, abs=5)


def test_interrupt_fades_out(rig, tone):
    path = tone("long.wav", seconds=5.0, freq=500, rate=RATE, volume_db=-6)
    player = rig.player(fade_s=0.5)
    start = time.time() + 0.5
    playback = player.start([entry(path)], at=start)
    time.sleep(0.5 + 0.6)
    playback.interrupt()
    result = playback.wait(5)
    (ended,) = result.ended
    assert ended.status is Outcome.INTERRUPTED
    assert 0.9 < ended.played_s < 2.0
    take = rig.take()
    first = onset(take.audio, 0.01, start=take.frame_at(start - 0.3))
    end = first + round(ended.played_s * RATE)
    env = lambda a, b: np.sqrt(np.mean(take.audio[a:b] ** 2))  # noqa: E731
    full = env(end - 48000, end - 24000 - 2400)
    assert env(end - 24000 + 1200, end - 24000 + 3600) > 0.8 * full  # fade just begun
    assert env(end - 6000, end - 2400) < 0.25 * full  # nearly faded out
    after = take.audio[end + 480:end + 24000]
    assert len(after) == 0 or np.sqrt(np.mean(after**2)) < 1e-3  # silence after (a file just ends)


def test_undecodable_item_is_skipped_without_dead_air(rig, items, tmp_path):
    paths, signals = items
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"this is not audio at all" * 100)
    start = time.time() + 1.0
    result = rig.player().play([entry(paths[0]), entry(bad), entry(paths[1])], at=start)
    statuses = [(e.entry.title, e.status) for e in result.ended]
    assert statuses == [("n0", Outcome.COMPLETED), ("bad", Outcome.FAILED), ("n1", Outcome.COMPLETED)]
    assert "decode" in result.ended[1].reason
    take = rig.take()
    search = take.audio[take.frame_at(start - 0.5):]
    assert locate(search, signals[1]) - locate(search, signals[0]) == len(signals[0])


def test_start_at_an_offset(rig, tmp_path):
    signal = noise(48000, 21)
    path = write_wav(tmp_path / "rejoin.wav", signal)
    start = time.time() + 0.8
    result = rig.player().play([entry(path, offset_s=0.5)], at=start)
    take = rig.take()
    search = take.audio[take.frame_at(start - 0.4):]
    where = locate(search, signal[24000:])
    assert np.max(np.abs(search[where:where + 24000] - signal[24000:])) < 2e-3
    assert result.ended[0].played_s == pytest.approx(0.5, abs=1e-4)
