"""The feed from an audio engine to the stream hub: what the sound card plays, with when.

Engine side (``StreamTee``): the output's callback hands each buffer and the wall-clock
instant its first frame sounds to a bounded queue (never waiting: a full queue drops); a
thread sends them on the hub's Unix socket (``streams.sock`` in the station home, 0600).
Messages: a header ``<cdI`` (kind ``A`` audio or ``T`` title, instant, payload length),
then the payload (float32 frames; UTF-8 title).
"""

from __future__ import annotations

import queue
import socket
import struct
import threading
from pathlib import Path

from radio.home import STREAMS_SOCKET_NAME, StationHome
from radio.home import socket_address as _unix_address

SOCKET_NAME = STREAMS_SOCKET_NAME  # the name callers used before radio.home held the layout
HEADER = struct.Struct("<cdI")


def socket_address(home: Path):
    """The stream socket's address (see radio.home.socket_address)."""
    return _unix_address(StationHome(home).streams_socket)


class StreamTee:
    """Sends what the engine's output plays to the hub; the audio never waits for it."""

    def __init__(self, home: str, max_blocks: int = 64) -> None:
        self.home = Path(home)
        self._queue: queue.Queue = queue.Queue(maxsize=max_blocks)
        self.dropped = 0
        self._thread = threading.Thread(target=self._send, name="radio-tee", daemon=True)
        self._thread.start()

    def audio(self, when: float, block) -> None:
        self._put(HEADER.pack(b"A", when, block.nbytes) + block.tobytes())

    def title(self, text: str, at: float) -> None:
        data = text.encode("utf-8")
        self._put(HEADER.pack(b"T", at, len(data)) + data)

    def _put(self, message: bytes) -> None:
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            self.dropped += 1

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(2)

    def _send(self) -> None:
        sock = None
        while (message := self._queue.get()) is not None:
            if sock is None:
                try:
                    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    sock.settimeout(1.0)
                    with socket_address(self.home) as address:
                        sock.connect(address)
                except OSError:
                    sock.close()
                    sock = None
                    continue  # no hub (yet): this block is lost, the next one tries again
            try:
                sock.sendall(message)
            except OSError:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    def wrap(self, output):
        return TeeOutput(output, self)


class _TeeSource:
    def __init__(self, source, tee: StreamTee) -> None:
        self.source = source
        self.tee = tee

    def fill(self, out, when: float):
        used = self.source.fill(out, when)
        self.tee.audio(when, out)
        return used

    @property
    def end_time(self):
        return self.source.end_time


class TeeOutput:
    """An output that also sends what it plays to the stream hub (same samples, same instants)."""

    def __init__(self, output, tee: StreamTee) -> None:
        self.output = output
        self.tee = tee
        self.rate = output.rate
        self.channels = output.channels
        self.realtime = output.realtime

    def describe(self) -> str:
        return self.output.describe()

    def run(self, source) -> None:
        self.output.run(_TeeSource(source, self.tee))
