"""The player as the daemon and `radio play` use it: the same interface as Player, the
audio in a process of its own (see engine.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from radio.audio.engine import entry_to_json
from radio.audio.output import DeviceError
from radio.audio.events import Ended, Event, PlayerBase, PlayResult, Started
from radio.domain.playout import Entry, Outcome
from radio.i18n import _


def _wall(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


class EnginePlayback:
    """One rundown airing in an engine process. Thread-safe, like Playback."""

    def __init__(self, proc: subprocess.Popen, rundown: Sequence[Entry], on_event) -> None:
        self.proc = proc
        self.rundown = list(rundown)
        self.result = PlayResult()
        self.done = threading.Event()
        self._on_event = on_event
        self._error: DeviceError | None = None
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="radio-engine-events", daemon=True)
        self._reader.start()

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
        for line in self.proc.stdout:
            message = json.loads(line)
            kind = message["event"]
            if kind == "started":
                open_index = message["index"]
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
                finished = True
        self.proc.wait()
        if not finished:  # the engine died: what was on air failed
            reason = _("the audio engine stopped unexpectedly (exit {code})").format(code=self.proc.returncode)
            self.result.stopped = reason
            self.result.device_lost = True
            if open_index is not None:
                self._deliver(Ended(open_index, self.rundown[open_index], datetime.now(timezone.utc),
                                    Outcome.FAILED, 0.0, reason))  # fmt: skip
        self.done.set()

    def _send(self, command: dict) -> None:
        with self._lock:
            try:
                self.proc.stdin.write(json.dumps(command) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the engine has ended already

    def interrupt(self, fade_s: float | None = None, reason: str | None = None) -> None:
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._send({"cmd": "interrupt", "fade_s": fade_s, "reason": reason or _("interrupted")})

    def stop_after_current(self, reason: str | None = None) -> None:
        if self.result.stopped is None:
            self.result.stopped = reason or _("interrupted")
        self._send({"cmd": "stop_after_current", "reason": reason})

    def wait(self, timeout: float | None = None) -> PlayResult | None:
        if not self.done.wait(timeout):
            return None
        self._reader.join()
        with self._lock:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
        if self._error is not None:
            raise self._error
        return self.result


class EnginePlayer(PlayerBase):
    """Airs each rundown on the sound card through a fresh engine process."""

    def __init__(self, output: dict, fade_s: float = 0.5, ahead_s: float = 2.0) -> None:
        self.output = output  # SoundDeviceOutput's keyword arguments
        self.fade_s = fade_s
        self.ahead_s = ahead_s

    def start(self, rundown: Sequence[Entry], at: datetime | float | None = None,
              on_event: Callable[[Event], None] | None = None) -> EnginePlayback:  # fmt: skip
        if isinstance(at, datetime):
            at = at.timestamp()
        proc = subprocess.Popen(
            [sys.executable, "-m", "radio.audio.engine"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip
        request = {"rundown": [entry_to_json(e) for e in rundown], "at": at, "output": self.output,
                   "fade_s": self.fade_s, "ahead_s": self.ahead_s}  # fmt: skip
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        return EnginePlayback(proc, rundown, on_event)
