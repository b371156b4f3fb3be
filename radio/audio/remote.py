"""The player as the daemon and `radio play` use it: the same interface as Player, the
audio in a process of its own (see engine.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from radio.audio.protocol import entry_to_json, relay_keys
from radio.audio.output import DeviceError
from radio.audio.events import Ended, Event, PlayerBase, PlayResult, Started
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.i18n import _


def _wall(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


class EnginePlayback:
    """One rundown airing in an engine process. Thread-safe, like Playback."""

    def __init__(self, proc: subprocess.Popen, rundown: Sequence[Entry], on_event,
                 open_timeout_s: float | None = None, on_held=None) -> None:  # fmt: skip
        self.proc = proc
        self._on_held = on_held  # called with the engine when it stays, holding a relay input
        self.held = False
        self.rundown = list(rundown)
        self.result = PlayResult()
        self.done = threading.Event()
        self._on_event = on_event
        self._error: DeviceError | None = None
        self._lock = threading.Lock()
        self._heard = threading.Event()  # the engine has said something: it is not stuck opening
        self._timed_out: float | None = None
        self._reader = threading.Thread(target=self._read, name="radio-engine-events", daemon=True)
        self._reader.start()
        if open_timeout_s is not None:
            threading.Thread(target=self._guard_open, args=[open_timeout_s], daemon=True,
                             name="radio-engine-open").start()  # fmt: skip

    def _guard_open(self, timeout_s: float) -> None:
        """A sound server that is frozen can hang the opening of a stream inside PortAudio:
        an engine silent past its start is stopped, so the caller can try again."""
        if not self._heard.wait(timeout_s) and self.proc.poll() is None:
            self._timed_out = timeout_s
            self.proc.kill()

    def _deliver(self, event: Event) -> None:
        self.result.events.append(event)
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # the caller's bug must not stop the air
                import logging

                logging.getLogger("radio.audio").exception("event handler failed")

    def _read(self) -> None:
        finished = False
        open_index: int | None = None
        open_since = 0.0
        for line in self.proc.stdout:
            if finished:
                break
            message = json.loads(line)
            self._heard.set()
            kind = message["event"]
            if kind == "started":
                open_index, open_since = message["index"], message["at"]
                self._deliver(Started(open_index, self.rundown[open_index], _wall(message["at"])))
            elif kind == "ended":
                open_index = None
                self._deliver(Ended(message["index"], self.rundown[message["index"]], _wall(message["at"]),
                                    Outcome(message["status"]), message["played_s"], message["reason"]))  # fmt: skip
            elif kind == "error":
                self._error = DeviceError(message["message"])
                finished = True
            elif kind == "done":
                if message["stopped"] and self.result.stopped is None:
                    self.result.stopped = message["stopped"]
                self.result.device_lost = message["device_lost"]
                self.result.underruns = message["underruns"]
                self.held = bool(message.get("held"))
                finished = True
                if self.held:
                    break  # the engine stays, its relay input connected, for the next rundown
        if self.held:
            if self._on_held is not None:
                self._on_held(self.proc)
            self._heard.set()
            self.done.set()
            return
        self.proc.wait()
        self._heard.set()
        if not finished and self._timed_out is not None:
            self._error = DeviceError(_("the output device did not start playing within {s:.1f} s").format(
                s=self._timed_out))  # fmt: skip
        elif not finished:  # the engine died: what was on air was cut, as by a lost device
            reason = _("the audio engine stopped unexpectedly (exit {code})").format(code=self.proc.returncode)
            self.result.stopped = reason
            self.result.device_lost = True
            if open_index is not None:
                now = datetime.now(timezone.utc)
                played = max(0.0, now.timestamp() - open_since)
                self._deliver(Ended(open_index, self.rundown[open_index], now, Outcome.INTERRUPTED, played, reason))
        self.done.set()

    def _send(self, command: dict) -> None:
        with self._lock:
            try:
                self.proc.stdin.write(json.dumps(command) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the engine has ended already

    def interrupt(self, fade_s: float | None = None, reason: str | None = None, keep_input: bool = False) -> None:
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._send({"cmd": "interrupt", "fade_s": fade_s, "reason": reason or _("interrupted"),
                    "keep_input": keep_input})  # fmt: skip

    def stop_after_current(self, reason: str | None = None) -> None:
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._send({"cmd": "stop_after_current", "reason": reason})

    def wait(self, timeout: float | None = None) -> PlayResult | None:
        if not self.done.wait(timeout):
            return None
        self._reader.join()
        with self._lock:
            if not self.held and self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
        if self._error is not None:
            raise self._error
        return self.result


def _release(proc: subprocess.Popen) -> None:
    """Let an engine that holds a relay input go: its input closes, it closes the input and exits."""
    try:
        proc.stdin.close()
    except OSError:
        pass
    threading.Thread(target=proc.wait, name="radio-engine-reap", daemon=True).start()


def _spawn() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "radio.audio.engine"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
    )  # fmt: skip


class EnginePlayer(PlayerBase):
    """Airs each rundown on the sound card through a fresh engine process.

    With *warm*, one engine is kept started ahead, its imports done, waiting for its
    rundown: an emergency or a recovery after device trouble skips the ~0.3 s that a
    Python process takes to start and import numpy and PortAudio.
    """

    WARM_DELAY_S = 1.0  # the next warm engine starts after the current one has opened its stream
    OPEN_S = 6.0  # an engine silent this long past its start (plus the device's grace) is stuck

    def __init__(self, output: dict, fade_s: float = 0.5, ahead_s: float = 2.0, warm: bool = False,
                 tee: str | None = None) -> None:  # fmt: skip
        self.output = output  # SoundDeviceOutput's keyword arguments
        self.tee = tee  # the station home whose stream hub also gets what plays (radio/streams/feed.py)
        self.fade_s = fade_s
        self.ahead_s = ahead_s
        self.warm = warm
        self._spare: subprocess.Popen | None = None
        self._held: tuple[subprocess.Popen, set] | None = None  # an engine holding relay inputs, and their keys
        self._lock = threading.Lock()
        self._closed = False
        if warm:
            self._prepare()

    def _prepare(self) -> None:
        with self._lock:
            if self._closed or (self._spare is not None and self._spare.poll() is None):
                return
            self._spare = _spawn()

    def _take(self) -> subprocess.Popen:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.poll() is None:
            return spare
        return _spawn()

    # ---- engines that hold a relay's input between rundowns (held_inputs.py)
    def _hold(self, proc: subprocess.Popen, keys: set) -> None:
        with self._lock:
            old, self._held = self._held, (proc, keys)
        if old is not None and old[0] is not proc:
            _release(old[0])

    def _claim(self, keys: set) -> subprocess.Popen | None:
        """The engine holding the input of a relay in *keys* (it airs the rundown); an engine
        holding another relay's is let go when a rundown relays something else."""
        with self._lock:
            held = self._held
            if held is None or not keys:
                return None  # (a rundown without relay, the alarm say: the input stays held)
            self._held = None
        proc, held_keys = held
        if held_keys & keys and proc.poll() is None:
            return proc
        _release(proc)
        return None

    def preconnect(self, rundown: Sequence[Entry]) -> None:
        """Connect to the sources *rundown* relays now, in an engine that airs it when started."""
        relays = [e for e in rundown if e.kind is EntryKind.RELAY]
        keys = relay_keys(relays)
        with self._lock:
            if not keys or (self._held is not None and self._held[1] & keys and self._held[0].poll() is None):
                return
        proc = self._take()
        try:
            proc.stdin.write(json.dumps({"connect": [entry_to_json(e) for e in relays], "output": self.output}) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return  # the engine died: start() takes another
        self._hold(proc, keys)
        self._warm_later()

    def _warm_later(self) -> None:
        if self.warm:
            timer = threading.Timer(self.WARM_DELAY_S, self._prepare)
            timer.daemon = True
            timer.start()

    def start(self, rundown: Sequence[Entry], at: datetime | float | None = None,
              on_event: Callable[[Event], None] | None = None, join_late: bool = False) -> EnginePlayback:  # fmt: skip
        if isinstance(at, datetime):
            at = at.timestamp()
        keys = relay_keys(rundown)
        proc = self._claim(keys) or self._take()
        request = {"rundown": [entry_to_json(e) for e in rundown], "at": at, "output": self.output,
                   "fade_s": self.fade_s, "ahead_s": self.ahead_s, "join_late": join_late, "tee": self.tee}  # fmt: skip
        try:
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the engine died meanwhile: its playback reports it like any engine crash
        self._warm_later()
        lead = max(0.0, at - time.time()) if at is not None else 0.0
        grace = float(self.output.get("grace_s", 2.5)) + float(self.output.get("latency_s", 0.2))
        return EnginePlayback(proc, rundown, on_event, open_timeout_s=lead + self.OPEN_S + grace,
                              on_held=lambda engine: self._hold(engine, keys))  # fmt: skip

    def close(self) -> None:
        """Let the warm engine go (its input closes: it exits without opening anything)."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
            held, self._held = self._held, None
        if held is not None:
            _release(held[0])
        if spare is not None:
            try:
                spare.stdin.close()
                spare.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                spare.kill()
