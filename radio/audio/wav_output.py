"""A WAV file as an output: the air-check and preview output, and what `radio render` uses.

Its clock is virtual: frame n "sounds" at ``origin + n / rate``. Not paced by default
(a render runs as fast as decoding allows); ``realtime=True`` paces it like a sound card.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np

from radio.audio.output import DeviceError, Source
from radio.i18n import _


class WavOutput:
    def __init__(
        self,
        path: Path,
        rate: int = 48000,
        channels: int = 1,
        block_frames: int = 4096,
        origin: float | None = None,
        realtime: bool = False,
    ) -> None:
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.block_frames = block_frames
        self.origin = origin
        self.realtime = realtime
        self.frames_written = 0
        self.opened_at: float | None = None

    def describe(self) -> str:
        return str(self.path)

    def run(self, source: Source) -> None:
        try:
            out = wave.open(str(self.path), "wb")
        except OSError as err:
            raise DeviceError(
                _("cannot write {path}: {reason}").format(path=self.path, reason=err.strerror or err)
            ) from err
        origin = self.opened_at = self.origin if self.origin is not None else time.time()
        self.frames_written = 0
        buf = np.zeros((self.block_frames, self.channels), dtype=np.float32)
        with out:
            out.setnchannels(self.channels)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            while True:
                when = origin + self.frames_written / self.rate
                if self.realtime and (ahead := when - time.time() - 0.2) > 0:
                    time.sleep(ahead)
                used = source.fill(buf, when)
                count = self.block_frames if used is None else used
                pcm = np.clip(buf[:count] * 32768.0, -32768, 32767)
                out.writeframes(np.rint(pcm).astype("<i2").tobytes())
                self.frames_written += count
                if used is not None:
                    return
