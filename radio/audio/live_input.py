"""The live feed: a voice from a capture input on air, as it comes, and written to a file.

A LIVE entry of a rundown is fed by a ``LiveFeed`` on the player's feeder thread, into the
same queue as files and relays, so the output stream, its DAC-timed events and its tee to
the stream hub (Icecast, RTP) are those of every other rundown. It differs from a relay's
feed in what it is for:

- **latency first**: the queue holds only ``LIVE_QUEUE_S`` ahead of the air; audio that stays
  held beyond ``LIVE_KEEP_S`` for a whole ``BURST_S`` is dropped (a speaker hears the room's
  loudspeakers and cannot speak over a growing delay), a shorter burst is kept (dropping it
  would chop the voice on a busy PC); its ffmpeg flushes every packet;
- **silence fills**: when the input sends nothing (a stalled browser link, a capture device
  gone), silence is queued, so the output never waits; after ``no_data_s`` (5 s by default)
  the segment ends, with the reason, and the show under it resumes (the daemon's side);
- **no fallback and no end instant of a session**: it lasts until it is stopped, or until
  ``until`` (the longest segment allowed);
- **the recording**: every block put on air is also written to ``entry.record`` (16-bit WAV),
  which the daemon imports into the library as a draft item once the segment is over. The
  segment's end is heard (its event) before the feed has closed the file, so the filing waits
  for the file to be complete (`await_recording`); a file whose writer died is mended.
"""

from __future__ import annotations

import logging
import os
import struct
import time
import wave

import numpy as np

from radio.audio.relay import LiveInput
from radio.domain.live import CONSOLE, ffmpeg_live_input
from radio.domain.playout import Entry, Outcome
from radio.i18n import N_, _
from radio.media.ffmpeg import ffmpeg_binary

log = logging.getLogger("radio.audio")

LIVE_QUEUE_S = 0.03  # audio queued ahead of the output: about two output blocks
LIVE_KEEP_S = 0.03  # what the capture side may hold beyond the queue for good (the excess is dropped)
BURST_S = 0.25  # held above LIVE_KEEP_S through this long: a lasting delay, not a burst (a busy PC's late reads)
HOLD_MAX_S = 0.2  # held beyond this at any moment: dropped at once
STALL_S = 0.08  # no audio from the input this long: silence is queued instead
BLOCK = 480  # frames taken from the input at a time (10 ms at 48 kHz)


class CaptureInput(LiveInput):
    """The relay's restarting ffmpeg reader, reading a capture input with low latency."""

    def _command(self) -> list[str]:
        return [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "error",
                *ffmpeg_live_input(self.url), "-map", "0:a:0", "-vn", "-ar", str(self.rate), "-ac", str(self.channels),
                "-flush_packets", "1", "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]  # fmt: skip


WAV_HEADER = 44  # the header Python's wave writes: the RIFF size at 4, the data size at 40


def recording_complete(path: str) -> bool:
    """Its writer closed it: the header counts all of its data (wave writes 0 until its close)."""
    with open(path, "rb") as wav:
        head = wav.read(WAV_HEADER)
        size = os.fstat(wav.fileno()).st_size
    return len(head) == WAV_HEADER and size > WAV_HEADER and struct.unpack_from("<I", head, 40)[0] == size - WAV_HEADER


def mend_recording(path: str) -> int:
    """The header's sizes set from the file's (a recording whose writer never closed it: a
    crash, a feed that never ended); the data's bytes, whole frames only."""
    with open(path, "r+b") as wav:
        head = wav.read(WAV_HEADER)
        align = max(1, struct.unpack_from("<H", head, 32)[0]) if len(head) == WAV_HEADER else 2
        size = os.fstat(wav.fileno()).st_size
        data = max(0, size - WAV_HEADER) // align * align
        wav.seek(4)
        wav.write(struct.pack("<I", data + 36))
        wav.seek(40)
        wav.write(struct.pack("<I", data))
        wav.truncate(WAV_HEADER + data)  # a frame cut short by the crash: not audio
    return data


def await_recording(path: str, within_s: float = 10.0) -> None:
    """Until the feed has closed the recording (it may still write the blocks it queued when
    the segment's end was heard); past *within_s*, its writer is taken as dead and the file
    mended. FileNotFoundError: the feed removed it (only silence came)."""
    deadline = time.monotonic() + within_s
    while not recording_complete(path):
        if time.monotonic() >= deadline:
            mend_recording(path)
            return
        time.sleep(0.05)


class Recording:
    """What airs, as 16-bit PCM WAV (closed properly at the end: the importer reads it)."""

    def __init__(self, path: str | None, rate: int, channels: int) -> None:
        self._wav = None
        self.path = path
        if path:
            try:
                self._wav = wave.open(path, "wb")  # noqa: SIM115 - closed by close()
                self._wav.setnchannels(channels)
                self._wav.setsampwidth(2)
                self._wav.setframerate(rate)
                self._wav.writeframesraw(b"")  # the header now, counting no audio until the close counts it all
            except OSError as err:  # the voice airs anyway; the recording is lost, and said so
                log.error(N_("cannot record the live segment to %s: %s"), path, err)
                self._wav = None

    def write(self, block: np.ndarray) -> None:
        if self._wav is not None:
            try:
                # writeframesraw: no header rewrite (a seek and a flush) every 10 ms on the feed's
                # thread; the header is completed on close, or mended after a crash
                self._wav.writeframesraw(np.rint(np.clip(block, -1.0, 1.0) * 32767).astype("<i2").tobytes())
            except OSError as err:  # a full disk: stop recording, keep airing
                log.error(N_("the live recording stopped: %s"), err)
                self._wav = None

    def close(self, discard: bool = False) -> None:
        """Complete the file; with *discard* (nothing but silence was recorded), remove it:
        a segment whose input never sounded is not filed as a silent draft."""
        if self._wav is not None:
            try:
                self._wav.close()
            except OSError as err:
                log.error(N_("cannot close the live recording: %s"), err)
            self._wav = None
            if discard and self.path:
                try:
                    os.unlink(self.path)
                except OSError as err:
                    log.error(N_("cannot remove the silent live recording %s: %s"), self.path, err)


class LiveFeed:
    """Feeds one LIVE entry: the input's audio as it comes, silence when it has none."""

    def __init__(self, index: int, entry: Entry, feeder) -> None:
        assert entry.relay is not None
        self.index = index
        self.entry = entry
        self.rules = entry.relay
        self.feeder = feeder
        self.rate = feeder.rate
        self.channels = feeder.channels
        self.live = CaptureInput(entry.path, self.rate, self.channels, self.rules)
        self.live.keep = int(HOLD_MAX_S * self.rate)  # bursts are kept; a lasting delay is trimmed by run()
        self._least, self._window = float("inf"), time.monotonic()  # the least held in this window
        self.recording = Recording(entry.record, self.rate, self.channels)
        self.heard = False  # some audio came from the input (else the segment fails, its recording dropped)
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.live.close()
            self.recording.close(discard=not self.heard)

    def _why_over(self) -> tuple[Outcome, str] | None:
        """Why the segment ends now by itself (None: it goes on)."""
        if self.entry.until is not None and self.feeder.sounds_at() >= self.entry.until:
            return Outcome.COMPLETED, _("the longest live segment was reached ([live] max_minutes)")
        if self.live.since_data() >= self.rules.no_data_s:
            if not self.heard:  # never any audio: a missing or wrong device, not a speaker who stopped
                if self.entry.path.startswith(CONSOLE + ":"):  # a browser: its microphone or its link
                    why = _("the browser sent no audio in {n:g} s: live did not go on air (did the phone allow "
                            "the microphone?)").format(n=self.rules.no_data_s)  # fmt: skip
                else:
                    why = _("no audio ever came from the capture input {input} in {n:g} s: live did not go on air "
                            "(is the device plugged in, and its name right?)").format(
                        input=self.entry.path, n=self.rules.no_data_s)  # fmt: skip
                if self.live.error:
                    why = f"{why} ({self.live.error})"
                return Outcome.FAILED, why
            if self.entry.path.startswith(CONSOLE + ":"):
                why = _("the browser's link sent no audio for {n:g} s").format(n=self.rules.no_data_s)
            else:
                why = _("no audio from the capture input {input} for {n:g} s").format(
                    input=self.entry.path, n=self.rules.no_data_s)  # fmt: skip
            if self.live.error:
                why = f"{why} ({self.live.error})"
            return Outcome.INTERRUPTED, why
        return None

    def _trim(self) -> None:
        """What stayed held beyond LIVE_KEEP_S through a whole BURST_S (the least held in that
        time) is a delay that would last the segment (a backlog at the start, a busy moment):
        the oldest of it is dropped. A burst that drains by itself within BURST_S (late reads on
        a loaded PC) is kept: dropping it would chop the voice."""
        now = time.monotonic()
        self._least = min(self._least, self.live.held_s())
        if now - self._window >= BURST_S:
            if self._least > LIVE_KEEP_S:
                self.live.take(int((self._least - LIVE_KEEP_S) * self.rate))
            self._least, self._window = float("inf"), now

    def _put(self, block: np.ndarray) -> bool:
        self.recording.write(block)
        return self.feeder.queue(self.index, block)

    def run(self) -> bool:
        """Feed until stopped or over; False when the player stopped it first."""
        self.feeder.set_ahead(max(BLOCK, int(LIVE_QUEUE_S * self.rate)))
        silence = np.zeros((BLOCK, self.channels), dtype=np.float32)
        try:
            while not self.feeder.stopping:
                over = self._why_over()
                if over is not None:
                    log.warning(N_("live segment over: %s"), over[1])
                    return self.feeder.queue(self.index, None, over[0], over[1])
                self._trim()
                block = self.live.take(BLOCK, wait_s=0.01)
                if block is not None:
                    self.heard = True
                    if not self._put(block):
                        return False
                    continue
                # nothing came: silence fills once the input is late, so the output never waits
                if self.live.since_data() >= STALL_S and self.feeder.sounds_at() - time.time() < LIVE_QUEUE_S:
                    if not self._put(silence):
                        return False
            return False
        finally:
            self.close()
