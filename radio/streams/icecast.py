"""An Icecast MP3 stream: ffmpeg encodes, this module is the source client.

ffmpeg only encodes (PCM on its input, MP3 on its output); the connection to Icecast is ours
(an HTTP PUT with the source password, RFC 7617 basic authentication), so that:

- the password is never on a command line (where `ps` shows it to every user) nor in a
  message: errors name the stream by its URL without the password;
- the encoder runs on while the server is away, so a reconnection sends the programme as it
  is now, and costs a TCP connection, not an encoder start;
- the bytes between encoder and network sit in a bounded buffer (`BUFFER_S` of audio): a
  network that cannot keep up overflows it, and the connection is dropped and made again
  (backoff 0.5, 1, 2 s, then every 2 s) with fresh audio — never a growing delay, and
  never a wait on the hub's clock (which paces the RTP streams too).

The title of the item on air is sent with Icecast's metadata request (`/admin/metadata`,
allowed with the source credentials) when the item starts; listener counts come from the
server's public status page (`/status-json.xsl`) when it answers.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import os
import queue
import socket
import subprocess
import threading
import time
from urllib.parse import quote

import numpy as np

from radio.domain.streams import IcecastTarget, redact
from radio.i18n import _
from radio.streams.state import StreamState

log = logging.getLogger("radio.streams")

BUFFER_S = 2.0  # encoded audio held for a slow network before the connection is dropped
BACKOFF_S = (0.5, 1.0, 2.0)  # then every 2 s
CONNECT_TIMEOUT_S = 3.0
SEND_TIMEOUT_S = 2.0
LISTENERS_EVERY_S = 10.0


def encoder_command(rate: int, channels: int, out_rate: int, out_channels: int, bitrate: int) -> list[str]:
    """ffmpeg reading float PCM and writing bare CBR MP3 frames, flushed as they are made."""
    return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "f32le", "-ar", str(rate),
            "-ac", str(channels), "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k",
            "-ar", str(out_rate), "-ac", str(out_channels), "-id3v2_version", "0", "-write_xing", "0",
            "-flush_packets", "1", "-f", "mp3", "pipe:1"]  # fmt: skip


def _frame_start(data: bytes | bytearray, header: bytes | None) -> int:
    """Where the first MP3 frame begins in *data* (the stream's own header, if known); -1: none."""
    i = data.find(b"\xff")
    while 0 <= i < len(data) - 3:
        b1, b2 = data[i + 1], data[i + 2]
        if b1 & 0xE0 == 0xE0 and (b2 & 0xF0) not in (0x00, 0xF0) and (b2 & 0x0C) != 0x0C:
            if header is None or (b1 == header[0] and (b2 & 0xFC) == (header[1] & 0xFC)):
                return i
        i = data.find(b"\xff", i + 1)
    return -1


class IcecastSender:
    def __init__(self, label: str, target: IcecastTarget, rate: int, channels: int, *, bitrate: int = 64,
                 out_rate: int = 44100, out_channels: int = 1, name: str = "", description: str = "",
                 between_sessions: str = "silence") -> None:  # fmt: skip
        self.state = StreamState(label, "icecast", target.redacted())
        self.target = target
        self.rate, self.channels = rate, channels
        self.bitrate, self.out_rate, self.out_channels = bitrate, out_rate, out_channels
        self.name, self.description = name, description
        self.disconnect_between = between_sessions == "disconnect"
        self.limit = int(bitrate * 1000 / 8 * BUFFER_S)
        self.buffer = bytearray()
        self.cond = threading.Condition()
        self.wanted = True  # a connection is wanted now (False: between sessions, disconnect mode)
        self.reset = False  # the sender must drop its connection (overflow)
        self.header: bytes | None = None  # bytes 1-2 of the stream's MP3 frame header
        self.encoder: subprocess.Popen | None = None
        self._pcm: queue.Queue = queue.Queue(maxsize=20)  # 2 s of 100 ms batches for the encoder
        self._batch: list[bytes] = []
        self._batched = 0
        self._batch_frames = rate // 10  # the encoder gets 100 ms at a time: 20 ms writes cost it 25 % more CPU
        self._admin: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # ---- life
    def start(self) -> None:
        self._start_encoder()
        for target, name in ((self._send_loop, "send"), (self._admin_loop, "admin"), (self._pcm_loop, "pcm")):
            thread = threading.Thread(target=target, name=f"radio-icecast-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        self._stopping.set()
        with self.cond:
            self.cond.notify_all()
        self._admin.put(None)
        try:
            self._pcm.put_nowait(None)
        except queue.Full:
            pass
        encoder = self.encoder
        if encoder is not None:
            try:
                encoder.stdin.close()
            except OSError:
                pass
            try:
                encoder.wait(3)
            except subprocess.TimeoutExpired:
                encoder.kill()
                encoder.wait()
        for thread in self._threads:
            thread.join(4)

    def _start_encoder(self) -> None:
        self.encoder = subprocess.Popen(
            encoder_command(self.rate, self.channels, self.out_rate, self.out_channels, self.bitrate),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
        )  # fmt: skip
        threading.Thread(target=self._read_encoder, args=[self.encoder], name="radio-icecast-encoded",
                         daemon=True).start()  # fmt: skip

    # ---- the hub's side: never blocks
    def push(self, block: np.ndarray, active: bool) -> None:
        want = active or not self.disconnect_between
        if want != self.wanted:
            with self.cond:
                self.wanted = want
                self.cond.notify_all()
        self._batch.append(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        self._batched += len(block)
        if self._batched < self._batch_frames:
            return
        data, self._batch, self._batched = b"".join(self._batch), [], 0
        try:
            self._pcm.put_nowait(data)
        except queue.Full:  # the encoder is stuck: its writer restarts it
            pass

    def title(self, text: str, at: float) -> None:
        self._admin.put((at, text))

    # ---- threads
    def _pcm_loop(self) -> None:
        """Hands PCM to the encoder; a dead encoder is started again."""
        while (data := self._pcm.get()) is not None:
            encoder = self.encoder
            try:
                encoder.stdin.write(data)
            except (BrokenPipeError, OSError, ValueError):
                if self._stopping.is_set():
                    return
                log.error("stream %s: the MP3 encoder stopped (exit %s); starting it again", self.state.label,
                          encoder.poll())  # fmt: skip
                time.sleep(0.5)
                self._start_encoder()

    def _read_encoder(self, encoder: subprocess.Popen) -> None:
        fd = encoder.stdout.fileno()
        while data := os.read(fd, 8192):
            if self.header is None:
                start = _frame_start(data, None)
                if start >= 0:
                    self.header = bytes(data[start + 1:start + 3])
            with self.cond:
                if not self.wanted:
                    continue
                self.buffer += data
                if len(self.buffer) > self.limit:
                    self.buffer.clear()
                    self.reset = True
                self.cond.notify_all()
        encoder.stdout.close()

    def _open(self) -> socket.socket:
        """A TCP connection whose kernel send buffer holds about BUFFER_S of audio: left to
        itself Linux grows it to megabytes — minutes of delay on a slow 3G uplink."""
        t = self.target
        error: OSError | None = None
        for family, kind, proto, _name, address in socket.getaddrinfo(t.host, t.port, type=socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, max(8192, self.limit))
            sock.settimeout(CONNECT_TIMEOUT_S)
            try:
                sock.connect(address)
                return sock
            except OSError as err:
                sock.close()
                error = err
        raise error or OSError("no address")

    def _connect(self) -> socket.socket:
        t = self.target
        sock = self._open()
        try:
            auth = base64.b64encode(f"{t.user}:{t.password}".encode()).decode()
            headers = [f"PUT {quote(t.mount)} HTTP/1.1", f"Host: {t.host}:{t.port}", f"Authorization: Basic {auth}",
                       "User-Agent: radio", "Content-Type: audio/mpeg", "Ice-Public: 0",
                       f"Ice-Name: {_header_text(self.name)}", f"Ice-Description: {_header_text(self.description)}",
                       f"Ice-Audio-Info: channels={self.out_channels};samplerate={self.out_rate};bitrate={self.bitrate}",
                       "Expect: 100-continue"]  # fmt: skip
            sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode("utf-8"))
            answer = b""
            while b"\r\n\r\n" not in answer and len(answer) < 8192:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                answer += chunk
            status = answer.split(b"\r\n", 1)[0].decode("latin-1")
            code = status.split(" ")[1] if len(status.split(" ")) > 1 else ""
            if code not in ("100", "200"):
                raise ConnectionError(_why(code, status))
            sock.settimeout(SEND_TIMEOUT_S)
            return sock
        except BaseException:
            sock.close()
            raise

    def _send_loop(self) -> None:
        attempt = 0
        sock: socket.socket | None = None
        aligned = False
        while not self._stopping.is_set():
            with self.cond:
                wanted = self.wanted
            if not wanted:
                if sock is not None:
                    sock.close()
                    sock = None
                    self.state.idle()
                with self.cond:
                    self.cond.wait(0.5)
                continue
            if sock is None:
                try:
                    sock = self._connect()
                except (OSError, ConnectionError) as err:
                    self.state.down(self._reason(err))
                    self._stopping.wait(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                    attempt += 1
                    continue
                attempt = 0
                with self.cond:
                    self.buffer.clear()  # what is said now, not what was said while away
                    self.reset = False
                    aligned = False
            with self.cond:
                while not self.buffer and not self._stopping.is_set() and not self.reset and self.wanted:
                    self.cond.wait(0.5)
                data, reset = bytes(self.buffer), self.reset
                self.buffer.clear()
                self.reset = False
            if reset:
                sock.close()
                sock = None
                self.state.down(_("the network is too slow for {kbps} kbit/s (more than {s:.0f} s behind)").format(
                    kbps=self.bitrate, s=BUFFER_S))  # fmt: skip
                continue
            if not aligned and data:  # start the server's copy on a frame boundary
                start = _frame_start(data, self.header)
                if start < 0:
                    continue
                data, aligned = data[start:], True
            if not data:
                continue
            try:
                sock.sendall(data)
            except OSError as err:
                sock.close()
                sock = None
                self.state.down(self._reason(err))
                continue
            self.state.up()
            self.state.sent(len(data))
        if sock is not None:
            sock.close()

    def _reason(self, err: BaseException) -> str:
        if isinstance(err, socket.timeout):
            text = _("no answer within {s:.0f} s").format(s=CONNECT_TIMEOUT_S)
        elif isinstance(err, OSError) and err.strerror:
            text = err.strerror
        else:
            text = str(err) or type(err).__name__
        where = f"{self.target.host}:{self.target.port}"
        return redact(_("{where}: {reason}").format(where=where, reason=text), self.target.password)

    def _admin_loop(self) -> None:
        """Titles at the instant their item starts; the listener count every few seconds."""
        pending: list[tuple[float, str]] = []
        next_poll = time.monotonic() + 1.0
        while not self._stopping.is_set():
            timeout = max(0.0, min([next_poll - time.monotonic()] + [at - time.time() for at, _t in pending]))
            try:
                item = self._admin.get(timeout=timeout)
                if item is None:
                    return
                pending.append(item)
            except queue.Empty:
                pass
            now = time.time()
            for item in [p for p in pending if p[0] <= now]:
                pending.remove(item)
                self._send_title(item[1])
            if time.monotonic() >= next_poll:
                next_poll = time.monotonic() + LISTENERS_EVERY_S
                self.state.listeners = self._listeners() if self.state.connected else None

    def _request(self, path: str, auth: bool) -> bytes:
        t = self.target
        conn = http.client.HTTPConnection(t.host, t.port, timeout=3)
        try:
            headers = {"User-Agent": "radio"}
            if auth:
                headers["Authorization"] = "Basic " + base64.b64encode(f"{t.user}:{t.password}".encode()).decode()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise ConnectionError(f"HTTP {response.status}")
            return body
        finally:
            conn.close()

    def _send_title(self, text: str) -> None:
        path = f"/admin/metadata?mount={quote(self.target.mount)}&mode=updinfo&song={quote(text)}&charset=UTF-8"
        try:
            self._request(path, auth=True)
        except (OSError, ConnectionError, http.client.HTTPException) as err:
            log.warning("stream %s: cannot send the title: %s", self.state.label, self._reason(err))

    def _listeners(self) -> int | None:
        try:
            status = json.loads(self._request("/status-json.xsl", auth=False))
        except (OSError, ConnectionError, ValueError, http.client.HTTPException):
            return None
        sources = status.get("icestats", {}).get("source", [])
        for source in sources if isinstance(sources, list) else [sources]:
            if str(source.get("listenurl", "")).endswith(self.target.mount):
                return int(source.get("listeners", 0))
        return None


def _header_text(text: str) -> str:
    return " ".join(text.split()).encode("utf-8").decode("latin-1")


def _why(code: str, status: str) -> str:
    if code == "401":
        return _("the server refused the source password")
    if code == "403":
        return _("the server refused the stream (the mount point is in use, or not allowed)")
    return _("unexpected answer from the server: {status}").format(status=status[:80] or _("nothing"))
