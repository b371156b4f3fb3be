"""A station-wide limit on how many files are analysed at once.

Every import — `radio library add`, a web upload, a spoken notice — decodes its files to
the end with ffmpeg. Without a limit, an operator uploading many files (or a few hostile
ones: hours of silence in a few kilobytes) while someone imports from the CLI starts an
ffmpeg for each, and the PC that airs the commune's programme runs out of CPU and disk.

The limit holds across processes and threads: N lock files in the station home, each held
with flock(2) by whoever analyses. flock locks belong to an open file description, so two
threads of one process exclude each other just as two processes do, and a process that
dies (kill -9) releases its slot with its file descriptors: nothing to clean up.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_S = 0.1


class AnalysisSlots:
    def __init__(self, folder: Path, count: int) -> None:
        self.folder = folder
        self.count = max(1, count)

    def _try_one(self) -> int | None:
        """A descriptor holding one free slot, or None if all are taken."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for n in range(self.count):
            fd = os.open(self.folder / f"analysis-{n}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.close(fd)
            except BaseException:
                os.close(fd)
                raise
        return None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Wait for a free slot and keep it for the block (the waiting costs no CPU to speak of)."""
        while (fd := self._try_one()) is None:
            time.sleep(POLL_S)
        try:
            yield
        finally:
            os.close(fd)  # releases the flock
