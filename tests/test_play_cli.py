"""`radio devices`, `radio play`, `radio render` as a user runs them (real processes)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import wave
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tests.soundserver import Monitor, noise, onset, write_wav


def _env(subprocess_env, server):
    return {**subprocess_env, **server.env}


def test_devices_lists_the_sound_server(radio_bin, live_server, subprocess_env):
    out = subprocess.run([radio_bin, "devices", "--json"], env=_env(subprocess_env, live_server),
                         capture_output=True, text=True, check=True)  # fmt: skip
    names = [d["name"] for d in json.loads(out.stdout)]
    assert "pulse" in names


def test_play_missing_device_is_one_line(radio, radio_bin, live_server, subprocess_env, tmp_path):
    item = radio.add(write_wav(tmp_path / "a.wav", noise(4800, 1)))
    proc = subprocess.run([radio_bin, "--home", str(radio.home), "play", str(item["id"]), "--device", "nope"],
                          env=_env(subprocess_env, live_server), capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope" in lines[0] and "pulse" in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
def test_play_at_starts_on_the_instant(radio, radio_bin, live_server, subprocess_env, tmp_path):
    item = radio.add(write_wav(tmp_path / "a.wav", noise(24000, 5)))
    with Monitor(live_server) as monitor:
        start = time.time() + 3.0
        at = datetime.fromtimestamp(start, ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M:%S.%f")
        proc = subprocess.run([radio_bin, "--home", str(radio.home), "play", str(item["id"]), "--at", at,
                               "--device", "pulse"], env=_env(subprocess_env, live_server),
                              capture_output=True, text=True)  # fmt: skip
        time.sleep(0.2)
        assert proc.returncode == 0, proc.stderr
        first = onset(monitor.audio(), 0.005, start=monitor.frame_at(start - 1.0))
        assert abs(monitor.wall_time(first) - start) < 0.02  # on the instant (ms figures: the bench)
    assert "completed" in proc.stderr


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
def test_ctrl_c_fades_out(radio, radio_bin, live_server, subprocess_env, tmp_path):
    item = radio.add(write_wav(tmp_path / "long.wav", noise(48000 * 20, 6)))
    proc = subprocess.Popen([radio_bin, "--home", str(radio.home), "play", str(item["id"]), "--device", "pulse"],
                            env=_env(subprocess_env, live_server), stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(3)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    assert time.monotonic() - sent < 2.0
    assert proc.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr


def test_render_wav_and_mp3(radio, tone, tmp_path):
    a = radio.add(tone("a.wav", seconds=1.0, freq=440))
    b = radio.add(tone("b.mp3", seconds=1.5, freq=880))
    out = tmp_path / "preview.wav"
    result = radio("render", a["id"], b["id"], "-o", str(out))
    assert result.exit_code == 0, result.output
    with wave.open(str(out)) as w:
        assert w.getframerate() == 48000 and w.getnchannels() == 1
        frames = w.getnframes()
        pcm = np.frombuffer(w.readframes(frames), dtype="<i2").astype(np.float32) / 32768
    assert abs(frames - 2.5 * 48000) < 48000 * 0.06  # mp3 decoders pad a little
    spectrum = lambda x: np.argmax(np.abs(np.fft.rfft(x))) * 48000 / len(x)  # noqa: E731
    assert abs(spectrum(pcm[4800:43200]) - 440) < 5
    assert abs(spectrum(pcm[52800:110000]) - 880) < 5
    mp3 = tmp_path / "preview.mp3"
    assert radio("render", a["id"], b["id"], "-o", str(mp3)).exit_code == 0
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(mp3)],
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert abs(float(probe.stdout) - 2.5) < 0.1


def test_render_refuses_other_formats(radio, tone, tmp_path):
    a = radio.add(tone("a.wav", seconds=0.5))
    result = radio("render", a["id"], "-o", str(tmp_path / "x.ogg"))
    assert result.exit_code == 1 and ".wav or .mp3" in result.stderr
