"""The daemon's handle on the stream hub process (hub.py): start it, read its status, stop it.

Standard library only: the daemon imports this before its database layer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess
import sys
import threading

from radio.config import Settings

log = logging.getLogger("radio.daemon")


class HubProcess:
    """``python -m radio.streams.hub`` fed the station's [[stream]] settings on its input
    (the passwords go through the pipe, never on a command line)."""

    RESTART_S = 2.0  # a hub that died is started again after this

    def __init__(self, settings: Settings) -> None:
        self.home = settings.home
        self.streams = settings.streams
        self._status: list[dict] = [self._configured(s) for s in settings.streams]
        self._request = {"home": str(settings.home), "rate": settings.playout.sample_rate,
                         "channels": settings.playout.channels, "station": settings.station.name,
                         "streams": [dataclasses.asdict(s) for s in settings.streams]}  # fmt: skip
        self._closing = threading.Event()
        self._spawn()
        self._reader = threading.Thread(target=self._read, name="radio-hub-status", daemon=True)
        self._reader.start()

    def _spawn(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "radio.streams.hub"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)  # fmt: skip
        try:
            self.proc.stdin.write(json.dumps(self._request) + "\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # died at once: the reader sees it

    @staticmethod
    def _configured(stream) -> dict:
        return {"name": stream.label, "kind": stream.kind, "target": stream.target.redacted(), "connected": False,
                "since": None, "bytes_sent": 0, "listeners": None, "error": None, "outages": 0}  # fmt: skip

    @property
    def feed(self) -> str:
        """What an engine needs to send to the hub: the station home (the socket is in it)."""
        return str(self.home)

    def _read(self) -> None:
        while True:
            for line in self.proc.stdout:
                try:
                    self._status = json.loads(line)["streams"]
                except (ValueError, KeyError):
                    pass
            code = self.proc.wait()
            if self._closing.wait(self.RESTART_S):
                return
            log.error("the stream hub stopped (exit %s); starting it again", code)
            self._spawn()

    def status(self) -> list[dict]:
        if self.proc.poll() is not None:
            return [{**s, "connected": False, "error": "stream hub stopped"} for s in self._status]
        return self._status

    def close(self) -> None:
        self._closing.set()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(6)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
