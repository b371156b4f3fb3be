"""The player: airs a rundown on an output, gaplessly, starting on the exact frame.

Three threads, none waiting on another inside the audio callback:

- the *feeder* (feeder.py) decodes ahead (the next item's ffmpeg is started as soon as the current
  one begins) into a bounded queue of blocks, a couple of seconds of audio at most;
- the output's *callback* (or write loop) takes frames from that queue, places the first
  sample of the rundown on the frame that sounds at the start instant, notes the frame
  on which each entry starts and ends, and applies the fade-out when interrupted;
- the *dispatcher* hands the events (started / ended) to the caller's ``on_event``.

The daemon uses ``Player.start`` (returns a ``Playback`` to interrupt or wait on);
`radio play` and `radio render` use ``Player.play``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import numpy as np

from radio.audio.feeder import Feeder
from radio.audio.held_inputs import HeldInputs
from radio.audio.events import Ended, Event, PlayerBase, PlayResult, Started
from radio.audio.output import DeviceError, DeviceLost, Output
from radio.domain.playout import Entry, EntryKind, Outcome, fade_frames, start_offset_in_buffer, to_seconds
from radio.i18n import _

log = logging.getLogger("radio.audio")

CLOCK_JUMP_S = 0.1  # an output clock that jumps ahead by more than this lost time: catch up


def _wall(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


class _Sequencer:
    """The Source handed to the output: frames from the feeder, placed and faded."""

    WAITING, PLAYING, FADING, DONE = range(4)

    def __init__(self, feeder: Feeder, rate: int, start_at: float | None, fade_s: float, emit,
                 realtime: bool = True, join_late: bool = False) -> None:  # fmt: skip
        self.feeder = feeder
        self.realtime = realtime  # False: an output that can wait for the decoder (a file)
        self.rate = rate
        self.start_at = start_at
        self.join_late = join_late  # a start that comes late skips what should have sounded already
        self.skip_left = 0  # frames still to skip to be back on the timeline
        self.expected: float | None = None  # when the next buffer should sound, on an unbroken clock
        self.default_fade = fade_s
        self.emit = emit
        self.state = self.WAITING
        self.current: int | None = None  # entry started and not yet ended
        self.played = 0  # frames of the current entry
        self.fade_total = self.fade_left = 0
        self.interrupt_fade: float | None = None
        self.interrupt_reason: str | None = None
        self.stop_at_boundary = False  # end when the entry on air ends (a soft start)
        self.underruns = 0
        self.until: float | None = None  # wall instant just after the last frame handed to the output
        self._end_time: float | None = None

    @property
    def end_time(self) -> float | None:
        return self._end_time

    def sounds_at(self) -> float:
        """When the next frame put in the queue will sound (a relay ends on time with it)."""
        if self.state == self.WAITING or self.expected is None:
            base = max(self.start_at or 0.0, time.time())
        else:
            base = self.expected
        return base + self.feeder.buffered / self.rate

    def interrupt(self, fade_s: float | None, reason: str | None) -> None:
        self.interrupt_reason = reason
        self.interrupt_fade = self.default_fade if fade_s is None else fade_s

    def stop_after_current(self, reason: str | None) -> None:
        self.interrupt_reason = reason
        self.stop_at_boundary = True

    def _start(self, index: int, when: float) -> None:
        self.current, self.played = index, 0
        self.emit(Started(index, self.feeder.rundown[index], _wall(when)))

    def _end(self, status: Outcome, when: float, reason: str | None = None) -> None:
        index = self.current
        assert index is not None
        self.emit(Ended(index, self.feeder.rundown[index], _wall(when), status,
                        to_seconds(self.played, self.rate), reason))  # fmt: skip
        self.current = None

    def _finish(self, when: float, used: int) -> int:
        self.state = self.DONE
        self._end_time = when
        self.feeder.stop()
        return used

    def fill(self, out: np.ndarray, when: float) -> int | None:
        out.fill(0.0)
        n = len(out)
        if self.state == self.PLAYING and self.realtime and self.expected is not None \
                and when - self.expected > CLOCK_JUMP_S:  # fmt: skip
            # The device stopped for a moment (a frozen sound server, a busy PC) and came back
            # on its own: what should have sounded meanwhile is skipped, to stay on the timeline.
            self.skip_left += int((when - self.expected) * self.rate)
        self.expected = when + n / self.rate
        self.until = self.expected
        if self.state == self.DONE:
            return 0
        pos = 0
        if self.interrupt_fade is not None and self.state != self.FADING:
            if self.state == self.WAITING or self.interrupt_fade <= 0:
                if self.current is not None:
                    self._end(Outcome.INTERRUPTED, when, self.interrupt_reason)
                return self._finish(when, 0)
            self.state = self.FADING
            self.fade_total = self.fade_left = fade_frames(self.interrupt_fade, self.rate)
        if self.state == self.WAITING:
            offset = 0 if self.start_at is None else start_offset_in_buffer(self.start_at, when, self.rate, n)
            if offset is None:
                return None
            if self.join_late and self.start_at is not None and when > self.start_at:
                self.skip_left = int((when - self.start_at) * self.rate)
            pos = offset
            self.state = self.PLAYING
        while self.skip_left > 0:  # joining late: drop what the timeline has passed
            chunk = self.feeder.take()
            if chunk is None:
                break  # the decoder has not caught up: go on from here
            if chunk.data is None:  # the end of an entry whose time passed
                ended = chunk.index == self.current
                if ended:
                    self._end(chunk.status, when, chunk.reason)
                self.feeder.consumed(chunk, 0)  # (one that never started never sounded: no events)
                if ended and self.stop_at_boundary:
                    return self._finish(when, 0)
                continue
            drop = min(self.skip_left, len(chunk.data))
            self.feeder.consumed(chunk, drop)
            self.skip_left -= drop
        while pos < n:
            chunk = self.feeder.take()
            if chunk is None and not self.realtime:
                chunk = self.feeder.wait_for_chunk()
            if chunk is None:
                if self.feeder.finished and not self.feeder.chunks:
                    return self._finish(when + pos / self.rate, pos)
                self.underruns += 1
                return None
            at = when + pos / self.rate
            if self.current != chunk.index:
                self._start(chunk.index, at)
            if chunk.data is None:
                self._end(chunk.status, at, chunk.reason)
                self.feeder.consumed(chunk, 0)
                if self.stop_at_boundary:
                    return self._finish(at, pos)
                continue
            take = min(len(chunk.data), n - pos)
            out[pos:pos + take] = chunk.data[:take]
            if self.state == self.FADING:
                take = min(take, self.fade_left)
                done = self.fade_total - self.fade_left
                ramp = 1.0 - (np.arange(done, done + take, dtype=np.float32) + 1) / self.fade_total
                out[pos:pos + take] *= ramp[:, None]
                out[pos + take:] = 0.0
                self.fade_left -= take
            self.feeder.consumed(chunk, take)
            self.played += take
            pos += take
            if self.state == self.FADING and self.fade_left <= 0:
                self._end(Outcome.INTERRUPTED, when + pos / self.rate, self.interrupt_reason)
                return self._finish(when + pos / self.rate, pos)
        return None


class Playback:
    """One rundown being aired. Thread-safe: interrupt from a signal handler or another thread."""

    def __init__(self, output: Output, rundown: Sequence[Entry], start_at: float | None,
                 fade_s: float, ahead_s: float, on_event: Callable[[Event], None] | None,
                 join_late: bool = False, inputs: HeldInputs | None = None) -> None:  # fmt: skip
        self.output = output
        self.result = PlayResult()
        self._on_event = on_event
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._feeder = Feeder(rundown, output.rate, output.channels, int(ahead_s * output.rate), fade_s, inputs)
        self._sequencer = _Sequencer(self._feeder, output.rate, start_at, fade_s, self._events.put,
                                     realtime=getattr(output, "realtime", True), join_late=join_late)
        self._feeder.sounds_at = self._sequencer.sounds_at
        self._dispatcher = threading.Thread(target=self._dispatch, name="radio-events", daemon=True)
        self._runner = threading.Thread(target=self._run, name="radio-playback", daemon=True)
        self._error: BaseException | None = None
        self.done = threading.Event()

    def _begin(self, prefill_timeout: float = 5.0) -> None:
        self._feeder.start()
        deadline = time.monotonic() + prefill_timeout
        first = self._feeder.rundown[self._feeder.sequence[0]] if self._feeder.sequence else None
        if first is not None and first.kind in (EntryKind.RELAY, EntryKind.LIVE):
            # a live source fills as it comes (the relay feed paces it): the output waits for
            # the start instant, or starts at once and airs the source's first audio when it arrives
            deadline = time.monotonic()
        # Have the first second ready before the output's clock starts asking for it.
        with self._feeder.cond:
            while (self._feeder.buffered < min(self._feeder.ahead_frames, self.output.rate)
                   and not self._feeder.finished and time.monotonic() < deadline):  # fmt: skip
                self._feeder.cond.wait(0.05)
        self._dispatcher.start()
        self._runner.start()

    def _run(self) -> None:
        try:
            self.output.run(self._sequencer)
        except DeviceLost as err:
            self._lost(str(err), err.sounded_until)
        except BaseException as err:  # handed to wait(): DeviceError or a bug
            self._error = err
            self._feeder.stop()
        finally:
            self._feeder.stop()
            self._events.put(None)

    def _lost(self, reason: str, sounded_until: float | None) -> None:
        """The device went away: the entry on air was cut by it (interrupted, with the
        seconds that surely sounded: frames handed over after the device's last call
        may never have reached the air)."""
        self._feeder.stop()
        seq = self._sequencer
        seq.state = seq.DONE
        self.result.device_lost = True
        self.result.stopped = reason
        if seq.current is not None:
            at = time.time() if sounded_until is None else sounded_until
            if seq.until is not None and sounded_until is not None:
                unsounded = int(max(0.0, seq.until - sounded_until) * seq.rate)
                seq.played = max(0, seq.played - unsounded)
            seq._end(Outcome.INTERRUPTED, at, reason)

    def _dispatch(self) -> None:
        while (event := self._events.get()) is not None:
            self.result.events.append(event)
            if self._on_event is not None:
                try:
                    self._on_event(event)
                except Exception:  # the caller's bug must not stop the air
                    log.exception("event handler failed")
        self.result.underruns = self._sequencer.underruns + getattr(self.output, "underflows", 0)
        self.done.set()

    def interrupt(self, fade_s: float | None = None, reason: str | None = None, keep_input: bool = False) -> None:
        """Fade out (the configured fade, or *fade_s*; 0 cuts) and stop. *keep_input*: the show
        resumes later (an emergency): a relay's input stays connected for it (held_inputs.py)."""
        self._feeder.keep_inputs = keep_input
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._sequencer.interrupt(fade_s, reason or _("interrupted"))

    def stop_after_current(self, reason: str | None = None) -> None:
        """End when the entry on air now ends, without a fade (a soft start of another show)."""
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._sequencer.stop_after_current(reason)

    def wait(self, timeout: float | None = None) -> PlayResult | None:
        """The result once the last frame has sounded (None if *timeout* passed first).

        Raises DeviceError if the output could not be opened at all.
        """
        if not self.done.wait(timeout):
            return None
        self._runner.join()
        self._feeder.join(1.0)  # its sources closed (or a relay's input kept) before the caller goes on
        if self._error is not None:
            raise self._error
        return self.result


class Player(PlayerBase):
    """Airs rundowns on outputs made by *output_factory* (a fresh output per rundown, so a
    device lost once can be opened again later), in this process."""

    def __init__(self, output_factory: Callable[[], Output], fade_s: float = 0.5, ahead_s: float = 2.0) -> None:
        self.output_factory = output_factory
        self.fade_s = fade_s
        self.ahead_s = ahead_s
        self.inputs = HeldInputs()  # relay inputs connected ahead, or kept through an emergency

    def preconnect(self, rundown: Sequence[Entry]) -> None:
        """Connect to the sources *rundown* relays now; its start() takes the connections over."""
        relays = [e for e in rundown if e.kind is EntryKind.RELAY]
        if relays:
            output = self.output_factory()  # (made, not opened: its rate and channels)
            for entry in relays:
                self.inputs.open(entry, output.rate, output.channels)

    def close(self) -> None:
        self.inputs.close()

    def start(self, rundown: Sequence[Entry], at: datetime | float | None = None,
              on_event: Callable[[Event], None] | None = None, join_late: bool = False) -> Playback:  # fmt: skip
        """Begin airing *rundown*; its first frame sounds at *at* (now if None). Returns at once.

        *join_late*: *at* is a point on a timeline (a rejoin): if the output can only start
        later, the audio that should have sounded meanwhile is skipped.
        """
        if isinstance(at, datetime):
            at = at.timestamp()
        playback = Playback(self.output_factory(), list(rundown), at, self.fade_s, self.ahead_s, on_event,
                            join_late, self.inputs)  # fmt: skip
        playback._begin()
        return playback


__all__ = ["DeviceError", "DeviceLost", "Ended", "Event", "PlayResult", "Playback", "Player", "PlayerBase", "Started"]
