"""No sound card (`[playout] device = "none"`): an output on a steady clock of its own.

An IP-only station airs through its streams alone. The player still needs an output that
asks for audio at the pace it sounds: this one fills a block, then sleeps until that block's
time (on the monotonic clock, whatever the wall clock does), and tells the source the
wall-clock instant of each block as a sound card would.
"""

from __future__ import annotations

import time

import numpy as np

from radio.audio.output import Source


class ClockOutput:
    def __init__(self, rate: int = 48000, channels: int = 1, block_frames: int = 960, latency_s: float = 0.2,
                 **_ignored) -> None:  # fmt: skip
        self.rate = rate
        self.channels = channels
        self.block_frames = block_frames
        self.latency_s = latency_s
        self.realtime = True

    def describe(self) -> str:
        return "none"

    def run(self, source: Source) -> None:
        buf = np.zeros((self.block_frames, self.channels), dtype=np.float32)
        mono0, wall0 = time.monotonic(), time.time() + self.latency_s
        frames = 0
        while True:
            ahead = (frames / self.rate) - (time.monotonic() - mono0)
            if ahead > 0:
                time.sleep(ahead)
            used = source.fill(buf, wall0 + frames / self.rate)
            frames += self.block_frames
            if used is not None:
                end = source.end_time
                if end is not None:
                    time.sleep(max(0.0, end - time.time()))
                return
