"""The relay test harness (tests/relaytools.py) does what it claims: each source checked with a
real ffmpeg as the client, the audio checks on synthetic signals."""

from __future__ import annotations

import socket
import subprocess
import time

import numpy as np
import pytest

from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import (
    GarbageServer,
    HlsSource,
    StallServer,
    ToneSource,
    fetch,
    longest,
    needs_ffmpeg,
    needs_icecast,
    refused_url,
    silent_spans,
    tone_spans,
)  # fmt: skip

R = 44100


def sine(freq: float, seconds: float, dbfs: float = -12.0, rate: int = R) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def close_to(spans, expected, tol: float) -> bool:
    return len(spans) == len(expected) and all(
        abs(a - c) <= tol and abs(b - d) <= tol for (a, b), (c, d) in zip(spans, expected)
    )


# ---- audio checks


@pytest.mark.parametrize("block_s", [0.1, 0.05])
def test_tone_spans_finds_each_tone_within_one_block(block_s):
    hiss = np.random.default_rng(3).uniform(-0.003, 0.003, int(1.3 * R)).astype(np.float32)
    audio = np.concatenate([sine(440, 2.37), np.zeros(int(0.61 * R), np.float32), sine(880, 1.5), hiss,
                            sine(440, 1.0, dbfs=-30)])  # fmt: skip
    edges = np.cumsum([0, 2.37, 0.61, 1.5, 1.3, 1.0])
    assert close_to(tone_spans(audio, R, 440, block_s), [(edges[0], edges[1]), (edges[4], edges[5])], block_s)
    assert close_to(tone_spans(audio, R, 880, block_s), [(edges[2], edges[3])], block_s)
    assert tone_spans(audio, R, 1000, block_s) == []
    # the quiet 440 Hz is below a -20 dBFS floor; min_s drops short spans
    assert close_to(tone_spans(audio, R, 440, block_s, min_level_dbfs=-20), [(edges[0], edges[1])], block_s)
    assert close_to(tone_spans(audio, R, 440, block_s, min_s=1.5), [(edges[0], edges[1])], block_s)
    # a tone under loud noise does not dominate; nor does a mix of 440 and 880 at equal level
    noisy = sine(440, 1.0, dbfs=-30) + np.random.default_rng(4).uniform(-0.5, 0.5, R).astype(np.float32)
    assert tone_spans(noisy, R, 440, block_s) == []
    assert tone_spans(sine(440, 1.0) + sine(880, 1.0), R, 440, block_s) == []
    assert tone_spans(np.zeros(0, np.float32), R, 440) == []


def test_tone_spans_levels_are_a_sines_peak():
    assert tone_spans(sine(440, 1.0, dbfs=-39.5), R, 440) == [(0.0, 1.0)]
    assert tone_spans(sine(440, 1.0, dbfs=-40.5), R, 440) == []
    assert tone_spans(sine(437, 1.0, dbfs=-12), R, 440, min_level_dbfs=-12.5) == [(0.0, 1.0)]


def test_silent_spans_is_dead_air_of_at_least_min_s():
    hiss = np.random.default_rng(5).uniform(-0.01, 0.01, R).astype(np.float32)  # -40 dBFS: not dead air
    quiet = np.random.default_rng(6).uniform(-0.0005, 0.0005, R // 2).astype(np.float32)  # -66 dBFS: dead air
    audio = np.concatenate([np.zeros(int(0.2 * R), np.float32), sine(440, 1.0), np.zeros(int(1.234 * R), np.float32),
                            hiss, quiet, sine(880, 0.5), np.zeros(int(0.4 * R), np.float32)])  # fmt: skip
    edges = np.cumsum([0, 0.2, 1.0, 1.234, 1.0, 0.5, 0.5, 0.4])
    spans = silent_spans(audio, R)
    assert close_to(spans, [(edges[2], edges[3]), (edges[4], edges[5]), (edges[6], edges[7])], 0.01)
    assert longest(spans) == pytest.approx(1.234, abs=0.01) and longest([]) == 0.0
    assert close_to(silent_spans(audio, R, min_s=0.1), [(0, 0.2), *spans], 0.01)
    # at -30 dBFS the hiss is dead air too
    assert close_to(silent_spans(audio, R, max_level_dbfs=-30), [(edges[2], edges[5]), (edges[6], edges[7])], 0.01)
    assert close_to(silent_spans(audio, R, max_level_dbfs=-30, min_s=0.5), [(edges[2], edges[5])], 0.01)


# ---- the sources, heard by a real ffmpeg


@needs_icecast
@needs_ffmpeg
def test_tone_source_airs_its_tone_dies_on_kill_and_comes_back(icecast):  # noqa: F811
    with ToneSource(icecast, "/relay", frequency=440.0) as source:
        assert source.live and source.listen_url == f"http://127.0.0.1:{icecast.port}/relay"
        heard = fetch(source.listen_url, seconds=1.5)
        assert heard.returncode == 0, heard.stderr
        (span,) = tone_spans(heard.audio, R, 440, min_level_dbfs=-15)
        assert span[0] <= 0.2 and span[1] == pytest.approx(1.5)  # the decoder's first frame ramps up
        # a listener hears the stream end (EOF) soon after the encoder is killed
        listener = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "10000000", "-f", "mp3",
                                     "-i", source.listen_url, "-f", "f32le", "-ac", "1", "-"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            assert len(listener.stdout.read(R * 4)) == R * 4  # a second of it
            killed = time.monotonic()
            source.kill()
            listener.stdout.read()  # to EOF
            assert listener.wait(5) is not None and time.monotonic() - killed < 3
        finally:
            listener.kill()
            listener.wait()
        assert source.wait_gone(3) and not source.live
        assert fetch(source.listen_url, seconds=1).returncode != 0  # 404: no such mount
        source.restart()
        assert source.live
        again = fetch(source.listen_url, seconds=1)
        assert tone_spans(again.audio, R, 440, min_s=0.7)
        proc, workdir = source.proc, source._dir
    assert proc.poll() is not None and not workdir.exists() and source.wait_gone(3)


@needs_icecast
@needs_ffmpeg
def test_a_silent_source_sends_digital_silence_and_other_tones_are_their_own(icecast):  # noqa: F811
    with ToneSource(icecast, "/quiet", silence=True) as quiet, ToneSource(icecast, "/b", frequency=880.0) as b:
        heard = fetch(quiet.listen_url, seconds=1)
        assert heard.returncode == 0 and len(heard.audio) == R
        assert silent_spans(heard.audio, R) == [(0.0, 1.0)]
        other = fetch(b.listen_url, seconds=1)
        assert tone_spans(other.audio, R, 880, min_s=0.7) and not tone_spans(other.audio, R, 440)


@needs_ffmpeg
def test_garbage_is_never_audio():
    with GarbageServer() as garbage:
        refused = fetch(garbage.url, seconds=2)  # ffmpeg probing: not a format
        assert refused.returncode not in (0, None) and "Invalid data" in refused.stderr and len(refused.audio) == 0
        forced = fetch(garbage.url, seconds=2, extra=["-f", "mp3"], timeout=2.5)  # read as MP3: nothing decodes
        assert len(forced.audio) == 0 and garbage.accepted == 2
        with socket.create_connection(("127.0.0.1", garbage.port), timeout=3) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while len(data) < 8000:
                data += s.recv(4096)
        assert data.startswith(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n") and b"\xff" not in data
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", garbage.port), timeout=1).close()


def _read_until_quiet(s: socket.socket, quiet_s: float = 0.8) -> tuple[bytes, bool]:
    """What came before *quiet_s* of nothing, and whether the connection is still open."""
    s.settimeout(quiet_s)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            return data, True
        if not chunk:
            return data, False
        data += chunk


@needs_ffmpeg
def test_a_stalled_server_gives_some_audio_then_nothing_with_the_connection_open():
    with StallServer(after_bytes=16000) as stall:  # 2 s at 64 kbps
        with socket.create_connection(("127.0.0.1", stall.port), timeout=3) as s:
            s.sendall(b"GET /stream HTTP/1.0\r\n\r\n")
            data, still_open = _read_until_quiet(s)
            assert still_open and stall.open_connections == 1
            head, body = data.split(b"\r\n\r\n", 1)
            assert b"200 OK" in head and b"audio/mpeg" in head and len(body) == 16000
        heard = fetch(stall.url, seconds=10, rw_timeout_s=1.5, timeout=8)
        assert 1.8 <= len(heard.audio) / R <= 2.1  # all that was sent, then ffmpeg's read timed out
        assert tone_spans(heard.audio, R, 440, min_s=1.7)
        assert "timed out" in heard.stderr and heard.elapsed < 4
    with StallServer(mode="silent-accept") as mute:
        with socket.create_connection(("127.0.0.1", mute.port), timeout=3) as s:
            s.sendall(b"GET /stream HTTP/1.0\r\n\r\n")
            assert _read_until_quiet(s, 0.5) == (b"", True)
        heard = fetch(mute.url, rw_timeout_s=1.5, timeout=8)
        assert heard.returncode not in (0, None) and len(heard.audio) == 0 and "timed out" in heard.stderr


@needs_ffmpeg
def test_a_refused_url_fails_at_once():
    url = refused_url()
    started = time.monotonic()
    heard = fetch(url)
    assert heard.returncode not in (0, None) and "refused" in heard.stderr.lower()
    assert time.monotonic() - started < 2 and url.startswith("http://127.0.0.1:")


@needs_ffmpeg
def test_hls_playlists_of_a_tone():
    with HlsSource(frequency=440.0, seconds=6) as hls:
        assert hls.url.endswith(".m3u8")
        heard = fetch(hls.url, seconds=5)
        assert heard.returncode == 0, heard.stderr
        assert tone_spans(heard.audio, R, 440, min_level_dbfs=-15, min_s=4.8)
        directory = hls.dir
    assert not directory.exists()
    with HlsSource(frequency=880.0, seconds=None, segment_s=1) as live:  # ffmpeg -re adding segments
        heard = fetch(live.url, seconds=1)
        assert tone_spans(heard.audio, R, 880, min_s=0.9)
        proc = live.proc
    assert proc.poll() is not None
