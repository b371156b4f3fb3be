"""The audio engine: a small process of its own that airs one rundown on the sound card.

Broadcast automation keeps the audio apart from the rest (Rivendell's caed): here the
daemon and `radio play` start ``python -m radio.audio.engine`` for each rundown. It imports
only the player, numpy and PortAudio (about 50 MB, against the ~90 MB of a process that also
holds the database layer), and nothing the scheduler does can stall its audio thread.

Protocol, one JSON object per line. Standard input: first the request
``{"rundown": [entry…], "at": epoch seconds | null, "output": {…}, "fade_s", "ahead_s", "join_late",
"tee": station home | null}`` (tee: also send what plays to the stream hub, radio/streams/feed.py),
then commands ``{"cmd": "interrupt", "fade_s", "reason"}`` or
``{"cmd": "stop_after_current", "reason"}``; end of input (the parent is gone) cuts the
audio. Standard output: ``{"event": "started", "index", "at"}``,
``{"event": "ended", "index", "at", "status", "played_s", "reason"}``, and last
``{"event": "done", "stopped", "device_lost", "underruns"}`` or
``{"event": "error", "message"}`` (the output could not be opened).

An engine whose relay input outlives its rundown (interrupted with ``"keep_input": true``:
an emergency; or connected ahead by the request ``{"connect": [relay entry…], "output"}``)
says ``"held": true`` in its ``done`` and waits for its next request on the same pipes,
which takes the input over (held_inputs.py); it exits once its input's session is over or
its input closes.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
from radio.audio.output import DeviceError
from radio.audio.player import Player
from radio.audio.protocol import entry_from_json, event_to_json
from radio.audio.events import Started
from radio.audio.sd_output import SoundDeviceOutput


def make_output(spec: dict):
    """The sound card, or with device "none" (an IP-only station) the steady clock."""
    if spec.get("device") == "none":
        from radio.audio.clock_output import ClockOutput

        return ClockOutput(**spec)
    return SoundDeviceOutput(**spec)


class _Input:
    """Standard input on a thread of its own: requests wait in a queue, commands go to the
    playback on air (kept until it exists), and the end of input (the parent is gone) cuts
    the audio at once."""

    def __init__(self) -> None:
        self.requests: queue.Queue = queue.Queue()
        self._playback = None
        self._early: list[dict] = []  # commands that came before their playback
        self._lock = threading.Lock()
        threading.Thread(target=self._read, name="radio-engine-commands", daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            message = json.loads(line)
            if "cmd" in message:
                with self._lock:
                    playback = self._playback
                    if playback is None:
                        self._early.append(message)
                if playback is not None:
                    self._apply(playback, message)
            else:
                self.requests.put(message)
        # The parent is gone. Cutting the audio and closing the output normally ends us at
        # once; a stream stuck in PortAudio (a frozen sound server) would keep this process
        # forever, an orphan holding the device: past a grace, it is ended regardless.
        guard = threading.Timer(EXIT_GRACE_S, os._exit, args=[0])
        guard.daemon = True  # (a normal exit does not wait for it)
        guard.start()
        self.requests.put(None)
        with self._lock:
            playback = self._playback
            self._early.append({"cmd": "interrupt", "fade_s": 0.0})  # nobody would log what we air
        if playback is not None:
            playback.interrupt(0.0)

    @staticmethod
    def _apply(playback, command: dict) -> None:
        if command["cmd"] == "interrupt":
            playback.interrupt(command.get("fade_s"), command.get("reason"), command.get("keep_input", False))
        elif command["cmd"] == "stop_after_current":
            playback.stop_after_current(command.get("reason"))

    def attach(self, playback) -> None:
        with self._lock:
            self._playback, early, self._early = playback, self._early, []
        for command in early if playback is not None else []:
            self._apply(playback, command)

    def next(self, timeout: float | None) -> dict | None:
        """The next request (None: the input ended, or none came within *timeout*)."""
        try:
            return self.requests.get(timeout=timeout)
        except queue.Empty:
            return None


def _air(request: dict, player: Player, commands: _Input, emit) -> int:
    """Air one rundown: its events out, its commands in; 1 if the output could not open."""
    tee = None
    if request.get("tee"):
        from radio.streams.feed import StreamTee

        tee = StreamTee(request["tee"])
    rundown = [entry_from_json(e) for e in request["rundown"]]
    spec = request["output"]
    wanted = [e.latency_s for e in rundown if e.latency_s]
    if wanted and "latency_s" in spec:  # a live voice: a short output buffer (live_input.py)
        latency = min([spec["latency_s"], *wanted])
        spec = {**spec, "latency_s": latency, "block_frames": max(256, int(spec.get("rate", 48000) * latency / 4))}
    output = make_output(spec)
    player.output_factory = (lambda: tee.wrap(output)) if tee is not None else (lambda: output)
    player.fade_s, player.ahead_s = request["fade_s"], request["ahead_s"]

    def on_event(event) -> None:
        emit(event_to_json(event))
        if tee is not None and isinstance(event, Started):
            tee.title(event.entry.title, event.at.timestamp())

    playback = player.start(rundown, at=request["at"], on_event=on_event, join_late=request.get("join_late", False))
    commands.attach(playback)
    try:
        result = playback.wait()
    except DeviceError as err:
        emit({"event": "error", "message": str(err)})
        return 1
    finally:
        commands.attach(None)
        if tee is not None:
            tee.close()
    emit({"event": "done", "stopped": result.stopped, "device_lost": result.device_lost,
          "underruns": result.underruns, "held": bool(player.inputs)})  # fmt: skip
    return 0


ENGINE_NICE = -10  # the audio engine's priority where the process may raise it (root, CAP_SYS_NICE)


EXIT_GRACE_S = 5.0  # after the parent is gone, at most this long to close the output


def _above_the_rest() -> None:
    """Playout goes first: the engine asks for a higher CPU priority than everything the
    station does besides (imports at nice 19, the console at nice 10). Without the right to
    (an unprivileged user) it keeps what it has; the systemd unit's Nice= gives it then."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) > ENGINE_NICE:
            os.setpriority(os.PRIO_PROCESS, 0, ENGINE_NICE)
    except OSError:
        pass


def main() -> int:
    # The parent handles Ctrl-C and SIGTERM and tells us (fade-out); we never die mid-buffer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _above_the_rest()
    lock = threading.Lock()

    def emit(message: dict) -> None:
        with lock:
            try:
                sys.stdout.write(json.dumps(message) + "\n")
                sys.stdout.flush()
            except (BrokenPipeError, ValueError):
                pass  # the parent is gone; its input closing stops us

    commands = _Input()
    player = Player(lambda: None)  # its output, fade and buffer come with each request
    code = 0
    request = commands.next(None)  # a warm engine waits here, imports done, until it is needed
    while request is not None:
        if "connect" in request:  # a relay's input, connected ahead of its rundown
            spec = request["output"]
            for entry in request["connect"]:
                player.inputs.open(entry_from_json(entry), spec.get("rate", 48000), spec.get("channels", 1))
        else:
            code = _air(request, player, commands, emit)
        if code or not player.inputs:
            break
        request = commands.next(player.inputs.hold_s())  # held for the next rundown, until its session ends
    player.close()
    try:
        sys.stdout.close()
    except BrokenPipeError:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main())
