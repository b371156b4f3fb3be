"""Stream outputs without a daemon: the settings and their errors, `radio stream test` against
a real Icecast and a UDP receiver, the RTP packetizer and G.711 (checked against ffmpeg),
the SDP, multicast options (nothing sent off loopback), the hub's timeline."""

from __future__ import annotations

import os
import socket
import subprocess

import numpy as np
import pytest

from radio.domain.streams import RTP_HEADER, BadTarget, RtpTarget, parse_rtp_header, parse_target, redact, sdp
from radio.streams.g711 import DECODERS, ENCODERS, To8k
from radio.streams.hub import JOIN_S, Timeline
from radio.streams.rtp import open_socket
from tests.icecast import PASSWORD, icecast  # noqa: F401 - fixture
from tests.streamtools import RtpReceiver


def run(radio_bin, env, *args):
    return subprocess.run([radio_bin, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


def write_toml(home, text: str, mode: int = 0o600) -> None:
    (home / "radio.toml").write_text(text, encoding="utf-8")
    os.chmod(home / "radio.toml", mode)


# ---- URLs and settings

def test_an_icecast_url_gives_host_port_mount_and_password():
    t = parse_target("icecast", "icecast://source:p%40ss%3Aw@radio.example:8010/xa-dong-tam")
    assert (t.host, t.port, t.mount, t.user, t.password) == ("radio.example", 8010, "/xa-dong-tam", "source", "p@ss:w")
    assert t.redacted() == "icecast://source:***@radio.example:8010/xa-dong-tam"
    assert parse_target("icecast", "icecast://source:x@h/m").port == 8000
    assert redact("failed at icecast://source:p%40ss%3Aw@h", "p@ss:w") == "failed at icecast://source:***@h"


@pytest.mark.parametrize("kind,url", [
    ("icecast", "http://source:secret@h:8000/m"), ("icecast", "icecast://source:secret@h:8000/"),
    ("icecast", "icecast://source@h:8000/m"), ("icecast", "icecast://source:secret@h:99999/m"),
    ("rtp", "rtp://h"), ("rtp", "udp://h:5004"), ("rtp", "rtp://h:5004/path"), ("mp3", "icecast://source:secret@h/m"),
])  # fmt: skip
def test_bad_urls_are_refused_without_echoing_the_password(kind, url):
    with pytest.raises(BadTarget) as err:
        parse_target(kind, url)
    assert "secret" not in str(err.value)


def test_bad_stream_settings_are_one_line_errors_without_the_password(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    assert run(radio_bin, subprocess_env, "--home", home, "init").returncode == 0
    cases = {
        '[[stream]]\nkind = "icecast"\nurl = "http://source:secret@h:8000/m"\n': "'stream[1].url' must look like",
        '[[stream]]\nkind = "icecast"\nurl = "icecast://source:secret@h:8000/m"\nbitrate = 320\n':
            "'stream[1].bitrate' must be between 48 and 128",
        '[[stream]]\nkind = "shoutcast"\nurl = "icecast://source:secret@h:8000/m"\n': "unknown stream kind 'shoutcast'",
        '[[stream]]\nkind = "rtp"\nurl = "rtp://10.0.0.5:5004"\ncodec = "g722"\n': "'stream[1].codec' must be one of",
        '[[stream]]\nkind = "rtp"\nurl = "rtp://10.0.0.5:5004"\n[[stream]]\nkind = "rtp"\nurl = "rtp://10.0.0.5:5004"\n':
            "two streams are named 'rtp://10.0.0.5:5004'",
    }  # fmt: skip
    for text, expected in cases.items():
        write_toml(home, text)
        result = run(radio_bin, subprocess_env, "--home", home, "stream", "test")
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith("radio: error: ") and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "secret" not in result.stderr
    usage = run(radio_bin, subprocess_env, "--home", home, "stream", "test", "--seconds", "0")
    assert usage.returncode == 2


def test_stream_test_reports_an_unreachable_server_in_one_line(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    run(radio_bin, subprocess_env, "--home", home, "init")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens there once closed
    write_toml(home, f'[[stream]]\nkind = "icecast"\nurl = "icecast://source:secret@127.0.0.1:{port}/m"\n')
    result = run(radio_bin, subprocess_env, "--home", home, "stream", "test", "--seconds", "1")
    assert result.returncode == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("radio: error: stream icecast://source:***@127.0.0.1:") and "refused" in error.lower()
    assert "secret" not in result.stderr + result.stdout


def test_stream_test_sends_a_tone_to_icecast_and_rtp(radio_bin, subprocess_env, tmp_path, icecast):  # noqa: F811
    home = tmp_path / "home"
    run(radio_bin, subprocess_env, "--home", home, "init")
    rtp = RtpReceiver()
    write_toml(home, f'[[stream]]\nkind = "icecast"\nurl = "{icecast.url("/thu")}"\nname = "Thử"\n\n'
                     f'[[stream]]\nkind = "rtp"\nurl = "rtp://127.0.0.1:{rtp.port}"\ncodec = "pcma"\n')  # fmt: skip
    try:
        result = run(radio_bin, subprocess_env, "--home", home, "stream", "test", "--seconds", "2")
    finally:
        rtp.stop()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Thử: ok, ") and lines[1].startswith(f"rtp://127.0.0.1:{rtp.port}: ok, ")
    assert "warning" not in result.stderr
    assert 95 <= len(rtp.packets) <= 105  # 2 s of 20 ms packets
    headers = [parse_rtp_header(p) for _t, p in rtp.packets]
    assert {h["payload_type"] for h in headers} == {8}
    tone = DECODERS["pcma"](b"".join(p[RTP_HEADER:] for _t, p in rtp.packets))
    spectrum = np.abs(np.fft.rfft(tone[800:]))
    assert abs(np.argmax(spectrum) * 8000 / len(tone[800:]) - 1000) < 10  # the 1 kHz test tone
    # the SDP file for the receivers
    sdp_file = home / "streams" / f"rtp-127-0-0-1-{rtp.port}.sdp"
    assert f"m=audio {rtp.port} RTP/AVP 8" in sdp_file.read_text() and "a=rtpmap:8 PCMA/8000" in sdp_file.read_text()


def test_a_password_readable_by_others_is_warned_about(radio_bin, subprocess_env, tmp_path):
    home = tmp_path / "home"
    run(radio_bin, subprocess_env, "--home", home, "init")
    write_toml(home, '[[stream]]\nkind = "icecast"\nurl = "icecast://source:secret@127.0.0.1:1/m"\n', mode=0o644)
    result = run(radio_bin, subprocess_env, "--home", home, "stream", "test", "--seconds", "1")
    assert "holds a stream password and every user of this PC may read it" in result.stderr
    status = run(radio_bin, subprocess_env, "--home", home, "status")
    assert "holds a stream password" in status.stderr and "secret" not in status.stderr + status.stdout
    assert "stream icecast://source:***@127.0.0.1:1/m: not running" in status.stdout
    assert "secret" not in result.stderr


# ---- RTP, G.711, SDP

def test_g711_decodes_exactly_like_ffmpeg_and_encodes_within_one_step():
    x = np.concatenate([np.linspace(-1, 1, 20001), np.random.default_rng(1).uniform(-0.3, 0.3, 8000)]).astype(np.float32)
    pcm = np.clip(np.rint(x * 32768), -32768, 32767).astype("<i2").tobytes()
    for codec, fmt in (("pcmu", "mulaw"), ("pcma", "alaw")):
        ours = ENCODERS[codec](x)
        theirs = subprocess.run(["ffmpeg", "-v", "error", "-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "-", "-f", fmt,
                                 "-"], input=pcm, capture_output=True, check=True).stdout  # fmt: skip
        decoded = subprocess.run(["ffmpeg", "-v", "error", "-f", fmt, "-ar", "8000", "-ac", "1", "-i", "-", "-f", "s16le",
                                  "-"], input=ours, capture_output=True, check=True).stdout  # fmt: skip
        assert np.array_equal(DECODERS[codec](ours), np.frombuffer(decoded, "<i2") / 32768)
        # ffmpeg rounds to the nearest code, the G.711 reference truncates: at most one step apart
        steps = np.abs(DECODERS[codec](ours) - DECODERS[codec](theirs))
        assert steps.max() <= 0.032
        assert np.abs(DECODERS[codec](ours) - x).max() < 0.032


@pytest.mark.parametrize("rate", [22050, 32000, 44100, 48000, 96000])
def test_twenty_ms_at_any_playout_rate_is_160_samples_at_8k(rate):
    down = To8k(rate)
    t = np.arange(rate) / rate
    tone = np.sin(2 * np.pi * 700 * t).astype(np.float32)
    block = int(rate * 0.02)
    out = np.concatenate([down(tone[i:i + block]) for i in range(0, rate, block)])
    assert len(out) == 8000
    expected = np.sin(2 * np.pi * 700 * (np.arange(8000) / 8000 - down.delay / rate))
    assert np.abs(out[400:] - expected[400:]).max() < 0.01


def test_the_rtp_header_and_the_sdp():
    from radio.domain.streams import rtp_header

    header = rtp_header(0, 65535, 2**32 - 1, 0xDEADBEEF, marker=True)
    assert len(header) == 12 and header[0] == 0x80 and header[1] == 0x80
    assert parse_rtp_header(header) == {"version": 2, "marker": True, "payload_type": 0, "sequence": 65535,
                                        "timestamp": 2**32 - 1, "ssrc": 0xDEADBEEF}  # fmt: skip
    text = sdp(RtpTarget("239.255.1.2", 5004), "pcmu", 4, "Đài xã", session_id=7)
    assert "c=IN IP4 239.255.1.2/4\r\n" in text and "m=audio 5004 RTP/AVP 0\r\n" in text
    assert "a=rtpmap:0 PCMU/8000" in text and "a=ptime:20" in text and "s=Đài xã" in text
    assert "c=IN IP4 10.0.0.9\r\n" in sdp(RtpTarget("10.0.0.9", 5004), "pcma", 4, "x")


def test_a_multicast_stream_sets_its_ttl_and_sends_nothing_when_opened():
    target = parse_target("rtp", "rtp://239.255.42.42:5004")
    assert target.multicast and not parse_target("rtp", "rtp://192.168.1.20:5004").multicast
    sock = open_socket(target, 3)
    try:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 3
    finally:
        sock.close()


def test_packets_continue_across_items_and_between_sessions(tmp_path):
    from radio.streams.rtp import RtpSender

    rx = RtpReceiver()
    try:
        sender = RtpSender("t", RtpTarget("127.0.0.1", rx.port), "pcmu", 16, 48000, 1)
        silence, tone = np.zeros((960, 1), np.float32), np.full((960, 1), 0.2, np.float32)
        for n in range(30):
            sender.push(tone if 10 <= n < 20 else silence, active=10 <= n < 20)
        sender.close()
        import time

        time.sleep(0.2)
    finally:
        rx.stop()
    headers = [parse_rtp_header(p) for _t, p in rx.packets]
    assert len(headers) == 30 and all(len(p) == 172 for _t, p in rx.packets)
    assert all((y["sequence"] - x["sequence"]) % 65536 == 1 for x, y in zip(headers, headers[1:]))
    assert all((y["timestamp"] - x["timestamp"]) % 2**32 == 160 for x, y in zip(headers, headers[1:]))
    assert [h["marker"] for h in headers].count(True) == 1  # only the very first packet


# ---- the hub's timeline

def test_the_timeline_joins_one_engines_jittery_buffers_and_places_another_by_its_instant():
    rate = 48000
    line = Timeline(rate, 1)
    t0 = 1_000_000.0
    ramp = np.arange(4096 * 3, dtype=np.float32).reshape(-1, 1)
    jitter = (0.0, 0.004, -0.003)  # DAC instants as PortAudio reports them
    for k in range(3):
        line.put(1, t0 + k * 4096 / rate + jitter[k], ramp[k * 4096:(k + 1) * 4096])
    start = int(round(t0 * rate))
    out = line.read(start, 4096 * 3)
    assert np.array_equal(out, ramp)  # sample to sample, no click
    # another engine, far from the first one's end: placed where its instants say
    line.put(2, t0 + 1.0, np.ones((100, 1), np.float32))
    later = line.read(start + 4096 * 3, rate)
    first = int(round((t0 + 1.0) * rate)) - (start + 4096 * 3)
    assert later[first - 1, 0] == 0 and later[first, 0] == 1 and later[first + 99, 0] == 1
    assert JOIN_S * rate < abs(first)
    # a buffer that comes after its time has been read is counted, not played
    line.put(3, t0, np.ones((10, 1), np.float32))
    assert line.late_frames == 10


def test_between_sessions_disconnect_frees_the_mount_and_comes_back_for_a_session(icecast):  # noqa: F811
    import threading
    import time

    from radio.streams.hub import Hub
    from radio.streams.icecast import IcecastSender

    sender = IcecastSender("t", parse_target("icecast", icecast.url("/m")), 48000, 1, between_sessions="disconnect")
    on_air = threading.Event()
    hub = Hub([sender], 48000, 1, lambda pos, n: np.zeros((n, 1), np.float32), on_air.is_set)
    runner = threading.Thread(target=hub.run, daemon=True)
    runner.start()
    try:
        time.sleep(1.5)
        assert icecast.source("/m") is None and not sender.state.connected  # no session: no source
        on_air.set()
        assert _wait(lambda: icecast.source("/m") is not None, 5)
        assert sender.state.connected
        on_air.clear()
        assert _wait(lambda: icecast.source("/m") is None, 5)
        assert sender.state.as_json()["error"] is None  # idle on purpose, not an outage
    finally:
        hub.stop()
        runner.join(3)
        hub.close()


def _wait(predicate, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.xdist_group("realtime")  # the 20 ms packet clock is timed: never beside another timing test
def test_a_stalled_server_is_dropped_and_retried_while_the_clock_keeps_time():
    """A server that takes the connection and then stops reading (a dead 3G link): the
    Icecast sender drops it and connects again; the hub's clock (here: an RTP stream in the
    same hub, a packet every 20 ms) is never held up."""
    import threading
    import time

    from radio.streams.hub import Hub
    from radio.streams.icecast import IcecastSender
    from radio.streams.rtp import RtpSender

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    accepted = []

    def stall() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)
            conn.recv(4096)  # the PUT and its headers
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")  # … and then never reads again

    threading.Thread(target=stall, daemon=True).start()
    rx = RtpReceiver()
    ice = IcecastSender("slow", parse_target("icecast", f"icecast://source:secret@127.0.0.1:{port}/m"), 48000, 1,
                        bitrate=128)  # fmt: skip
    rtp = RtpSender("lan", RtpTarget("127.0.0.1", rx.port), "pcmu", 16, 48000, 1)
    noise = np.random.default_rng(3).uniform(-0.5, 0.5, (960, 1)).astype(np.float32)  # incompressible-ish
    hub = Hub([ice, rtp], 48000, 1, lambda pos, n: noise, lambda: True)
    runner = threading.Thread(target=hub.run, args=[12.0], daemon=True)
    runner.start()
    runner.join(20)
    hub.close()
    rx.stop()
    server.close()
    state = ice.state.as_json()
    assert len(accepted) >= 2  # dropped and connected again
    assert state["outages"] >= 1 and "secret" not in json_dumps(state)
    arrivals = np.array([t for t, _p in rx.packets])
    assert len(arrivals) >= 590 and np.diff(arrivals).max() < 0.1  # 12 s of 20 ms packets, none held up


def json_dumps(data) -> str:
    import json

    return json.dumps(data)


def test_the_daemons_stream_hub_is_started_again_if_it_dies(tmp_path):
    import signal
    import time

    from radio.config import settings_from_mapping
    from radio.streams.process import HubProcess

    rx = RtpReceiver()
    settings = settings_from_mapping(tmp_path, {"stream": [{"kind": "rtp", "url": f"rtp://127.0.0.1:{rx.port}"}]}, "x")
    hub = HubProcess(settings)
    try:
        assert _wait(lambda: len(rx.packets) > 10, 10)
        assert _wait(lambda: hub.status()[0]["connected"], 5)
        first = hub.proc.pid
        os.kill(first, signal.SIGKILL)
        time.sleep(0.5)
        count = len(rx.packets)
        assert _wait(lambda: hub.proc.pid != first and len(rx.packets) > count + 10, 10)
        assert (tmp_path / "streams" / f"rtp-127-0-0-1-{rx.port}.sdp").exists()
    finally:
        hub.close()
        rx.stop()
    assert hub.proc.poll() is not None
