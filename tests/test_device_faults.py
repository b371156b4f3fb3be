"""The show goes on: the daemon on a sound server that stalls, freezes or dies mid-session.

Real daemon processes on a real PulseAudio server; what came out is checked on the
recorded monitor, what was logged in the as-run log.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import numpy as np
import pytest

from radio.audio.testserver import SoundServer
from tests.soundserver import RATE, Monitor, locate
from tests.test_daemon import VN, Station, _final, station  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another


@pytest.fixture
def bare_server(tmp_path, monkeypatch, sound_server):
    """A sound server whose only sink is a null sink with no other client: it renders in
    2-second blocks, so its clients are called back in bursts (a desktop server at rest)."""
    server = SoundServer(tmp_path / "bare", clock=False)
    server.start()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    yield server
    server.stop()


def _one_off(station: Station, ids: list[int], seconds_ahead: int) -> datetime:
    at = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=seconds_ahead)
    added = station.cli("queue", "add", *ids, "--at", at.strftime("%H:%M:%S"))
    assert added.returncode == 0, added.stderr
    return at


def _heard(monitor: Monitor, samples: np.ndarray, frames: int = RATE // 2) -> float:
    """How well *samples* (its first half second) match the recording at its best place (0..1)."""
    audio = monitor.audio()
    template = samples[:frames]
    at = locate(audio, template)
    part = audio[at:at + frames]
    if len(part) < frames:
        return 0.0
    return float(np.dot(part, template) / (np.linalg.norm(part) * np.linalg.norm(template) + 1e-12))


def test_sessions_air_on_a_sound_server_with_no_other_client(radio, radio_bin, tmp_path, bare_server):
    """The issue's reproduction: three items queued 6 s ahead with the daemon running, on a
    null sink that renders in 2 s blocks. Each session airs whole, three times over."""
    station = Station(radio, radio_bin, tmp_path)
    ids = [station.item(1.5, seed) for seed in (71, 72, 73)]
    station.start()
    try:
        for n in range(3):
            _one_off(station, ids, 6)
            rows = station.wait_for(lambda r, n=n: _final(r, 3 * (n + 1)), timeout=40)
        assert [(r["item_id"], r["status"]) for r in rows] == [(i, "completed") for i in ids] * 3
        assert all(abs(r["seconds_played"] - 1.5) < 0.01 for r in rows)
        # the last session recorded from the monitor (a recorder, but still no steadying stream)
        with Monitor(bare_server, keeper=False) as monitor:
            _one_off(station, ids, 6)
            station.wait_for(lambda r: _final(r, 12), timeout=40)
            time.sleep(2.5)  # the null sink hands over its last 2-second block
            for i in ids:
                assert _heard(monitor, station.samples[i]) > 0.9
    finally:
        station.stop()


def test_server_frozen_mid_item_the_session_goes_on(station, live_server):
    """SIGSTOP for 3 s: longer than the stream's latency + block + grace, so the device is
    reopened and the show rejoined on its timeline; the item after it airs on time."""
    long, after = station.item(8.0, 81), station.item(2.0, 82)
    with Monitor(live_server) as monitor:
        station.start()
        start = station.slot_in(5)
        station.radio("queue", "add", long, after, "--slot", "Sáng")
        time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
        live_server.freeze()
        time.sleep(3.0)
        live_server.thaw()
        rows = station.wait_for(lambda r: any(x["item_id"] == after and x["status"] != "playing" for x in r), 40)
        time.sleep(0.5)
        heard_after = _heard(monitor, station.samples[after])
        at_after = station.position(monitor, after)
    statuses = [(r["item_id"], r["status"]) for r in rows]
    assert statuses[-1] == (after, "completed"), statuses
    long_rows = [r for r in rows if r["item_id"] == long]
    assert long_rows[0]["status"] in ("interrupted", "completed")
    if long_rows[0]["status"] == "interrupted":  # reopened: the rest of the item, on its timeline
        assert "responding" in long_rows[0]["reason"] or "lost" in long_rows[0]["reason"]
        assert [r["status"] for r in long_rows[1:]] == ["completed"]
        assert long_rows[0]["seconds_played"] + long_rows[1]["seconds_played"] < 8.0
    assert heard_after > 0.9
    # the item after the trouble starts about where the timeline puts it, not 3 s late: the
    # show skipped what should have sounded during the freeze. (Loosely: after SIGCONT the
    # server's timing information needs a moment to settle, and the monitor's clock mapping
    # spans the freeze; the strict timeline check is the kill-and-restart test's.)
    planned_after = start.timestamp() + 8.0
    assert abs(datetime.fromisoformat(rows[-1]["started_at"]).timestamp() - planned_after) < 0.75
    assert abs(at_after - planned_after) < 0.75
    assert station.stop() == 0


def test_server_killed_then_restarted_mid_item_rejoins_on_the_timeline(station, live_server):
    long, after = station.item(9.0, 91), station.item(2.0, 92)
    station.start()
    start = station.slot_in(5)
    station.radio("queue", "add", long, after, "--slot", "Sáng")
    time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
    live_server.kill()
    time.sleep(1.0)
    retrying = json.loads(station.cli("status", "--json").stdout)["device"]
    live_server.start()
    with Monitor(live_server) as monitor:
        rows = station.wait_for(lambda r: _final(r, 3), timeout=40)
        time.sleep(0.3)
        audio = monitor.audio()
        # where the rejoined part of the long item and the next item really sounded
        rejoined = rows[1]
        offset = 9.0 - rejoined["seconds_played"]
        part = station.samples[long][int(offset * RATE) + RATE:int(offset * RATE) + RATE + RATE // 2]
        at_part = monitor.wall_time(locate(audio, part)) - 1.0
        at_after = station.position(monitor, after)
    assert retrying["state"] == "retrying" and retrying["attempts"] >= 1 and retrying["reason"]
    assert [(r["item_id"], r["status"]) for r in rows] == [(long, "interrupted"), (long, "completed"),
                                                           (after, "completed")]  # fmt: skip
    cut = rows[0]
    assert "lost" in cut["reason"] and 1.0 < cut["seconds_played"] <= 2.1
    # the rejoined part sounded at its place on the show's timeline, and so did the next item
    rejoined_at = datetime.fromisoformat(rejoined["started_at"]).timestamp()
    assert abs(rejoined_at - (start.timestamp() + offset)) < 0.05
    assert abs(at_part - rejoined_at) < 0.03
    assert abs(at_after - (start.timestamp() + 9.0)) < 0.03
    assert rows[2]["seconds_played"] == pytest.approx(2.0, abs=0.01)
    assert station.stop() == 0


def test_no_device_at_all_the_session_is_logged_missed_with_the_reason(station, live_server, tmp_path):
    """A device that never opens: retried until the session's time is over, then missed."""
    a, b = station.item(1.5, 95), station.item(1.5, 96)
    (station.radio.home / "radio.toml").write_text(
        '[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\n', encoding="utf-8"
    )
    live_server.kill()
    try:
        start = station.slot_in(4)
        station.radio("queue", "add", a, b, "--slot", "Sáng")
        station.start()
        rows = station.wait_for(lambda r: _final(r, 2), timeout=30)
        assert [(r["item_id"], r["status"]) for r in rows] == [(a, "missed"), (b, "missed")]
        assert all("unavailable" in r["reason"] for r in rows)
        status = json.loads(station.cli("status", "--json").stdout)
        assert status["device"]["state"] == "unavailable"
        assert datetime.fromisoformat(rows[0]["scheduled_at"]) == start
    finally:
        live_server.start()
    assert station.stop() == 0
