"""The output interface: anything that pulls audio from a Source on its own clock.

An output owns the clock. It asks the source to fill each buffer and tells it the
wall-clock instant (``time.time()`` scale) at which the buffer's first frame sounds, so
the source can place a hard start on the exact frame. Two implementations: the sound
card (sounddevice/PortAudio) and a WAV file (air-check, preview, `radio render`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

from radio.errors import RadioError


class DeviceError(RadioError):
    """The output device cannot be opened (missing, busy, no sound server)."""


class DeviceLost(RadioError):
    """The output device or sound server went away (or stalled) while playing.

    *sounded_until* is the wall-clock instant up to which the audio surely sounded: the
    last time the device asked for more. Frames handed over later may never have played.
    """

    def __init__(self, message: str, sounded_until: float | None = None) -> None:
        super().__init__(message)
        self.sounded_until = sounded_until


class Source(Protocol):
    def fill(self, out: np.ndarray, when: float) -> int | None:
        """Write ``out`` (frames x channels, float32) completely, silence included.

        *when* is the wall-clock instant at which ``out[0]`` sounds. Returns None while
        there is more to play, or the number of frames of ``out`` that still carried
        audio once the source has finished (every later buffer is silence).
        """

    @property
    def end_time(self) -> float | None:
        """Wall-clock instant just after the last frame sounds, once known."""


class Output(Protocol):
    rate: int
    channels: int
    realtime: bool  # False: the output may wait for the decoder (a file rendered off-line)

    def describe(self) -> str:
        """A short human name for messages and logs."""

    def run(self, source: Source) -> None:
        """Open, pull from *source* until it has finished and its last frame has sounded,
        then close. Raises DeviceError if it cannot open, DeviceLost if lost meanwhile."""
