"""The transmitter (or amplifier) relay: radio.toml's on_air / off_air commands.

Switched on before a show and off after it; a failing command is logged, never fatal: the
show airs whatever the relay board does.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable

log = logging.getLogger("radio.daemon")


class Transmitter:
    def __init__(self, commands: Callable[[], tuple[str, str]]) -> None:
        self.commands = commands  # () -> (on_air, off_air), read when used: SIGHUP may change them
        self.powered = False

    def on(self) -> None:
        if not self.powered:
            self.powered = True
            self._run("on_air", self.commands()[0])

    def off(self, wait: bool = False) -> None:
        if self.powered:
            self.powered = False
            self._run("off_air", self.commands()[1], wait)

    @staticmethod
    def _run(which: str, command: str, wait: bool = False) -> None:
        if not command:
            return

        def run() -> None:
            try:
                done = subprocess.run(command, shell=True, timeout=30, capture_output=True, text=True)
                if done.returncode != 0:
                    log.error("%s command failed (exit %d): %s", which, done.returncode, done.stderr.strip())
                else:
                    log.info("%s command done", which)
            except (OSError, subprocess.TimeoutExpired) as err:
                log.error("%s command failed: %s", which, err)

        if wait:
            run()
        else:
            threading.Thread(target=run, daemon=True, name=f"radio-{which}").start()
