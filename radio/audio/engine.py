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
"""

from __future__ import annotations

import json
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


def main() -> int:
    # The parent handles Ctrl-C and SIGTERM and tells us (fade-out); we never die mid-buffer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lock = threading.Lock()

    def emit(message: dict) -> None:
        with lock:
            try:
                sys.stdout.write(json.dumps(message) + "\n")
                sys.stdout.flush()
            except (BrokenPipeError, ValueError):
                pass  # the parent is gone; its input closing stops us

    line = sys.stdin.readline()  # a warm engine waits here, imports done, until it is needed
    if not line.strip():
        return 0  # never needed: the parent closed our input
    request = json.loads(line)
    output = make_output(request["output"])
    tee = None
    if request.get("tee"):
        from radio.streams.feed import StreamTee

        tee = StreamTee(request["tee"])
        output = tee.wrap(output)
    player = Player(lambda: output, fade_s=request["fade_s"], ahead_s=request["ahead_s"])
    rundown = [entry_from_json(e) for e in request["rundown"]]

    def on_event(event) -> None:
        emit(event_to_json(event))
        if tee is not None and isinstance(event, Started):
            tee.title(event.entry.title, event.at.timestamp())

    playback = player.start(rundown, at=request["at"], on_event=on_event, join_late=request.get("join_late", False))

    def commands() -> None:
        for line in sys.stdin:
            command = json.loads(line)
            if command["cmd"] == "interrupt":
                playback.interrupt(command.get("fade_s"), command.get("reason"))
            elif command["cmd"] == "stop_after_current":
                playback.stop_after_current(command.get("reason"))
        playback.interrupt(0.0)  # the parent is gone: nobody would log what we air

    threading.Thread(target=commands, name="radio-engine-commands", daemon=True).start()
    try:
        result = playback.wait()
    except DeviceError as err:
        emit({"event": "error", "message": str(err)})
        return 1
    emit({"event": "done", "stopped": result.stopped, "device_lost": result.device_lost,
          "underruns": result.underruns})  # fmt: skip
    if tee is not None:
        tee.close()
    try:
        sys.stdout.close()
    except BrokenPipeError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
