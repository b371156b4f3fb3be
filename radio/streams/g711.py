"""G.711 (μ-law, A-law) and the resampling to 8 kHz that RTP loudspeakers need, in numpy.

The standard library's audioop is gone from Python 3.13; these are the ITU-T G.711
reference algorithms (the segment search of Sun's g711.c) on whole arrays.
"""

from __future__ import annotations

import numpy as np

_SEG_END = np.array([0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF, 0x3FFF, 0x7FFF], dtype=np.int32)


def _pcm16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(np.asarray(samples, dtype=np.float32) * 32768.0), -32768, 32767).astype(np.int32)


def ulaw_encode(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] → G.711 μ-law bytes (one per sample)."""
    pcm = _pcm16(samples) >> 2  # 14-bit magnitude scale of the reference coder
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    pcm = np.minimum(np.abs(pcm), 8159) + 0x21  # CLIP and BIAS (33)
    seg = np.searchsorted(_SEG_END >> 2, pcm, side="left")
    uval = (np.minimum(seg, 7) << 4) | ((pcm >> (seg + 1)) & 0xF)
    uval = np.where(seg >= 8, 0x7F, uval)
    return ((uval ^ mask) & 0xFF).astype(np.uint8).tobytes()


def ulaw_decode(data: bytes) -> np.ndarray:
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    pcm = np.where(u & 0x80, 0x84 - t, t - 0x84)
    return (pcm / 32768.0).astype(np.float32)


def alaw_encode(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] → G.711 A-law bytes (one per sample)."""
    pcm = _pcm16(samples) >> 3  # 13-bit scale
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    pcm = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(_SEG_END >> 3, pcm, side="left")
    shift = np.where(seg < 2, 1, seg)
    aval = (np.minimum(seg, 7) << 4) | ((pcm >> shift) & 0xF)
    aval = np.where(seg >= 8, 0x7F, aval)
    return ((aval ^ mask) & 0xFF).astype(np.uint8).tobytes()


def alaw_decode(data: bytes) -> np.ndarray:
    a = np.frombuffer(data, dtype=np.uint8).astype(np.int32) ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, np.where(seg == 1, t + 0x108, (t + 0x108) << np.maximum(seg - 1, 0)))
    pcm = np.where(a & 0x80, t, -t)
    return (pcm / 32768.0).astype(np.float32)


ENCODERS = {"pcmu": ulaw_encode, "pcma": alaw_encode}
DECODERS = {"pcmu": ulaw_decode, "pcma": alaw_decode}


class To8k:
    """Mono float blocks at *rate* → 8 kHz: a windowed-sinc low-pass (3.6 kHz) carried across
    blocks, then the samples at k × rate/8000 (linear between neighbours for 44.1/22.05 kHz).

    Every supported rate has a whole number of frames in 20 ms, so each 20 ms block gives
    exactly 160 samples and no phase is carried between blocks.
    """

    def __init__(self, rate: int, taps: int = 63) -> None:
        self.rate = rate
        self.step = rate / 8000.0
        cutoff = 3600.0 / rate
        n = np.arange(taps) - (taps - 1) / 2
        h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
        self.h = (h / h.sum()).astype(np.float64)
        self.history = np.zeros(taps - 1, dtype=np.float64)
        self.delay = (taps - 1) // 2  # frames of the filter's own delay (kept: same on every block)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        x = np.concatenate([self.history, np.asarray(block, dtype=np.float64)])
        self.history = x[len(x) - len(self.history):]
        y = np.convolve(x, self.h, mode="valid")  # len(block) outputs
        count = int(round(len(block) / self.step))
        pos = np.arange(count) * self.step
        i = np.floor(pos).astype(np.int64)
        frac = pos - i
        j = np.minimum(i + 1, len(y) - 1)
        return (y[i] * (1 - frac) + y[j] * frac).astype(np.float32)
