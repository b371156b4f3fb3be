"""Relay inputs kept between rundowns: a source's connection outlives the playback that aired it.

Reconnecting to a source costs about a second of dead air (the connection, the first audio).
Two moments paid it needlessly: after an emergency that interrupted a relay (the resumed
show reconnected from nothing) and at a hard start that cut a show still on air (the relay's
playback, and its connection, began only at the cut). So a player keeps its relay inputs
here: one whose playback was interrupted with ``keep_input`` stays connected (its newest
``buffer_s`` kept), one opened ahead (``preconnect``) connects at the relay's lead whatever
is on air, and the next rundown relaying the same source for the same session (same
address, same end instant) takes it over. An input nobody takes is closed once its session
is over.
"""

from __future__ import annotations

import threading
import time

from radio.audio.protocol import relay_key
from radio.audio.relay import LiveInput
from radio.domain.playout import Entry


class HeldInputs:
    """The live inputs a player keeps for the next rundown. Thread-safe."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, float | None], tuple[Entry, LiveInput]] = {}
        self._lock = threading.Lock()

    def open(self, entry: Entry, rate: int, channels: int) -> None:
        """Connect to *entry*'s source now (kept until a rundown takes it, or its session ends)."""
        assert entry.relay is not None
        with self._lock:
            if relay_key(entry) in self._held:
                return
            self._held[relay_key(entry)] = (entry, LiveInput(entry.path, rate, channels, entry.relay))

    def take(self, entry: Entry) -> LiveInput | None:
        """The input kept for *entry*'s relay, now the caller's (None: there is none)."""
        self.expire()
        with self._lock:
            held = self._held.pop(relay_key(entry), None)
        return None if held is None else held[1]

    def keep(self, entry: Entry, live: LiveInput) -> None:
        """Keep *live* for the next rundown relaying *entry*: only its newest buffer is kept."""
        live.trim = True
        with self._lock:
            old = self._held.pop(relay_key(entry), None)
            self._held[relay_key(entry)] = (entry, live)
        if old is not None and old[1] is not live:
            old[1].close()

    def expire(self, now: float | None = None) -> None:
        """Close the inputs whose session is over."""
        now = time.time() if now is None else now
        with self._lock:
            over = [k for k, (e, _live) in self._held.items() if e.until is None or e.until <= now]
            gone = [self._held.pop(k)[1] for k in over]
        for live in gone:
            live.close()

    def hold_s(self) -> float:
        """How long the longest-lived input is still worth keeping (0: none is)."""
        now = time.time()
        with self._lock:
            return max((e.until - now for e, _live in self._held.values() if e.until), default=0.0)

    def __bool__(self) -> bool:
        self.expire()
        with self._lock:
            return bool(self._held)

    def close(self) -> None:
        with self._lock:
            gone = [live for _e, live in self._held.values()]
            self._held.clear()
        for live in gone:
            live.close()
