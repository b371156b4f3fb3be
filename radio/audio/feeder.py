"""The feeder: decodes a rundown ahead of the output into a bounded queue of chunks.

The next item's ffmpeg is started as soon as the current one begins, so joins have no
gap and a file that cannot be decoded is known before its turn. A relay entry is fed by
its own ``RelayFeed`` (radio/audio/relay.py), a live voice by a ``LiveFeed``
(radio/audio/live_input.py), into the same queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from radio.audio.decoder import Decoder
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.i18n import _

log = logging.getLogger("radio.audio")

READ_FRAMES = 16384


@dataclass
class Chunk:
    index: int
    data: np.ndarray | None  # None: the entry's end marker
    status: Outcome = Outcome.COMPLETED
    reason: str | None = None


class Feeder(threading.Thread):
    """Decodes the rundown ahead of the output into a bounded queue of chunks."""

    def __init__(self, rundown: Sequence[Entry], rate: int, channels: int, ahead_frames: int,
                 fade_s: float = 0.5, inputs=None) -> None:  # fmt: skip
        super().__init__(name="radio-feeder", daemon=True)
        self.inputs = inputs  # the player's HeldInputs: relay inputs connected ahead or kept (held_inputs.py)
        self.keep_inputs = False  # interrupted to be resumed: a relay's input is kept, not closed
        self.rundown = rundown
        self.rate = rate
        self.channels = channels
        self.ahead_frames = ahead_frames
        self.chunks: deque[Chunk] = deque()
        self.buffered = 0
        self.cond = threading.Condition()
        self.finished = False  # every chunk is queued
        self.stopping = False
        self._decoders: list = []
        self.default_ahead = ahead_frames
        self.sounds_at: Callable[[], float] = time.time  # the playback's: when the next queued frame sounds
        self.fade_s = fade_s  # a relay's own fades (its end, a fallback cut short)
        # entries aired one after the other; fallback entries are aired only by a relay entry
        self.sequence = [i for i, e in enumerate(rundown) if e.kind is not EntryKind.FALLBACK]

    def _open(self, position: int):
        if position >= len(self.sequence):
            return None
        index = self.sequence[position]
        entry = self.rundown[index]
        if entry.kind is EntryKind.RELAY:
            from radio.audio.relay import RelayFeed

            fallbacks = [(i, e) for i, e in enumerate(self.rundown) if e.kind is EntryKind.FALLBACK]
            source = RelayFeed(index, entry, fallbacks, self)
        elif entry.kind is EntryKind.LIVE:
            from radio.audio.live_input import LiveFeed

            source = LiveFeed(index, entry, self)
        else:
            source = Decoder(entry.path, self.rate, self.channels, entry.gain_db, entry.offset_s)
        self._decoders.append(source)
        return source

    def set_ahead(self, frames: int) -> None:
        """How much audio the queue holds ahead (a relay changes it as it goes)."""
        with self.cond:
            self.ahead_frames = frames
            self.cond.notify_all()

    def queue(self, index: int, data: np.ndarray | None, status: Outcome = Outcome.COMPLETED,
              reason: str | None = None) -> bool:  # fmt: skip
        """Queue audio of entry *index* (None: its end, with how it ended); False when stopping."""
        return self._put(Chunk(index, data, status, reason))

    def queue_together(self, *chunks: Chunk) -> bool:
        """Queue *chunks* in one step: the audio callback sees all of them or none. A switch
        (one entry's end, the next one's first audio) is then never split by a buffer of
        silence, and both events fall on the same frame; False when stopping."""
        return self._put(*chunks)

    def drop_queued(self, index: int) -> None:
        """Drop the newest queued audio of entry *index* (a relay's silence, once it is known
        to be dead air). The head chunks, which the audio callback may be reading, stay."""
        with self.cond:
            while len(self.chunks) > 2 and self.chunks[-1].index == index and self.chunks[-1].data is not None:
                self.buffered -= len(self.chunks.pop().data)
            self.cond.notify_all()

    def _put(self, *chunks: Chunk) -> bool:
        size = sum(len(c.data) for c in chunks if c.data is not None)
        with self.cond:
            while self.buffered >= self.ahead_frames and not self.stopping:
                self.cond.wait(0.5)
            if self.stopping:
                return False
            self.chunks.extend(chunks)  # one step under the GIL: the callback reads chunks[0] without the lock
            self.buffered += size
            self.cond.notify_all()
        return True

    def take(self) -> Chunk | None:
        """The next chunk without waiting (called from the audio callback)."""
        try:
            return self.chunks[0]
        except IndexError:
            return None

    def wait_for_chunk(self) -> Chunk | None:
        """The next chunk, waiting for the decoder (for outputs that are not real-time)."""
        with self.cond:
            while not self.chunks and not self.finished and not self.stopping:
                self.cond.wait(0.1)
        return self.take()

    def consumed(self, chunk: Chunk, frames: int) -> None:
        """*frames* of the head chunk were used; drop it once used up."""
        if chunk.data is None or frames >= len(chunk.data):
            self.chunks.popleft()
        else:
            chunk.data = chunk.data[frames:]
        if frames:
            with self.cond:
                self.buffered -= frames
                self.cond.notify()

    def run(self) -> None:
        try:
            current = self._open(0)
            for position, index in enumerate(self.sequence):
                following = self._open(position + 1)  # prepared while this one plays
                if not self._feed(index, current):
                    return
                current = following
        finally:
            with self.cond:
                self.finished = True
                self.cond.notify_all()
            for decoder in self._decoders:
                decoder.close()

    def _feed(self, index: int, decoder) -> bool:
        assert decoder is not None
        if not isinstance(decoder, Decoder):  # a relay feed (live audio and its fallback) or a live voice
            ok = decoder.run()
            self.set_ahead(self.default_ahead)
            return ok
        while not self.stopping:
            data = decoder.read(READ_FRAMES)
            if data is None:
                break
            if not self._put(Chunk(index, data)):
                return False
        if self.stopping:
            return False
        if decoder.error:
            entry = self.rundown[index]
            log.error("%s", _("cannot play '{title}' ({path}): {reason}").format(
                title=entry.title, path=entry.path, reason=decoder.error))
            return self._put(Chunk(index, None, Outcome.FAILED, decoder.error))
        return self._put(Chunk(index, None))

    def stop(self) -> None:
        """Ask the feeder to stop; it closes its decoders itself (cheap: safe in a callback)."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
