"""The real sound server for tests: a PulseAudio null sink started by the harness, and a
recorder of its monitor that knows when (wall clock) each recorded frame was rendered.

Registered from conftest.py as a pytest plugin; bench/playout_bench.py uses it too.
"""

from __future__ import annotations

import bisect
import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from radio.audio.testserver import SoundServer

RATE = 48000


def fit_clock(marks: list[tuple[int, float]], skip: int = 5) -> tuple[float, float]:
    """(t0, seconds per frame) from (first frame of a read, arrival) marks: the lower envelope,
    as tests/soundserver.Monitor does (a read never arrives before its frames were made)."""
    data = np.array(marks[skip:], dtype=np.float64)
    base = data[0, 1]
    n, t = data[:, 0], data[:, 1] - base  # small numbers: a well-conditioned fit
    keep = np.ones(len(n), dtype=bool)
    for _ in range(4):
        slope, icpt = np.polyfit(n[keep], t[keep], 1)
        resid = t - (icpt + slope * n)
        keep = resid <= np.percentile(resid[keep], 20)
    slope, icpt = np.polyfit(n[keep], t[keep], 1)
    resid = t - (icpt + slope * n)
    return base + icpt + resid.min(), slope


class Monitor:
    """Records the sink's monitor with parec, timestamping every read.

    The arrival time of a read is never earlier than the moment its last frame was
    rendered; the lower envelope of (arrival - frame/rate), fitted as a line, maps a
    recorded frame to the wall clock instant it was rendered. The null sink's pace is not
    the system clock's, and it changes with load: measured under two CPU hogs and an
    upload flood it rendered 0.08 % fast for minutes, then at pace, then fast again, so one
    line over a three-minute recording misplaced frames by up to 0.1 s. A frame is
    therefore mapped through the reads of the LOCAL_S seconds around it.
    """

    LOCAL_S = 3.0

    def __init__(self, server: SoundServer, rate: int = RATE, keeper: bool = True) -> None:
        self.server = server
        self.with_keeper = keeper  # False: record without steadying the sink (coarse timing)
        self.rate = rate
        self.proc: subprocess.Popen | None = None
        self.chunks: list[bytes] = []
        self.marks: list[tuple[int, float]] = []  # (first frame of the read, arrival time)
        self.frames = 0
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Monitor:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, settle_s: float = 1.5) -> None:
        # A silent stream with a small latency keeps the null sink rendering in small
        # blocks (alone it renders 2 s at a time), so arrival times are sharp.
        self.keeper = None if not self.with_keeper else subprocess.Popen(
            ["pacat", "--playback", f"--device={self.server.sink}", "--raw", "--format=float32le",
             f"--rate={self.rate}", "--channels=1", "--latency-msec=5"],  # fmt: skip
            env={**os.environ, **self.server.env}, stdin=self._zero(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.proc = subprocess.Popen(
            ["parec", f"--device={self.server.monitor}", "--raw", "--format=float32le", f"--rate={self.rate}",
             "--channels=1", "--latency-msec=5", "--process-time-msec=2"],  # fmt: skip
            env={**os.environ, **self.server.env}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while self.frames < self.rate * 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(settle_s)

    @staticmethod
    def _zero():
        return open("/dev/zero", "rb")  # noqa: SIM115 - handed to the child, closed at exit

    def _read(self) -> None:
        fd = self.proc.stdout.fileno()
        pending = b""
        while True:
            data = os.read(fd, 1 << 16)
            now = time.time()
            if not data:
                return
            data = pending + data
            usable = len(data) - len(data) % 4
            pending = data[usable:]
            if usable:
                self.chunks.append(data[:usable])
                self.frames += usable // 4
                # A read arrives after its *last* frame was rendered: mark that frame. (Marking
                # its first frame made every instant read one fragment, ~5 ms, late.)
                self.marks.append((self.frames - 1, now))

    def stop(self) -> None:
        if getattr(self, "keeper", None) is not None:
            self.keeper.kill()
            self.keeper.wait()
            self.keeper = None
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()
            self._thread.join(2)
            self.proc = None

    def audio(self) -> np.ndarray:
        return np.frombuffer(b"".join(self.chunks), dtype=np.float32)

    def clock(self, near: float | None = None) -> tuple[float, float]:
        """(t0, seconds per frame): frame n was rendered at t0 + n * spf — for frames around
        *near* (the reads within LOCAL_S of it), or over the whole recording."""
        if near is not None:
            span = self.LOCAL_S * self.rate
            marks = self.marks[5:]  # parec's first reads are bursty
            frames = [frame for frame, _ in marks]
            local = marks[bisect.bisect_left(frames, near - span):bisect.bisect_right(frames, near + span)]
            if len(local) >= 20:
                return fit_clock(local, skip=0)
        return fit_clock(self.marks)  # parec's first reads are bursty: fit_clock skips them

    def frame_at(self, wall: float) -> int:
        t0, spf = self.clock()
        for _ in range(2):  # the whole recording's line finds the neighbourhood, the local one the frame
            t0, spf = self.clock(near=(wall - t0) / spf)
        return max(0, int((wall - t0) / spf))

    def wall_time(self, frame: float) -> float:
        t0, spf = self.clock(near=frame)
        return t0 + frame * spf


def onset(audio: np.ndarray, threshold: float = 0.01, start: int = 0) -> int | None:
    """The first frame at or after *start* whose magnitude passes *threshold*."""
    hits = np.flatnonzero(np.abs(audio[start:]) > threshold)
    return None if len(hits) == 0 else start + int(hits[0])


def locate(audio: np.ndarray, template: np.ndarray) -> int:
    """Where *template* best matches inside *audio* (FFT cross-correlation)."""
    size = 1 << int(np.ceil(np.log2(len(audio) + len(template))))
    corr = np.fft.irfft(np.fft.rfft(audio, size) * np.conj(np.fft.rfft(template, size)), size)
    return int(np.argmax(corr[: len(audio)]))


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.rint(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def noise(frames: int, seed: int, level: float = 0.3) -> np.ndarray:
    """Deterministic band-limited-ish noise: each item is recognizable by correlation."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, frames) * level).astype(np.float32)


@pytest.fixture(scope="session")
def sound_server(tmp_path_factory):
    """A real PulseAudio with a null sink, its address in this process's environment."""
    server = SoundServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    saved = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def live_server(sound_server):
    """The session server, restarted first if an earlier test killed it."""
    if not sound_server.running():
        sound_server.start()
    return sound_server


class Microphone:
    """A second null sink of the test server whose monitor is a capture input (the studio
    microphone, as `pulse:NAME.monitor`); `play_tone` sends a sine into it with ffmpeg, as a
    voice at the microphone. `go_dead()` suspends the sink: its monitor delivers nothing more,
    as a capture device that vanished or died (unloading it would not do: PulseAudio moves a
    removed source's streams to another source)."""

    def __init__(self, server: SoundServer, name: str = "mic") -> None:
        self.server = server
        self.name = name
        self.module: str | None = None
        self.player: subprocess.Popen | None = None

    @property
    def input(self) -> str:
        return f"pulse:{self.name}.monitor"

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.server.env}

    def __enter__(self) -> Microphone:
        self.module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={self.name}",
                                      "rate=48000", "channels=1"],
                                     capture_output=True, text=True, check=True, env=self._env()).stdout.strip()  # fmt: skip
        return self

    def play_tone(self, frequency: float, volume_db: float = -6.0) -> None:
        self.silence()
        self.player = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=48000",
             "-af", f"volume={volume_db + 18.0:g}dB", "-f", "pulse", "-buffer_duration", "20", "-device", self.name, "mic"],
            env=self._env(), stdin=subprocess.DEVNULL)  # fmt: skip

    def play_file(self, path: Path) -> None:
        """A file at the microphone (the bench's clicks), played once through paplay."""
        self.silence()
        self.player = subprocess.Popen(["paplay", f"--device={self.name}", "--latency-msec=10", str(path)],
                                       env=self._env())  # fmt: skip

    def silence(self) -> None:
        if self.player is not None and self.player.poll() is None:
            self.player.kill()
        if self.player is not None:
            self.player.wait()
        self.player = None

    def go_dead(self) -> None:
        subprocess.run(["pactl", "suspend-sink", self.name, "1"], check=True, env=self._env())

    def unplug(self) -> None:
        self.silence()
        if self.module:
            subprocess.run(["pactl", "unload-module", self.module], check=False, env=self._env())
            self.module = None

    def __exit__(self, *exc) -> None:
        self.unplug()
