"""Streams from a real daemon session on the test sound server: an Icecast listener (ffmpeg)
and an RTP receiver hear the same programme as the sound card's monitor, at the same
instants plus the encoder's delay; Icecast killed and restarted mid-session."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

import numpy as np
import pytest

from radio.domain.streams import RTP_HEADER, parse_rtp_header
from radio.streams.g711 import To8k, ulaw_decode
from tests.icecast import PASSWORD, icecast  # noqa: F401 - fixture
from tests.soundserver import RATE, Monitor, locate
from tests.streamtools import Listener, RtpReceiver, normalized_peak
from tests.test_daemon import Station, _final

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another


@pytest.fixture
def station(radio, radio_bin, tmp_path, live_server):
    import signal

    s = Station(radio, radio_bin, tmp_path)
    yield s
    if s.proc is not None and s.proc.poll() is None:
        s.stop(signal.SIGKILL)


def configure(station: Station, streams: str, playout: str = 'device = "pulse"') -> None:
    toml = station.radio.home / "radio.toml"
    toml.write_text(f"[playout]\n{playout}\nsample_rate = 48000\nchannels = 1\n\n{streams}", encoding="utf-8")
    os.chmod(toml, 0o600)


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return None


def rtp_audio(packets: list[tuple[float, bytes]]) -> tuple[np.ndarray, list[dict]]:
    headers = [parse_rtp_header(p) for _t, p in packets]
    audio = np.concatenate([ulaw_decode(p[RTP_HEADER:]) for _t, p in packets])
    return audio, headers


def to8k(samples: np.ndarray) -> np.ndarray:
    return To8k(RATE)(samples)


def daemon_log(station: Station) -> str:
    return (station.tmp / "daemon.log").read_text()


def test_listeners_hear_the_programme_of_the_sound_card(station, live_server, icecast):  # noqa: F811
    rtp = RtpReceiver()
    configure(station, f'[[stream]]\nkind = "icecast"\nurl = "{icecast.url()}"\nname = "Loa IP"\nbitrate = 64\n'
                       f'\n[[stream]]\nkind = "rtp"\nurl = "rtp://127.0.0.1:{rtp.port}"\ncodec = "pcmu"\n')  # fmt: skip
    a, b, c = station.item(2.0, 31), station.item(2.0, 32), station.item(1.5, 33)
    with Monitor(live_server) as monitor:
        station.start()
        start = station.slot_in(9)
        assert station.radio("queue", "add", a, b, c, "--slot", "Sáng").exit_code == 0
        assert wait_until(lambda: icecast.source(), 8), icecast.error_log()
        listener = Listener(icecast.listen_url())
        try:
            time.sleep(max(0.0, start.timestamp() + 2.5 - time.time()))
            status = json.loads(station.cli("status", "--json").stdout)
            text_status = station.cli("status").stdout
            rows = station.wait_for(lambda r: _final(r, 3))
            time.sleep(2.0)  # the encoder's and the network's delay
            title = icecast.source().get("title")
        finally:
            listener.stop()
            rtp.stop()
        at = {i: station.position(monitor, i) for i in (a, b, c)}
    assert [r["status"] for r in rows] == ["completed"] * 3
    # the listener: the three items in order, spaced exactly as on the sound card
    heard = listener.audio()
    found = {i: locate(heard, station.samples[i][: RATE // 2]) for i in (a, b, c)}
    for i in (a, b, c):
        assert normalized_peak(heard, station.samples[i][: RATE // 2], found[i]) > 0.5  # MP3 drops the top octave
    assert found[a] < found[b] < found[c]
    for x, y in ((a, b), (b, c)):
        assert abs((found[y] - found[x]) / RATE - (at[y] - at[x])) < 0.005
    delay = listener.delay(found[a], at[a])
    print(f"icecast listener delay behind the sound card: {delay:.3f} s")
    assert 0.0 < delay < 1.5
    assert title == rows[2]["title"]
    # RTP: 172-byte packets, PT 0, sequence and timestamps continuous across the items
    packets = rtp.packets
    assert packets and all(len(p) == 172 for _t, p in packets)
    audio8, headers = rtp_audio(packets)
    assert {h["payload_type"] for h in headers} == {0} and {h["version"] for h in headers} == {2}
    assert all((y["sequence"] - x["sequence"]) % 65536 == 1 for x, y in zip(headers, headers[1:]))
    assert all((y["timestamp"] - x["timestamp"]) % 2**32 == 160 for x, y in zip(headers, headers[1:]))
    rtp_at = {}
    for i in (a, b, c):
        # the item's first sample falls on any of the 6 phases of the 48 kHz → 8 kHz decimation
        best = []
        for phase in range(RATE // 8000):
            template = to8k(station.samples[i][phase: phase + RATE // 2])[40:]
            pos = locate(audio8, template)
            best.append((normalized_peak(audio8, template, pos), pos))
        peak, rtp_at[i] = max(best)
        assert peak > 0.9
    for x, y in ((a, b), (b, c)):
        assert abs((rtp_at[y] - rtp_at[x]) / 8000 - (at[y] - at[x])) < 0.005
    arrival = packets[rtp_at[a] // 160][0]
    rtp_delay = arrival - at[a]
    print(f"RTP delay behind the sound card: {rtp_delay:.3f} s")
    assert 0.0 < rtp_delay < 0.5
    # status: both streams, connected, bytes counted; the password nowhere
    streams = {s["kind"]: s for s in status["streams"]}
    assert streams["icecast"]["connected"] and streams["icecast"]["bytes_sent"] > 0
    assert streams["icecast"]["name"] == "Loa IP"
    assert streams["rtp"]["connected"] and streams["rtp"]["bytes_sent"] > 0
    assert "Loa IP" in text_status
    assert station.stop() == 0
    for text in (json.dumps(status), text_status, daemon_log(station)):
        assert PASSWORD not in text and "h%40ck" not in text


def test_icecast_killed_and_restarted_mid_session(station, live_server, icecast):  # noqa: F811
    configure(station, f'[[stream]]\nkind = "icecast"\nurl = "{icecast.url()}"\n')
    long = station.item(20.0, 41)
    with Monitor(live_server) as monitor:
        station.start()
        start = station.slot_in(8)
        assert station.radio("queue", "add", long, "--slot", "Sáng").exit_code == 0
        assert wait_until(lambda: icecast.source(), 8)
        time.sleep(max(0.0, start.timestamp() + 3 - time.time()))
        icecast.kill()
        time.sleep(2.0)
        down = json.loads(station.cli("status", "--json").stdout)["streams"][0]
        icecast.start()
        restarted = time.monotonic()
        # back at the first attempt after icecast answers again (its start-up under load, then
        # at most one 3 s answer timeout and a 2 s back-off: the figure is printed below)
        assert wait_until(lambda: icecast.source(), 10.0), "the stream did not come back within 10 s"
        back_after = time.monotonic() - restarted
        listener = Listener(icecast.listen_url())
        try:
            listener.wait_for(3.0)
        finally:
            listener.stop()
        up = json.loads(station.cli("status", "--json").stdout)["streams"][0]
        rows = station.wait_for(lambda r: _final(r, 1))
        time.sleep(0.3)
        played_from = locate(monitor.audio(), station.samples[long][: RATE // 2])
        recorded = monitor.audio()[played_from:played_from + len(station.samples[long])]
    print(f"icecast back {back_after:.2f} s after its restart")
    assert rows[0]["status"] == "completed" and abs(rows[0]["seconds_played"] - 20.0) < 0.01
    # the sound card played the whole item without a gap or a glitch
    item = station.samples[long]
    assert len(recorded) == len(item)
    gain = np.dot(recorded, item) / np.dot(item, item)
    residual = recorded - gain * item
    assert np.sum(residual**2) / np.sum(recorded**2) < 1e-3
    # the listener after the restart hears the item going on
    heard = listener.audio()
    assert listener.frames > RATE
    piece_at = locate(item, heard[RATE // 2:RATE])  # where in the item the listener is
    assert normalized_peak(item, heard[RATE // 2:RATE], piece_at) > 0.5
    assert 5.0 < piece_at / RATE < 19.0  # the item as it goes on, after the restart
    assert not down["connected"] and down["error"] and PASSWORD not in json.dumps(down)
    assert up["connected"] and up["outages"] >= 1
    assert station.stop() == 0
    log = daemon_log(station)
    assert "outage from" in log and "back at" in log and PASSWORD not in log


def test_an_ip_only_station_airs_on_its_own_clock(station):
    """`device = "none"`: no sound card at all; the RTP stream carries the session on time."""
    rtp = RtpReceiver()
    configure(station, f'[[stream]]\nkind = "rtp"\nurl = "rtp://127.0.0.1:{rtp.port}"\nname = "Loa LAN"\n',
              playout='device = "none"')  # fmt: skip
    a, b = station.item(1.5, 51), station.item(1.5, 52)
    try:
        station.start()
        start = station.slot_in(7)
        assert station.radio("queue", "add", a, b, "--slot", "Sáng").exit_code == 0
        rows = station.wait_for(lambda r: _final(r, 2))
        time.sleep(0.5)
    finally:
        rtp.stop()
    assert [r["status"] for r in rows] == ["completed", "completed"]
    started = datetime.fromisoformat(rows[0]["started_at"])
    assert abs((started - start).total_seconds()) < 0.05
    audio8, headers = rtp_audio(rtp.packets)
    assert all((y["sequence"] - x["sequence"]) % 65536 == 1 for x, y in zip(headers, headers[1:]))
    found = []
    for i in (a, b):
        peak, pos = max((normalized_peak(audio8, t := to8k(station.samples[i][p: p + RATE // 2])[40:],
                                         q := locate(audio8, t)), q) for p in range(6))  # fmt: skip
        assert peak > 0.9
        found.append(pos)
    assert abs((found[1] - found[0]) / 8000 - 1.5) < 0.005
    # the item started on the RTP stream when the as-run log says it did (plus the hub's margin)
    arrival = rtp.packets[found[0] // 160][0]
    assert 0.0 < arrival - started.timestamp() < 0.4
    assert station.stop() == 0
