"""The relay feed in the player, against real sources broken on purpose: Debian's icecast2 fed
by ffmpeg (killed and restarted), a source of silence, a refused connection, garbage, a
stalled server. The output is the steady clock output (real time), recorded buffer by
buffer with the wall-clock instant of each, so what aired is checked against the events.
The daemon's side (as-run rows, the sound card's monitor) is tests/test_relay_daemon.py."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from radio.audio.clock_output import ClockOutput
from radio.audio.events import Ended, Started
from radio.audio.player import Player
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.domain.relay import RelayRules, Resume
from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import GarbageServer, HlsSource, StallServer, ToneSource, needs_icecast, refused_url, tone_spans

pytestmark = [pytest.mark.slow, needs_icecast, pytest.mark.xdist_group("realtime")]  # relay timing: never beside another
RATE = 48000


class RecordingClock(ClockOutput):
    """The steady clock output, keeping every buffer it hands out with its instant."""

    def __init__(self) -> None:
        super().__init__(rate=RATE, channels=1, block_frames=960, latency_s=0.0)
        self.buffers: list[tuple[float, np.ndarray]] = []

    def run(self, source) -> None:
        fill = source.fill

        def recording(buf, when):
            used = fill(buf, when)
            self.buffers.append((when, buf[:, 0].copy()))
            return used

        source.fill = recording
        super().run(source)

    def spans(self, frequency: float) -> list[tuple[float, float]]:
        """Wall-clock spans where *frequency* aired."""
        audio = np.concatenate([b for _w, b in self.buffers])
        t0 = self.buffers[0][0]
        return [(t0 + a, t0 + b) for a, b in tone_spans(audio, RATE, frequency, min_level_dbfs=-30.0)]


@pytest.fixture(scope="module")
def fallback_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("relay") / "fallback-880.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=880:duration=2:sample_rate=48000",
                    "-af", "volume=-6dB", str(path)], check=True)  # fmt: skip
    return path


def air(url: str, fallback: Path, start_in: float, length: float, rules: RelayRules, during=None):
    """Air a relay of *url* from *start_in* s from now for *length* s; (output, events, start)."""
    start = time.time() + start_in
    rundown = [Entry(EntryKind.RELAY, "VOV1", url, duration_s=length, until=start + length, relay=rules),
               Entry(EntryKind.FALLBACK, "Bản tin dự phòng", str(fallback), duration_s=2.0)]  # fmt: skip
    output = RecordingClock()
    events: list = []
    playback = Player(lambda: output, fade_s=0.3).start(rundown, at=start, on_event=events.append)
    if during is not None:
        during(start)
    result = playback.wait(length + start_in + 30)
    assert result is not None
    return output, events, start


def rules(**kw) -> RelayRules:
    base = dict(no_data_s=3.0, silence_s=20.0, silence_dbfs=-50.0, buffer_s=2.0, resume=Resume.ITEM_END, retry_s=2.0)
    return RelayRules(**{**base, **kw})


def segments(events, index: int) -> list[tuple[Started, Ended]]:
    starts = [e for e in events if isinstance(e, Started) and e.index == index]
    ends = [e for e in events if isinstance(e, Ended) and e.index == index]
    return list(zip(starts, ends))


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def test_kill_falls_back_within_the_limit_and_the_source_takes_back_the_air_at_once(icecast, fallback_wav):  # noqa: F811
    with ToneSource(icecast, "/vov1", 440.0) as source:
        moments = {}

        def during(start: float) -> None:
            sleep_until(start + 5.0)
            source.kill()
            moments["kill"] = time.time()
            sleep_until(start + 11.0)
            source.restart()
            moments["restart"] = time.time()

        out, events, start = air(source.listen_url, fallback_wav, 7.0, 22.0, rules(resume=Resume.NOW), during)
    relay, fallback = out.spans(440.0), out.spans(880.0)
    # the relay's first second is there at the hard start (connected and buffered ahead)
    assert abs(relay[0][0] - start) < 0.15, (relay, start)
    # killed: the buffer plays out, then the fallback within no_data_s (+1)
    assert fallback[0][0] - moments["kill"] < 3.0 + 1.0, (fallback, moments)
    # back: at once (resume now), with the fallback faded out, before the end
    back = [s for s in relay if s[0] > moments["restart"]]
    assert back and back[0][0] - moments["restart"] < 2.0 + 2.0 + 3.0, (relay, moments)
    # on time at the end: nothing of the relay after its end instant
    assert relay[-1][1] <= start + 22.0 + 0.1 and relay[-1][1] > start + 22.0 - 1.0, relay
    # events match what aired
    segs = segments(events, 0)
    assert [e.status for _s, e in segs] == [Outcome.INTERRUPTED, Outcome.COMPLETED]
    assert "no audio" in segs[0][1].reason
    assert abs(segs[0][0].at.timestamp() - relay[0][0]) < 0.15
    assert abs(segs[1][0].at.timestamp() - back[0][0]) < 0.15
    fb = segments(events, 1)
    assert fb and abs(fb[0][0].at.timestamp() - fallback[0][0]) < 0.15
    assert fb[-1][1].status is Outcome.INTERRUPTED and "back" in fb[-1][1].reason
    assert abs(segs[1][1].at.timestamp() - (start + 22.0)) < 0.05


def test_a_source_of_silence_gives_way_after_the_silence_limit(icecast, fallback_wav):  # noqa: F811
    with ToneSource(icecast, "/quiet", silence=True) as source:
        out, events, start = air(source.listen_url, fallback_wav, 5.0, 10.0, rules(silence_s=3.0))
    fallback = out.spans(880.0)
    assert fallback and fallback[0][0] - start < 3.0 + 1.0, (fallback, start)
    (seg,) = segments(events, 0)
    assert seg[1].status is Outcome.INTERRUPTED and "silence" in seg[1].reason


@pytest.mark.parametrize("kind", ["refused", "garbage", "silent-accept"])
def test_a_source_that_never_gives_audio_means_the_whole_session_on_fallback(kind, fallback_wav):
    server = {"refused": None, "garbage": GarbageServer, "silent-accept": lambda: StallServer(mode="silent-accept")}[kind]
    if server is None:
        out, events, start = air(refused_url(), fallback_wav, 5.0, 6.0, rules())
    else:
        with server() as srv:
            out, events, start = air(srv.url, fallback_wav, 5.0, 6.0, rules())
    fallback = out.spans(880.0)
    assert not out.spans(440.0)
    assert fallback and abs(fallback[0][0] - start) < 0.15, (fallback, start)  # from the hard start
    assert fallback[-1][1] > start + 6.0 - 0.5
    (seg,) = segments(events, 0)
    assert seg[1].status is Outcome.FAILED and seg[1].played_s == 0.0
    assert "no audio" in seg[1].reason
    if kind == "refused":
        assert "refused" in seg[1].reason.lower()


def test_a_server_that_stalls_without_closing_gives_way(fallback_wav):
    with StallServer(after_bytes=32000) as srv:  # 4 s of a 64 kbit/s tone, then nothing, the connection open
        srv.start()
        out, events, start = air(srv.url, fallback_wav, 1.0, 12.0, rules())
    relay, fallback = out.spans(440.0), out.spans(880.0)
    assert relay and fallback
    assert 0.0 < fallback[0][0] - relay[0][1] < 3.0 + 1.0, (relay, fallback)
    seg = segments(events, 0)[0]
    assert seg[1].status is Outcome.INTERRUPTED and "no audio" in seg[1].reason


def test_a_live_hls_stream_is_relayed_and_its_dead_encoder_gives_way(fallback_wav):
    with HlsSource(frequency=440.0, seconds=None, segment_s=1) as hls:  # ffmpeg -re adding segments
        moments = {}

        def during(start: float) -> None:
            sleep_until(start + 4.0)
            hls.kill()  # the playlist goes stale: the player reads its last segments, then nothing
            moments["kill"] = time.time()

        out, events, start = air(hls.url, fallback_wav, 6.0, 14.0, rules(), during)
    relay, fallback = out.spans(440.0), out.spans(880.0)
    assert relay and abs(relay[0][0] - start) < 0.15, (relay, start)
    assert fallback and fallback[0][0] > relay[0][1] - 0.2
    assert fallback[0][0] - moments["kill"] < 3.0 + 2.0 + 2.0, (fallback, moments)  # + the segments still listed
    (seg,) = segments(events, 0)[:1]
    assert seg[1].status is Outcome.INTERRUPTED and "no audio" in seg[1].reason


def test_a_receiver_on_the_line_input_is_relayed_and_its_silence_gives_way(live_server, fallback_wav, monkeypatch):
    """A capture device (`pulse:SOURCE`, as `alsa:hw:1` for a receiver wired into the line
    input): here the monitor of a second null sink of the test sound server, fed a tone by
    ffmpeg. The receiver losing its signal sends silence, not an end: the silence limit."""
    env = live_server.env
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    loaded = subprocess.run(["pactl", "load-module", "module-null-sink", "sink_name=receiver", "rate=48000"],
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    player = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                               "-af", "volume=12dB", "-f", "pulse", "-device", "receiver", "receiver"])  # fmt: skip
    moments = {}
    try:
        def during(start: float) -> None:
            sleep_until(start + 4.0)
            player.kill()  # the receiver loses its signal
            moments["lost"] = time.time()

        out, events, start = air("pulse:receiver.monitor", fallback_wav, 5.0, 10.0, rules(silence_s=2.0), during)
    finally:
        player.kill()
        player.wait()
        subprocess.run(["pactl", "unload-module", loaded], check=False)
    relay, fallback = out.spans(440.0), out.spans(880.0)
    assert relay and abs(relay[0][0] - start) < 0.15, (relay, start)
    assert fallback and 0 < fallback[0][0] - moments["lost"] < 2.0 + 2.0 + 1.0, (fallback, moments)
    (seg,) = segments(events, 0)[:1]
    assert seg[1].status is Outcome.INTERRUPTED and "silence" in seg[1].reason


def test_a_network_hiccup_shorter_than_the_buffer_never_reaches_the_air(icecast, fallback_wav):  # noqa: F811
    """The source's encoder frozen 1.5 s (SIGSTOP: nothing reaches the listener, the
    connection stays open), then resumed: it catches up (-re), the buffer (2 s) bridges it."""
    import signal

    with ToneSource(icecast, "/vov1", 440.0) as source:

        def during(start: float) -> None:
            sleep_until(start + 4.0)
            source.proc.send_signal(signal.SIGSTOP)
            time.sleep(1.5)
            source.proc.send_signal(signal.SIGCONT)

        out, events, start = air(source.listen_url, fallback_wav, 6.0, 12.0, rules(), during)
    relay = out.spans(440.0)
    assert len(relay) == 1 and relay[0][0] - start < 0.15 and relay[0][1] > start + 12.0 - 0.6, relay
    assert not out.spans(880.0)
    audio = np.concatenate([b for _w, b in out.buffers])
    from tests.relaytools import silent_spans

    t0 = out.buffers[0][0]
    gaps = [(a, b) for a, b in silent_spans(audio, RATE, min_s=0.02) if start + 0.5 < t0 + a < start + 11.0]
    assert not gaps, gaps
    (seg,) = segments(events, 0)
    assert seg[1].status is Outcome.COMPLETED
