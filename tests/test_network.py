"""A network on real parts: a hub (`radio hub serve`) on a real PostgreSQL started by the
tests, and three station daemons on the steady-clock output, all on loopback."""

from __future__ import annotations

import hashlib
import json
import signal
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime

import pytest

from tests.conftest import make_tone
from tests.networktools import VN, Hub, Station, at_in, env_for, wait_until

pytest_plugins = ["tests.pgserver"]  # the sound server comes from conftest
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another
CODES = ("XA", "XB", "XC")


@pytest.fixture
def network(tmp_path, radio_bin, pg_database):
    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, pg_database)
    hub.serve()
    stations = []
    for code in CODES:
        station = Station(radio_bin, tmp_path / f"st-{code}", env, code)
        station.token = hub.add_station(code)
        station.join(hub.url, station.token)
        stations.append(station)
    try:
        yield hub, stations
    finally:
        for s in stations:
            s.stop()
        hub.stop()


def _hub_item(hub: Hub, path, title: str) -> tuple[int, str]:
    (entry,) = hub.json("library", "add", str(path), "--topic", "chinh-sach", "--title", title)
    hub.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND tỉnh")
    return entry["id"], hashlib.sha256(path.read_bytes()).hexdigest()


def _aired(rows: list[dict], title: str) -> list[dict]:
    return [r for r in rows if r["title"] == title and r["status"] == "completed"]


def test_a_session_queued_at_the_hub_for_all_airs_everywhere_and_is_reported_once(network, tmp_path):
    hub, stations = network
    for s in stations:
        s.start()
    item, sha = _hub_item(hub, make_tone(tmp_path / "bulletin.wav", seconds=2.0), "Bản tin tỉnh")
    hub.cli("queue", "add", item, "--at", at_in(25), "--all")
    for s in stations:
        wait_until(lambda s=s: _aired(s.rows(), "Bản tin tỉnh"), 90, f"{s.code} airs the hub's session")
        assert s.has_sha(sha), f"{s.code} holds the media under its sha256"
    for s in stations:  # the rows reach the hub, each once
        wait_until(lambda s=s: _aired(hub.station_rows(s.code), "Bản tin tỉnh"), 60, f"{s.code}'s row at the hub")
        rows = hub.station_rows(s.code)
        assert len(rows) == len(s.rows()) and all(r["station"] == s.code for r in rows)
    listed = {r["code"]: r for r in hub.json("hub", "station", "list")}
    assert set(listed) == set(CODES)
    for code in CODES:
        assert listed[code]["online"] is True and listed[code]["device"] == "ok"
        assert listed[code]["missing_media"] == 0 and listed[code]["clock_offset_s"] is not None
    # the consolidated report: airtime per station
    month = datetime.now(VN).strftime("%Y-%m")
    report = json.loads(hub.cli("report", "airtime", "--month", month, "--by", "station", "--format", "json").stdout)
    seconds = {g["station"]: g["seconds"] for g in report["groups"]}
    assert all(seconds[c] >= 1.9 for c in CODES), seconds


def test_an_emergency_for_some_stations_airs_there_only(network, tmp_path):
    hub, stations = network
    (stations[2].home / "hub-link.json").unlink()  # XC joins while its daemon runs
    for s in stations:
        s.start()
    stations[2].join(hub.url, stations[2].token)
    item, _sha = _hub_item(hub, make_tone(tmp_path / "alarm.wav", seconds=1.5, freq=880), "Báo động lũ")
    hub.cli("emergency", item, "--stations", "XA,XC")
    for s in (stations[0], stations[2]):
        wait_until(lambda s=s: _aired(s.rows(), "Báo động lũ"), 30, f"{s.code} airs the emergency")
    stations[1].cli("sync", "--once", check=False)
    assert not [r for r in stations[1].rows() if r["title"] == "Báo động lũ"]
    assert not [e for e in stations[1].json("queue", "list")]
    assert all(r["emergency"] for s in (stations[0], stations[2]) for r in _aired(s.rows(), "Báo động lũ"))
    today = datetime.now(VN).date().isoformat()
    wait_until(lambda: [r for r in hub.json("log", "--from", today, "--to", today, "--station", "XA")
                        if r["title"] == "Báo động lũ" and r["emergency"]], 60, "the hub has XA's row, as khẩn cấp")  # fmt: skip


def test_rows_aired_while_the_hub_is_down_arrive_exactly_once(network, tmp_path):
    """kill -9 of the hub while the stations air 21 sessions made locally; on its return (and
    a station's kill -9 as it starts sending) each station's rows arrive, each exactly once."""
    hub, stations = network
    for s in stations:
        s.start()
    wait_until(lambda: all(r["online"] for r in hub.json("hub", "station", "list")), 60, "stations online")
    hub.stop(signal.SIGKILL)
    for n, s in enumerate(stations):
        (entry,) = s.json("library", "add", str(make_tone(tmp_path / f"local-{n}.wav", seconds=1.0)),
                          "--topic", "nong-nghiep", "--title", f"Tin xã {n}")  # fmt: skip
        s.cli("library", "approve", entry["id"], "--by", "Chủ tịch UBND xã")
        for k in range(7):
            s.cli("queue", "add", entry["id"], "--at", at_in(12 + 2 * k))
    for n, s in enumerate(stations):
        wait_until(lambda n=n, s=s: len(_aired(s.rows(), f"Tin xã {n}")) == 7, 90, f"{s.code} airs its 7 sessions")
    hub.serve()
    stations[1].stop(signal.SIGKILL)  # a station killed too, as it starts sending: on restart it sends again
    stations[1].start()
    for s in stations:
        wait_until(lambda s=s: len(hub.station_rows(s.code)) == len(s.rows()), 90, f"{s.code}'s rows at the hub")
        rows = hub.station_rows(s.code)
        titles = Counter(r["title"] for r in rows if r["status"] == "completed")
        assert titles[f"Tin xã {stations.index(s)}"] == 7
        assert len({(r["started_at"], r["title"]) for r in rows}) == len(rows)  # nothing twice
    wait_until(lambda: all(r["unacked_rows"] == 0 for r in hub.json("hub", "station", "list")), 60, "all acked")


def _get(url: str, token: str, body: dict | None = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_station_token_reads_and_writes_only_its_own(tmp_path, radio_bin, pg_database):
    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, pg_database)
    token_a, token_b = hub.add_station("A"), hub.add_station("B")
    hub.serve()
    try:
        row = {"uuid": "00000000-0000-4000-8000-000000000001", "seq": 1, "item_sha256": None, "title": "giả",
               "topic": "chinh-sach", "language": "vi", "occurrence_start": "2026-12-01T00:00:00+00:00",
               "scheduled_at": "2026-12-01T00:00:00+00:00", "seconds_played": 1.0, "status": "completed"}  # fmt: skip
        assert _get(f"{hub.url}/v1/stations/A/state", token_a) == 200
        assert _get(f"{hub.url}/v1/stations/B/state", token_a) == 403
        assert _get(f"{hub.url}/v1/stations/B/asrun", token_a, {"rows": [row]}) == 403
        assert _get(f"{hub.url}/v1/stations/B/heartbeat", token_a, {"on_air": "x"}) == 403
        assert _get(f"{hub.url}/v1/stations/B/state", "not-a-token") == 401
        assert hub.station_rows("B") == []
        hub.cli("hub", "station", "revoke", "B")
        assert _get(f"{hub.url}/v1/stations/B/state", token_b) == 401
        log = (hub.log_path).read_text() + json.dumps(hub.json("hub", "station", "list"))
        assert token_a not in log and token_b not in log
    finally:
        hub.stop()


def test_media_cut_mid_download_resume_and_a_cut_link_leaves_the_station_alone(tmp_path, radio_bin, pg_database):
    """Through a proxy that resets every connection after 1.5 MB: `sync --once` again and
    again until in step; the file arrives whole and verified, with little sent twice. Then
    the link cut: one line, exit 1, and the station's queue as it was; then delays."""
    from tests.faultproxy import FaultProxy

    env = env_for(tmp_path)
    hub = Hub(radio_bin, tmp_path / "hub", env, pg_database)
    token = hub.add_station("XD")
    hub.serve()
    proxy = FaultProxy(hub.port)
    station = Station(radio_bin, tmp_path / "st-XD", env, "XD")
    try:
        big = make_tone(tmp_path / "long.wav", seconds=100, rate=44100)  # 8.8 MB
        item, sha = _hub_item(hub, big, "Chuyên đề dài")
        hub.cli("queue", "add", item, "--at", at_in(3600), "--stations", "XD")
        station.join(proxy.url, token)
        proxy.reset_after_bytes = 1_500_000
        attempts = []
        for _ in range(20):
            done = station.cli("sync", "--once", check=False)
            attempts.append(done)
            assert "Traceback" not in done.stderr
            if done.returncode == 0:
                break
        assert attempts[-1].returncode == 0, attempts[-1].stderr
        assert len(attempts) > 3 and proxy.resets >= len(attempts) - 1  # it was cut, and resumed
        assert station.has_sha(sha)
        stored = next(p for p in (station.home / "media").rglob(f"{sha}*") if p.is_file())
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
        size = big.stat().st_size
        # resumed, never restarted: each request after a cut asks from where the station's kept
        # part ends (HTTP Range), never from 0 again. What was in flight when the link was reset
        # is sent again: a few % on a quiet machine, more under load (the kernel held more the
        # station had not read yet, and a reset discards it), so that figure is printed.
        starts = proxy.range_starts(f"/v1/media/{sha}")
        assert len(starts) == proxy.resets + 1 and starts[0] == 0 and 0 < starts[-1] < size, starts
        assert all(b >= a for a, b in zip(starts, starts[1:])), starts
        print(f"\nmedia resumed {len(starts) - 1} times, {100 * (proxy.bytes_down / size - 1):.1f} % sent again")
        queued = station.json("queue", "list")
        assert [e["title"] for e in queued] == ["Chuyên đề dài"]

        proxy.reset_after_bytes = None
        proxy.set_cut(True)
        done = station.cli("sync", "--once", check=False)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "cannot reach the hub" in done.stderr
        assert station.json("queue", "list") == queued

        proxy.set_cut(False)
        proxy.delay_s = 0.3
        assert station.cli("sync", "--once", check=False).returncode == 0
    finally:
        proxy.close()
        hub.stop()


def test_a_hub_session_is_heard_on_the_recorded_sound_server(network, tmp_path, live_server):
    """One of the stations plays on the recorded test sound server: the hub's item is heard
    there, sample for sample (by correlation), at its instant."""
    import numpy as np

    from tests.soundserver import RATE, Monitor, locate, noise, write_wav

    hub, stations = network
    heard = stations[0]
    (heard.home / "radio.toml").write_text('[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\n',
                                           encoding="utf-8")  # fmt: skip
    samples = noise(int(RATE * 2.0), seed=20)
    item, _sha = _hub_item(hub, write_wav(tmp_path / "heard.wav", samples), "Tin nghe được")
    with Monitor(live_server) as monitor:
        for s in stations:
            s.start()
        at = at_in(20)
        hub.cli("queue", "add", item, "--at", at, "--all")
        for s in stations:
            wait_until(lambda s=s: _aired(s.rows(), "Tin nghe được"), 90, f"{s.code} airs it")
        audio = monitor.audio()
    start = locate(audio, samples[: RATE // 2])
    segment = audio[start : start + RATE // 2]
    assert np.corrcoef(segment, samples[: RATE // 2])[0, 1] > 0.95  # the hub's file, heard whole
    assert abs(monitor.wall_time(start) - datetime.fromisoformat(at).timestamp()) < 0.5
