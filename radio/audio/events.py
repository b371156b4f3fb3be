"""What a player tells and offers, whichever process it runs in: the events of a rundown on
air, the result, and playing to the end in the foreground."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from radio.domain.playout import Entry, Outcome


@dataclass(frozen=True)
class Started:
    index: int
    entry: Entry
    at: datetime  # when its first frame sounded (output clock, as wall-clock time)


@dataclass(frozen=True)
class Ended:
    index: int
    entry: Entry
    at: datetime  # when its last frame finished sounding
    status: Outcome
    played_s: float
    reason: str | None = None


Event = Started | Ended


@dataclass
class PlayResult:
    """What happened: one (Started, Ended) pair per entry that was attempted, in order."""

    events: list[Event] = field(default_factory=list)
    stopped: str | None = None  # None: played to the end; else why it stopped early
    device_lost: bool = False
    underruns: int = 0

    @property
    def ended(self) -> list[Ended]:
        return [e for e in self.events if isinstance(e, Ended)]


class PlayerBase:
    """What every player offers besides ``start``: airing a rundown to its end in the foreground."""

    def close(self) -> None:
        """Release what the player keeps ready between rundowns (nothing, by default)."""

    def preconnect(self, rundown: Sequence[Entry]) -> None:
        """Connect to the sources *rundown* relays ahead of its start (nothing, by default)."""

    def play(self, rundown: Sequence[Entry], at: datetime | float | None = None,
             on_event: Callable[[Event], None] | None = None) -> PlayResult:  # fmt: skip
        """Air *rundown* to its end in the foreground. Ctrl-C fades out."""
        playback = self.start(rundown, at, on_event)
        try:
            while (result := playback.wait(0.2)) is None:
                pass
        except KeyboardInterrupt:
            playback.interrupt()
            while (result := playback.wait(0.2)) is None:
                pass
        return result
