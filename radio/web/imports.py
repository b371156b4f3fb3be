"""How many uploads the console analyses at once, and how many may wait their turn.

An analysis holds one of the station's slots (`library/slots.py`) and a worker thread of
the console. Without a gate, fifty uploads at once would hold fifty threads waiting for a
slot, and the pages — run on the same thread pool — would stop answering. So uploads wait
for their turn here, on the event loop, holding no thread; and beyond a short queue the
console answers 503 at once, before receiving the body, instead of filling the disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

WAITING_PER_SLOT = 4


class Busy(Exception):
    """The queue of uploads is full: try again later."""


class ImportGate:
    def __init__(self, running: int, waiting: int | None = None) -> None:
        self.running = max(1, running)
        self.admitted_max = self.running + (WAITING_PER_SLOT * self.running if waiting is None else waiting)
        self.admitted = 0
        self._turns = asyncio.Semaphore(self.running)

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """A place in the queue (raises Busy when it is full), for the whole upload."""
        if self.admitted >= self.admitted_max:
            raise Busy
        self.admitted += 1  # the event loop's thread only: no lock needed
        try:
            yield
        finally:
            self.admitted -= 1

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait (without a thread) until one of the console's analyses may start."""
        async with self._turns:
            yield
