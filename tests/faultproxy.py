"""A fault-injecting TCP proxy between a station and its hub: it delays what passes, resets a
connection in the middle of a response (a 3G link dropping a download), and cuts the link
(every connection reset, new ones refused) for as long as a test wants."""

from __future__ import annotations

import re
import socket
import struct
import threading
import time


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST, as a dropped mobile link looks to the peer."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # wake the other direction's thread blocked in recv on this socket: until it lets go,
        # closing would not release the socket (and send the RST)
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class FaultProxy:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.delay_s = 0.0  # added before each chunk passed on
        self.reset_after_bytes: int | None = None  # hub->station bytes per connection before a reset
        self.cut = False
        self.bytes_down = 0  # hub->station bytes passed on, all connections
        self.resets = 0
        self.requests: list[str] = []  # the request line of each connection, station->hub, in order
        self.heads: list[bytes] = []  # the first chunk (request line and headers) of each, in order
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def set_cut(self, cut: bool) -> None:
        self.cut = cut
        if cut:
            with self._lock:
                for sock in list(self._open):
                    _reset(sock)
                self._open.clear()

    def range_starts(self, path_part: str) -> list[int]:
        """The first byte each request for a path containing *path_part* asked for (0: the
        whole file), in order."""
        starts = []
        for head in self.heads:
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            if path_part in line:
                found = re.search(rb"(?im)^range:\s*bytes=(\d+)-", head)
                starts.append(int(found.group(1)) if found else 0)
        return starts

    def close(self) -> None:
        self._stopped = True
        self.listener.close()
        self.set_cut(True)

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)  # the connect is bounded, not the answer: a long poll waits 25 s
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, downstream: bool) -> None:
        passed = 0
        try:
            while True:
                data = src.recv(64 * 1024)
                if not data:
                    break
                if not downstream and passed == 0:
                    self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                    self.heads.append(data)
                if self.delay_s:
                    time.sleep(self.delay_s)
                if downstream and self.reset_after_bytes is not None and passed + len(data) > self.reset_after_bytes:
                    part = data[: max(0, self.reset_after_bytes - passed)]
                    dst.sendall(part)
                    self.bytes_down += len(part)
                    self.resets += 1
                    _reset(dst)
                    _reset(src)
                    return
                dst.sendall(data)
                passed += len(data)
                if downstream:
                    self.bytes_down += len(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            _reset(dst)
            _reset(src)
        finally:
            with self._lock:
                self._open.discard(src)
