"""Receivers for the stream tests: an ffmpeg listener pulling an Icecast mount (decoded PCM,
each read timestamped like the sound server's monitor) and a UDP receiver of RTP packets."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

import numpy as np

from tests.soundserver import RATE


class Listener:
    """`ffmpeg -i http://…/mount` decoding to float PCM at RATE, read as it comes."""

    def __init__(self, url: str, rate: int = RATE) -> None:
        self.url = url
        self.rate = rate
        self.chunks: list[bytes] = []
        self.marks: list[tuple[int, float]] = []
        self.frames = 0
        self.proc = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-fflags", "nobuffer", "-probesize", "4096", "-f", "mp3",
             "-analyzeduration", "0", "-i", url, "-f", "f32le", "-ar", str(rate), "-ac", "1",
             "-flush_packets", "1", "pipe:1"],  # fmt: skip
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import os

        fd = self.proc.stdout.fileno()
        pending = b""
        while data := os.read(fd, 1 << 16):
            now = time.time()
            data = pending + data
            usable = len(data) - len(data) % 4
            pending = data[usable:]
            if usable:
                self.marks.append((self.frames, now))
                self.chunks.append(data[:usable])
                self.frames += usable // 4

    def wait_for(self, seconds: float, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.frames < seconds * self.rate and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # blocked on the network, ffmpeg may not hear SIGTERM
        self.proc.wait(5)
        self._thread.join(2)

    def audio(self) -> np.ndarray:
        return np.frombuffer(b"".join(self.chunks), dtype=np.float32)

    def arrival(self, frame: int) -> float:
        """When the read holding *frame* arrived (an upper bound of when it was decoded)."""
        return next(t for f, t in reversed(self.marks) if f <= frame)

    def delay(self, frame: int, sounded_at: float, window_s: float = 3.0) -> float:
        """How far behind *sounded_at* (the instant *frame* played on the card) the listener is:
        every read arrives after its last frame was made, so each read over the next few
        seconds bounds the delay from above; the smallest bound is the estimate."""
        bounds = []
        for (f, t), (f_next, _t) in zip(self.marks, self.marks[1:]):
            if frame <= f and f_next <= frame + window_s * self.rate:
                bounds.append(t - (sounded_at + (f_next - frame) / self.rate))
        return min(bounds)


class RtpReceiver:
    """Every UDP datagram arriving on 127.0.0.1:port, with its arrival time."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.packets: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            self.packets.append((time.time(), data))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def normalized_peak(audio: np.ndarray, template: np.ndarray, at: int) -> float:
    """The normalised correlation of *template* with *audio* at *at* (1.0: the same shape)."""
    seg = audio[at:at + len(template)]
    if len(seg) < len(template):
        return 0.0
    return float(np.dot(seg, template) / (np.linalg.norm(seg) * np.linalg.norm(template) + 1e-12))
