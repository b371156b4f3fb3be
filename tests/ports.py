"""Loopback ports for servers the tests start as other processes (`radio web`, icecast2, the
hub), which need a port number before they bind it.

Asking the kernel for a free port (bind to 0, close) and handing the number to a process
that binds it a second later is a race: meanwhile any outgoing connection of the machine may
take that port as its source port, and with pytest-xdist the other worker starts servers at
the same moment. So each worker takes ports from a block of its own, below the kernel's
ephemeral range (32768-60999 on Linux, never used for outgoing connections), and walks it in
order, so a port is not handed out again soon after a test closed it.
"""

from __future__ import annotations

import itertools
import os
import socket

BASE = 20000  # below /proc/sys/net/ipv4/ip_local_port_range
BLOCK = 1000  # ports per worker


def _worker_index() -> int:
    """0 for `pytest` alone or gw0, 1 for gw1, … (PYTEST_XDIST_WORKER is set by pytest-xdist)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = name.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _ports():
    start = BASE + (_worker_index() % 10) * BLOCK
    return itertools.cycle(range(start, start + BLOCK))


_next = _ports()


def free_port() -> int:
    """A port of this worker's block where nothing listens now."""
    for _ in range(BLOCK):
        port = next(_next)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {BASE}+{BLOCK}*worker")
