"""The relay feed: a live source on air, and local fallback items whenever it is dead air.

A relay entry of a rundown is fed by a ``RelayFeed`` instead of a file decoder. It runs on
the player's feeder thread and puts chunks into the same bounded queue, so a switch
between the live source and the fallback is sample-continuous on one output stream (no
device reopened, no gap), and the player's callback reports each segment's first and last
frame exactly as it does for files:

- the *live input* (``LiveInput``) is one ffmpeg reading the source (network stream or
  capture device) to PCM, started again whenever it ends or stalls; a reader thread keeps
  its audio (the newest ``buffer_s`` while nothing airs it, bursts up to a cap while the
  relay airs) and notes when data last arrived and how long the source has been below
  the silence level;
- while the source is *live*, its audio goes to the queue as the air needs it (half a
  second ahead); the live input holds up to ``buffer_s`` more, so a hiccup shorter than
  that never reaches the air, and before the start the newest ``buffer_s`` are kept (a
  server's burst on connecting, or audio from the preroll, does not delay the relay);
- dead air (``domain.relay.dead_air``: no data for ``no_data_s``, or silence for
  ``silence_s``) ends the relay segment and airs the fallback items in turn, the queue
  kept short (1 s) so that the source can take over promptly; the source keeps being
  tried meanwhile and takes the air back once it has sent a buffer's worth of audible
  audio (``domain.relay.back``), at the end of the fallback item or at once with a fade;
- the entry ends on time: when the next frame would sound at ``until``, faded over the
  last ``fade_s``.

Segments are told by chunk index: the relay entry's own index for the live source (one
Started/Ended pair per segment) and each fallback entry's index for its plays.
"""

from __future__ import annotations

import collections
import logging
import subprocess
import threading
import time
from collections.abc import Sequence

import numpy as np

from radio.audio.decoder import BYTES_PER_SAMPLE, Decoder, _reason
from radio.audio.feeder import Chunk
from radio.domain.playout import Entry, Outcome
from radio.domain.relay import RelayRules, Resume, back, dead_air, ffmpeg_input, level_dbfs, redact_password, redacted_url
from radio.i18n import _
from radio.media.ffmpeg import ffmpeg_binary
from radio.media.source_proxy import SourceAddress

log = logging.getLogger("radio.audio")

BLOCK = 4096  # frames per read of the live source (~85 ms at 48 kHz)
FALLBACK_AHEAD_S = 1.0  # queue depth while on fallback: how soon the source can take over
LIVE_AHEAD_S = 0.5  # queue depth while live: the source's buffer is kept by the live input
START_HELD_S = 1.0  # a live segment starts once this much is held (a fresh connection comes in fits)
HOLD_MAX_S = 15.0  # audio held beyond the buffer while the relay airs (a burst, a source running fast)
QUICK_RETRY_S = 0.5  # a live source that ended is tried again this soon (within the no-data window)


class LiveInput:
    """ffmpeg reading a live source, restarted when it ends or stalls; the newest audio kept."""

    def __init__(self, url: str, rate: int, channels: int, rules: RelayRules) -> None:
        self.url = url
        self.address = SourceAddress(url)  # what ffmpeg opens: never the password (fault 6)
        self.rate = rate
        self.channels = channels
        self.rules = rules
        self.keep = int(rules.buffer_s * rate)
        # While nothing takes from it (before the relay airs, during the fallback) only the
        # newest buffer_s is kept: the relay starts no later behind the source than that. Once
        # it airs, bursts of the network are absorbed up to a hard cap, never skipped.
        self.trim = True
        self.cap = self.keep + int(HOLD_MAX_S * rate)
        self._blocks: collections.deque[np.ndarray] = collections.deque()
        self._frames = 0
        self._cond = threading.Condition()
        self._closed = False
        self._proc: subprocess.Popen | None = None
        self.error: str | None = None  # ffmpeg's last reason for ending
        self.last_data = time.monotonic()  # when audio last arrived (or the first attempt began)
        self.silent_frames = 0  # audio in a row below the silence level
        self.heard_frames = 0  # audio since the current connection began
        self.connects = 0
        self._thread = threading.Thread(target=self._run, name="radio-relay-input", daemon=True)
        self._thread.start()

    # -- what the feed asks
    def since_data(self) -> float:
        return time.monotonic() - self.last_data

    def silent_s(self) -> float:
        return self.silent_frames / self.rate

    def is_back(self) -> bool:
        return back(self.rules, self.heard_frames / self.rate, self.silent_s())

    def take(self, frames: int, wait_s: float = 0.0) -> np.ndarray | None:
        """Up to *frames* of the oldest kept audio (None: nothing, after waiting *wait_s*)."""
        with self._cond:
            if not self._blocks and wait_s > 0:
                self._cond.wait(wait_s)
            if not self._blocks:
                return None
            parts, n = [], 0
            while self._blocks and n < frames:
                block = self._blocks.popleft()
                if n + len(block) > frames:
                    self._blocks.appendleft(block[frames - n:])
                    block = block[:frames - n]
                parts.append(block)
                n += len(block)
            self._frames -= n
            return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def held_s(self) -> float:
        """Audio held, not yet taken."""
        return self._frames / self.rate

    def drop_kept(self) -> None:
        with self._cond:
            self._blocks.clear()
            self._frames = 0

    def reconnect(self) -> None:
        """Give up on the current connection (it stalled): a new one starts shortly."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self.reconnect()
        self._thread.join(5)
        self.address.close()

    # -- the reader
    def _command(self) -> list[str]:
        return [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "error",
                *ffmpeg_input(self.address.url), "-map", "0:a:0", "-vn", "-sn", "-ar", str(self.rate),
                "-ac", str(self.channels), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]  # fmt: skip

    def _run(self) -> None:
        frame_bytes = BYTES_PER_SAMPLE * self.channels
        floor = self.rules.silence_dbfs
        while not self._closed:
            started = time.monotonic()
            try:
                self._proc = proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
            except OSError as err:
                self.error = str(err)
                proc = None
            if proc is not None:
                self.connects += 1
                self.heard_frames = 0
                errors = threading.Thread(target=self._stderr, args=[proc], daemon=True)
                errors.start()
                pending = b""
                while not self._closed:
                    data = proc.stdout.read1(BLOCK * frame_bytes)  # what has come, not a full block
                    if not data:
                        break
                    data = pending + data
                    usable = len(data) - len(data) % frame_bytes
                    pending = data[usable:]
                    if not usable:
                        continue
                    block = np.frombuffer(data[:usable], dtype=np.float32).reshape(-1, self.channels)
                    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
                    self.silent_frames = self.silent_frames + len(block) if level_dbfs(rms) < floor else 0
                    self.heard_frames += len(block)
                    with self._cond:
                        self._blocks.append(block)
                        self._frames += len(block)
                        limit = self.keep if self.trim else self.cap
                        while self._frames - len(self._blocks[0]) >= limit:  # the newest audio only
                            self._frames -= len(self._blocks.popleft())
                        self.last_data = time.monotonic()
                        self.error = None
                        self._cond.notify_all()
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                errors.join(2)
                proc.stdout.close()
                if self._closed:
                    return
                log.info("relay source %s ended (%s)", redacted_url(self.url), self.error or f"exit {proc.returncode}")
            # quickly at first (a hiccup within the no-data window), then every retry_s
            pause = QUICK_RETRY_S if time.monotonic() - started > self.rules.retry_s else self.rules.retry_s
            with self._cond:
                self._cond.wait(pause)

    def _stderr(self, proc: subprocess.Popen) -> None:
        text = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if text.strip():
            self.error = self.address.problem or redact_password(_reason(text, self.url), self.url)  # it goes to logs and the as-run log


class RelayFeed:
    """Feeds one relay entry: live audio, fallback items on dead air, until its end instant."""

    def __init__(self, index: int, entry: Entry, fallbacks: Sequence[tuple[int, Entry]], feeder) -> None:
        """*feeder*: the player's Feeder, whose queue this fills (``queue``, ``set_ahead``,
        ``drop_queued``, ``stopping``) and which says when its next frame sounds (``sounds_at``)."""
        assert entry.relay is not None and entry.until is not None
        self.index = index
        self.entry = entry
        self.rules = entry.relay
        self.fallbacks = list(fallbacks)
        self.feeder = feeder
        self.rate = feeder.rate
        self.fade_s = feeder.fade_s
        held = feeder.inputs.take(entry) if feeder.inputs is not None else None  # connected ahead, or kept
        self.live = held or LiveInput(entry.path, feeder.rate, feeder.channels, self.rules)
        self._next_fallback = 0
        self._prepared: tuple[int, Entry, Decoder] | None = None  # the next fallback, its ffmpeg started
        self._closed = False

    def close(self) -> None:
        """Close the live input, or hand it to the player's held inputs when the playback was
        interrupted to be resumed (an emergency): the resumed relay takes it over, connected."""
        if not self._closed:
            self._closed = True
            if self.feeder.keep_inputs and self.feeder.inputs is not None and time.time() < self.entry.until:
                self.feeder.inputs.keep(self.entry, self.live)
            else:
                self.live.close()
        if self._prepared is not None:
            self._prepared[2].close()
            self._prepared = None

    def _prepare(self) -> None:
        """Open the next fallback item ahead, as the feeder does for the next file: on dead
        air its first audio is in the pipe, so the switch has no gap of ffmpeg starting (0.2
        to 0.4 s on a loaded PC, heard as silence after the relay's row had already ended)."""
        if self._prepared is None and self.fallbacks:
            index, entry = self.fallbacks[self._next_fallback % len(self.fallbacks)]
            self._next_fallback += 1
            self._prepared = (index, entry, Decoder(entry.path, self.rate, self.feeder.channels, entry.gain_db, 0.0))

    def _take_prepared(self) -> tuple[int, Entry, Decoder] | None:
        self._prepare()
        prepared, self._prepared = self._prepared, None
        return prepared

    def _left(self) -> int:
        """Frames until the end instant, counted from the next frame put in the queue."""
        return int((self.entry.until - self.feeder.sounds_at()) * self.rate)

    def _shape_end(self, block: np.ndarray, left: int) -> np.ndarray:
        """Cut *block* at the end instant and fade the last fade_s before it."""
        block = block[:max(0, left)]
        fade = max(1, int(self.fade_s * self.rate))
        if left - len(block) < fade:
            gain = np.clip((left - np.arange(len(block), dtype=np.float32)) / fade, 0.0, 1.0)
            block = block * gain[:, None]
        return block

    def run(self) -> bool:
        """Feed until the end instant; False when the player stopped it first."""
        put = self.feeder.queue
        self.feeder.set_ahead(int((self.rules.buffer_s + 1.0) * self.rate))  # pacing is ours: never blocked
        try:
            live = True
            sounded = False  # this live segment has put audio
            while not self.feeder.stopping:
                left = self._left()
                if left <= 0:
                    return put(self.index, None, Outcome.COMPLETED, None) if live and sounded else True
                if live:
                    why = dead_air(self.rules, self.live.since_data(), self.live.silent_s())
                    if why is None:
                        if not sounded and self.live.held_s() < min(self.rules.buffer_s, START_HELD_S) \
                                and self.live.since_data() < 1.0:  # fmt: skip
                            time.sleep(0.02)  # a new connection: start once it flows, not in fits
                            continue
                        spare = self.feeder.sounds_at() - time.time() - LIVE_AHEAD_S
                        if spare > 0:  # the queue has enough: the rest stays in the live input's buffer
                            time.sleep(min(0.1, spare + 0.05))
                            continue
                        block = self.live.take(BLOCK, wait_s=0.05)
                        if block is not None:
                            sounded, self.live.trim = True, False
                            if not put(self.index, self._shape_end(block, left)):
                                return False
                        continue
                    if self.live.error and self.live.since_data() >= self.rules.no_data_s:
                        why = f"{why} ({self.live.error})"
                    log.warning("relay %s: %s; fallback", self.entry.title, why)
                    status = Outcome.INTERRUPTED if sounded else Outcome.FAILED
                    if self.live.since_data() >= self.rules.no_data_s:
                        self.live.reconnect()  # a stalled connection: try a new one
                    else:  # silence: what is queued of it need not air before the fallback
                        self.feeder.drop_queued(self.index)
                    fallback = self._take_prepared()
                    if not self._switch(Chunk(self.index, None, status, why), fallback):
                        return False
                    self.live.drop_kept()
                    self.live.trim = True
                    live, sounded = False, False
                    self.feeder.set_ahead(int(FALLBACK_AHEAD_S * self.rate))
                else:
                    fallback = self._take_prepared()
                if fallback is None:
                    time.sleep(0.1)  # nothing to air instead: the source is tried again meanwhile
                elif not self._fallback_item(fallback):
                    return False
                if self.live.is_back():
                    log.info("relay %s: the source is back", self.entry.title)
                    live = True
                    self.feeder.set_ahead(int((self.rules.buffer_s + 1.0) * self.rate))
            return False
        finally:
            self.close()

    def _switch(self, end: Chunk, fallback: tuple[int, Entry, Decoder] | None) -> bool:
        """End the live segment and, in the same step, queue the fallback's first audio: the
        callback reports the segment's end and the fallback's start on one frame, the frame
        where the listener hears the switch (False: the player stopped)."""
        if fallback is None:
            return self.feeder.queue_together(end)
        index, _entry, decoder = fallback
        first = decoder.read(BLOCK)
        if first is None:  # nothing decodes: the fallback item's own end (failed) says so
            return self.feeder.queue_together(end)
        return self.feeder.queue_together(end, Chunk(index, self._shape_end(first, self._left())))

    def _fallback_item(self, fallback: tuple[int, Entry, Decoder]) -> bool:
        """Air a fallback item (its decoder opened ahead) to its end, ending it early, faded,
        if the session ends or (resume now) the source is back. The next one is opened now."""
        put = self.feeder.queue
        index, entry, decoder = fallback
        self._prepare()
        fade = max(1, int(self.fade_s * self.rate))
        try:
            while not self.feeder.stopping:
                left = self._left()
                cut = None
                if left <= 0:
                    cut = _("the session's time is over")
                elif self.rules.resume is Resume.NOW and self.live.is_back():
                    cut = _("the relayed source is back")
                if cut is not None:  # a fade of fade_s (or to the end instant, if sooner), then the end
                    left = min(left, fade)
                    while left > 0 and (data := decoder.read(min(BLOCK, left))) is not None:
                        if not put(index, self._shape_end(data, left)):
                            return False
                        left -= len(data)
                    return put(index, None, Outcome.INTERRUPTED, cut)
                data = decoder.read(BLOCK)
                if data is None:
                    if decoder.error:
                        log.error("fallback %s: %s", entry.title, decoder.error)
                        return put(index, None, Outcome.FAILED, decoder.error)
                    return put(index, None, Outcome.COMPLETED, None)
                if not put(index, self._shape_end(data, left)):
                    return False
            return False
        finally:
            decoder.close()
