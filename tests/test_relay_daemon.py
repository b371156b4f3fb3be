"""A relay session aired by a real daemon on the test sound server, its monitor recorded:
Debian's icecast2 fed by an ffmpeg tone (440 Hz) is relayed on time; the source is killed
mid-relay and the slot's fallback item (880 Hz) is heard within the no-data limit (+1 s);
the source restarted, the relay comes back; the as-run rows say what the recording shows."""

from __future__ import annotations

import signal
import time
from datetime import datetime

import numpy as np
import pytest

from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import ToneSource, needs_icecast, silent_spans, tone_spans
from tests.soundserver import RATE, Monitor, write_wav
from tests.test_daemon import Station

pytestmark = [pytest.mark.slow, needs_icecast]
NO_DATA_S = 3.0


@pytest.fixture
def station(radio, radio_bin, tmp_path, live_server):
    s = Station(radio, radio_bin, tmp_path)
    yield s
    if s.proc is not None and s.proc.poll() is None:
        s.stop(signal.SIGKILL)


def tone(frequency: float, seconds: float, level: float = 0.4) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (level * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def spans(monitor: Monitor, frequency: float) -> list[tuple[float, float]]:
    """Wall-clock spans of the recording where *frequency* dominates."""
    found = tone_spans(monitor.audio(), RATE, frequency, min_level_dbfs=-40.0, min_s=0.3)
    return [(monitor.wall_time(a * RATE), monitor.wall_time(b * RATE)) for a, b in found]


def at(row: dict, key: str) -> float:
    return datetime.fromisoformat(row[key]).timestamp()


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def test_the_daemon_relays_falls_back_on_dead_air_and_comes_back(station, live_server, icecast):  # noqa: F811
    fallback = station.radio.add(write_wav(station.tmp / "du-phong.wav", tone(880.0, 2.0)), topic="thong-tin")["id"]
    with ToneSource(icecast, "/vov1", 440.0) as source:
        added = station.radio("source", "add", "vov1", source.listen_url, "--name", "VOV1 – Đài Tiếng nói Việt Nam",
                              "--no-data", str(NO_DATA_S), "--buffer", "2")  # fmt: skip
        assert added.exit_code == 0, added.output
        start = station.slot_in(12, "Tiếp sóng VOV", max_minutes="1", relay="vov1", fallback=str(fallback)).timestamp()
        with Monitor(live_server) as monitor:
            station.start()
            sleep_until(start + 8.0)
            source.kill()
            killed = time.time()
            sleep_until(start + 15.0)
            source.restart()
            restarted = time.time()
            sleep_until(start + 26.0)
            assert station.stop() == 0
            stopped = time.time()
    relay, backup = spans(monitor, 440.0), spans(monitor, 880.0)
    rows = [r for r in station.log_rows() if r["slot"] == "Tiếp sóng VOV"]
    relays = [r for r in rows if r.get("relay_source") == "vov1"]
    fallbacks = [r for r in rows if r.get("item_id") == fallback]
    log = (station.tmp / "daemon.log").read_text()

    # on time: the relay's first sample at the slot's instant (connected and buffered ahead)
    assert relay and abs(relay[0][0] - start) < 0.15, (relay, start, log)
    # the source killed: its buffer plays out, then the fallback within the no-data limit (+1 s)
    assert backup and killed < backup[0][0] < killed + NO_DATA_S + 1.0, (backup, killed, log)
    # restarted: the relay comes back (at the end of the fallback item on air)
    back = [s for s in relay if s[0] > restarted]
    assert back and back[0][0] < restarted + 2.0 + 3.0 + 2.0 + 1.0, (relay, restarted, log)
    # never dead air longer than the limit between the start and the stop
    audio = monitor.audio()[monitor.frame_at(start):monitor.frame_at(stopped - 0.5)]
    assert max((b - a for a, b in silent_spans(audio, RATE, min_s=0.3)), default=0.0) < NO_DATA_S + 1.0

    # the as-run log says what the recording shows
    assert [r["status"] for r in relays] == ["interrupted", "interrupted"], rows
    first, second = relays
    assert "no audio" in first["reason"] and "stopped" in second["reason"]
    assert first["title"] == "VOV1 – Đài Tiếng nói Việt Nam" and first["topic"] == "tiep-song"
    assert abs(at(first, "started_at") - relay[0][0]) < 0.15
    assert abs(at(first, "ended_at") - backup[0][0]) < 0.15
    assert abs(at(second, "started_at") - back[0][0]) < 0.15
    assert fallbacks and all("no audio" in r["reason"] for r in fallbacks), fallbacks
    assert abs(at(fallbacks[0], "started_at") - backup[0][0]) < 0.15
    assert at(fallbacks[-1], "ended_at") <= at(second, "started_at") + 0.01
    relayed = sum(r["seconds_played"] for r in relays)
    assert abs(relayed - sum(b - a for a, b in relay)) < 1.0, (relayed, relay)
