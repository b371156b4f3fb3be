"""The console's HTTP connections, guarded against clients that hold them open.

uvicorn has no timeout for a request's headers, and its concurrency limit answers 503 to
*everyone* once that many connections are open: a few hundred sockets that never finish
their headers (slowloris) took the console from every user. So, per connection:

- its headers must arrive within HEADER_TIMEOUT_S of its first byte (or of the connection),
  else it is closed; a slow body (an upload over weak Wi-Fi) is not limited;
- one address holds at most PER_ADDRESS connections, the console at most MAX_CONNECTIONS;
  past them a new connection is closed at once, and those already open are served.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
PER_ADDRESS = 64  # browsers open 6 per site; a reverse proxy in front is one address
MAX_CONNECTIONS = 512  # below the 1024 descriptors a service gets by default


class GuardedH11Protocol(H11Protocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        same = sum(1 for c in self.connections if c.client and c.client[0] == host)
        if len(self.connections) > MAX_CONNECTIONS or same > PER_ADDRESS:
            transport.abort()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on a kept-alive connection begins
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.abort()
