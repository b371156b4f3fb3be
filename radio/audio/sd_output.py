"""The sound card as an output: a PortAudio callback stream through sounddevice.

The hard start is placed with the stream's own clock: PortAudio tells each callback when
its buffer's first frame will reach the DAC (``outputBufferDacTime``); that instant is
mapped to wall-clock time and the source puts the first sample on the right frame.
A stream that stops calling back, or stops by itself, means the device or the sound
server is gone: DeviceLost, and the stream is abandoned so that a later run can open
a fresh one. "Stops calling back" is measured against the stream's own pace (its latency
plus one block) and a grace period, not a fixed time: a sound server that renders in
large blocks calls back in bursts, and must not be taken for a dead one.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from radio.audio.devices import Device, _sd, output_devices, resolve_device
from radio.audio.output import DeviceError, DeviceLost, Source
from radio.i18n import _

DRAIN_MARGIN_S = 0.05
DEFAULT_GRACE_S = 2.5
BUSY_RETRY_S = 1.5  # a device busy at its opening is tried again this long (the stream before it closing)


def _busy(err: Exception) -> bool:
    """PortAudio's "device unavailable" or ALSA's "busy": another stream holds an exclusive device."""
    text = str(err).lower()
    return "unavailable" in text or "busy" in text or "-9985" in text


def buffer_time(now: float, current: float, dac: float, latency_s: float) -> float:
    """The wall-clock instant at which the callback's buffer starts to sound.

    PortAudio's ALSA host API gives its times on the wall clock (CLOCK_REALTIME): then the
    DAC time is the answer, exact. ``now`` — when Python got to run the callback — comes
    after the GIL was acquired, up to a switch interval (5 ms) after PortAudio computed its
    times: mapping through it placed hard starts up to 5 ms early. Only a host API whose
    clock is another one (monotonic) is mapped through ``now``.
    """
    if dac <= 0 or current <= 0:
        return now + latency_s
    if abs(now - current) < 1.0:  # the same clock as time.time()
        return dac
    return now + (dac - current)


class SoundDeviceOutput:
    def __init__(
        self,
        device: str | int | None = None,
        rate: int = 48000,
        channels: int = 1,
        block_frames: int = 4096,
        latency_s: float = 0.2,
        grace_s: float = DEFAULT_GRACE_S,
    ) -> None:
        self.device = device
        self.rate = rate
        self.channels = channels
        self.block_frames = block_frames
        self.latency_s = latency_s
        self.grace_s = grace_s
        self.opened: Device | None = None
        self.realtime = True
        self.underflows = 0  # times the device ran dry (a late callback): dead air

    def describe(self) -> str:
        return self.opened.name if self.opened else str(self.device or _("default output"))

    def run(self, source: Source) -> None:
        sd = _sd()
        device = resolve_device(self.device, output_devices(refresh=True))
        self.opened = device
        state = {"last": time.monotonic(), "last_wall": time.time(), "ended": None, "error": None, "calls": 0}
        finished = threading.Event()
        wake = threading.Event()  # set by the callback when the source has ended or failed

        def on_finished() -> None:
            finished.set()
            wake.set()

        def callback(outdata: np.ndarray, frames: int, t, status) -> None:
            now = time.time()
            if status.output_underflow:  # the device played silence: this callback came too late
                self.underflows += 1
            state["last"] = time.monotonic()
            state["last_wall"] = now
            state["calls"] += 1
            try:
                current = t.currentTime
                dac = t.outputBufferDacTime
                when = buffer_time(now, current, dac, self.latency_s)
                used = source.fill(outdata, when)
                if used is not None and state["ended"] is None:
                    state["ended"] = source.end_time
                    wake.set()
            except Exception as err:  # never let an exception kill the audio thread silently
                state["error"] = err
                wake.set()
                outdata.fill(0)
                raise sd.CallbackAbort from err

        opening = time.monotonic()
        while True:
            try:
                stream = sd.OutputStream(
                    device=device.index,
                    samplerate=self.rate,
                    channels=self.channels,
                    dtype="float32",
                    blocksize=self.block_frames,
                    latency=self.latency_s,
                    callback=callback,
                    finished_callback=on_finished,
                )
                break
            except sd.PortAudioError as err:
                # An exclusive device still held by the show before (a hard cut starts the new
                # show as the old one fades): open it as soon as that stream has closed.
                if _busy(err) and time.monotonic() - opening < BUSY_RETRY_S:
                    time.sleep(0.02)
                    continue
                raise DeviceError(
                    _("cannot open the output device '{device}': {reason}").format(device=device.name, reason=err)
                ) from err
        try:
            stream.start()
        except sd.PortAudioError as err:
            stream.close(ignore_errors=True)
            raise DeviceError(
                _("cannot start the output device '{device}': {reason}").format(device=device.name, reason=err)
            ) from err
        # The stream's own pace: its latency and one block. Silence from the device for
        # longer than that plus the grace period is a stall (before the first callback:
        # a failed open).
        pace_s = max(float(getattr(stream, "latency", 0.0) or 0.0), self.latency_s) + self.block_frames / self.rate
        stall_s = pace_s + self.grace_s
        state["last"] = time.monotonic()
        lost: str | None = None
        try:
            while True:
                # Asleep until the callback says the source ended (or a stall check is due):
                # no polling while playing.
                wake.wait(min(0.5, stall_s / 4))
                if state["error"] is not None:
                    raise state["error"]
                ended = state["ended"]
                if ended is not None:
                    # the last frame is in the stream: wait until it has sounded (drain the tail)
                    time.sleep(max(0.0, ended + DRAIN_MARGIN_S - time.time()))
                    break
                if finished.is_set():
                    lost = _("the audio stream stopped by itself")
                    break
                if time.monotonic() - state["last"] > stall_s:
                    if state["calls"] == 0:
                        lost = "open"
                    else:
                        lost = _("the audio device stopped responding for {s:.1f} s").format(s=stall_s)
                    break
        finally:
            self._close(stream, abandon=lost is not None)
        if lost == "open":
            raise DeviceError(_("the output device '{device}' did not start playing within {s:.1f} s").format(
                device=device.name, s=stall_s))  # fmt: skip
        if lost is not None:
            raise DeviceLost(_("audio device '{device}' lost: {reason}").format(device=device.name, reason=lost),
                             sounded_until=state["last_wall"])  # fmt: skip

    @staticmethod
    def _close(stream, abandon: bool) -> None:
        """Stop and close; a stream whose server died may hang in close: do that aside."""
        def close() -> None:
            try:
                if abandon:
                    stream.abort(ignore_errors=True)
                else:
                    stream.stop(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception:
                pass

        closer = threading.Thread(target=close, name="radio-close", daemon=True)
        closer.start()
        closer.join(2.0)
