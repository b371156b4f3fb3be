"""Streaming decode: ffmpeg turns any file into float PCM in the output's format, piece by piece.

Never a whole file in memory: the pipe holds at most a few blocks, and ffmpeg waits when
the player is not reading. The loudness gain, the start offset (rejoin) and the
conversion to the output rate and channels are ffmpeg's work.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from radio.i18n import _
from radio.media.ffmpeg import ffmpeg_binary

BYTES_PER_SAMPLE = 4  # float32


def decode_command(path: str, rate: int, channels: int, gain_db: float = 0.0, offset_s: float = 0.0) -> list[str]:
    cmd = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "error"]
    if offset_s > 0:
        cmd += ["-ss", f"{offset_s:.6f}"]
    cmd += ["-i", str(path), "-map", "0:a:0", "-vn", "-sn"]
    if gain_db:
        cmd += ["-af", f"volume={gain_db:.2f}dB"]
    cmd += ["-ar", str(rate), "-ac", str(channels), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    return cmd


def _reason(stderr: str, path: str) -> str:
    lines = [re.sub(r"^\[[^\]]+\]\s*", "", line.replace(str(path), "").strip(" :")) for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    for line in reversed(lines):
        if "rror" in line or "nvalid" in line or "No such" in line or "denied" in line or "matches no" in line:
            return line
    return lines[-1] if lines else _("unknown error")


class Decoder:
    """One running ffmpeg decoding one file. Start it early: it idles until read."""

    def __init__(self, path: str, rate: int, channels: int, gain_db: float = 0.0, offset_s: float = 0.0) -> None:
        self.path = str(path)
        self.channels = channels
        self.frame_bytes = BYTES_PER_SAMPLE * channels
        self.frames_read = 0
        self.error: str | None = None
        self._stderr = tempfile.TemporaryFile()
        self.proc: subprocess.Popen | None = None
        if not Path(self.path).is_file():
            self.error = _("file not found: {path}").format(path=self.path)
            return
        try:
            self.proc = subprocess.Popen(
                decode_command(self.path, rate, channels, gain_db, offset_s),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
            )
        except OSError as err:
            self.error = _("cannot run ffmpeg: {reason}").format(reason=err.strerror or err)

    def read(self, frames: int) -> np.ndarray | None:
        """Up to *frames* frames (frames x channels float32), or None at the end.

        At the end, ``error`` holds ffmpeg's reason if it did not decode to a clean end.
        """
        if self.proc is None or self.proc.stdout is None:
            return None
        data = self.proc.stdout.read(frames * self.frame_bytes)
        usable = len(data) - len(data) % self.frame_bytes
        if usable == 0:
            self._finish()
            return None
        self.frames_read += usable // self.frame_bytes
        return np.frombuffer(data[:usable], dtype=np.float32).reshape(-1, self.channels)

    def _finish(self) -> None:
        if self.proc is None:
            return
        code = self.proc.wait()
        if code != 0:
            self._stderr.seek(0)
            stderr = self._stderr.read().decode("utf-8", "replace")
            self.error = _("ffmpeg cannot decode it ({reason})").format(reason=_reason(stderr, self.path))
        self.close()

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        self._stderr.close()
