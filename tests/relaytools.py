"""Network sources for the relay tests, made to be broken on purpose, and checks of what aired.

- ToneSource: real ffmpeg sending a sine (or digital silence) as MP3 to a mount of the test
  Icecast (tests/icecast.IcecastServer); kill() drops the mount as a dead encoder would.
- GarbageServer: HTTP 200 audio/mpeg, then endless bytes that are not audio.
- StallServer: HTTP 200 audio/mpeg, some real MP3, then nothing while the connection stays
  open; mode="silent-accept" accepts and never answers.
- refused_url(): a port where nothing listens.
- HlsSource: a tone as HLS (a playlist and 2 s segments by ffmpeg) served over HTTP.
- fetch(): a real ffmpeg reading a URL to mono float PCM, as a relay would.
- tone_spans() / silent_spans(): when a frequency dominates a recording, when it is dead air.

Every server and process is stopped in close() (and on leaving a `with`), even when a test fails.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import LAVFI_SINE_DBFS_OFFSET
from tests.icecast import IcecastServer, free_port

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
needs_icecast = pytest.mark.skipif(shutil.which("icecast2") is None, reason="icecast2 is not installed")

MP3_HEADERS = b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\nCache-Control: no-cache\r\n\r\n"


def _wait(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def _kill(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
    if proc is not None:
        proc.wait(5)


class _Closing:
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- an Icecast mount fed by ffmpeg


class ToneSource(_Closing):
    """`ffmpeg -re` sending a sine (kind="tone") or digital silence (kind="silence") as MP3 to
    *mount* on *server*. *level_dbfs* is the sine's peak, as make_tone's volume_db."""

    def __init__(self, server: IcecastServer, mount: str = "/relay", frequency: float = 440.0,
                 level_dbfs: float = -12.0, bitrate: int = 64, rate: int = 44100, kind: str = "tone",
                 silence: bool = False) -> None:  # fmt: skip
        if silence:
            kind = "silence"
        if kind not in ("tone", "silence"):
            raise ValueError(f"kind must be 'tone' or 'silence', not {kind!r}")
        self.server, self.mount, self.kind = server, mount, kind
        self.frequency, self.level_dbfs, self.bitrate, self.rate = frequency, level_dbfs, bitrate, rate
        self.proc: subprocess.Popen | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="radio-tone-source-"))
        self._log = self._dir / "ffmpeg.log"

    @property
    def listen_url(self) -> str:
        return self.server.listen_url(self.mount)

    @property
    def live(self) -> bool:
        """Icecast lists the mount (a source is connected)."""
        return self.server.source(self.mount) is not None

    def command(self) -> list[str]:
        if self.kind == "tone":
            audio = ["-f", "lavfi", "-i", f"sine=frequency={self.frequency}:sample_rate={self.rate}",
                     "-af", f"volume={self.level_dbfs + LAVFI_SINE_DBFS_OFFSET:.2f}dB"]  # fmt: skip
        else:
            audio = ["-f", "lavfi", "-i", f"anullsrc=r={self.rate}:cl=mono"]
        return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re", *audio, "-ac", "1",
                "-c:a", "libmp3lame", "-b:a", f"{self.bitrate}k", "-flush_packets", "1", "-content_type", "audio/mpeg",
                "-f", "mp3", self.server.url(self.mount)]  # fmt: skip

    def start(self, wait: bool = True, timeout: float = 10.0) -> ToneSource:
        """Start sending; with *wait*, return once Icecast lists the mount."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the source is already running")
        with open(self._log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=log)  # fmt: skip
        if wait:
            self.wait_live(timeout)
        return self

    def wait_live(self, timeout: float = 10.0) -> None:
        """Until Icecast lists the mount; raises TimeoutError (with both logs) if it does not."""
        if not _wait(lambda: self.live or (self.proc is not None and self.proc.poll() is not None), timeout, 0.1) \
                or not self.live:  # fmt: skip
            raise TimeoutError(f"{self.mount} is not live: ffmpeg {self.log()!r}; icecast {self.server.error_log()[-800:]!r}")

    def wait_gone(self, timeout: float = 10.0) -> bool:
        """Until Icecast no longer lists the mount."""
        return _wait(lambda: not self.live, timeout, 0.1)

    def kill(self) -> None:
        """SIGKILL the encoder: its connection drops, Icecast removes the mount and its listeners."""
        _kill(self.proc)

    def restart(self, wait: bool = True, timeout: float = 10.0) -> ToneSource:
        self.kill()
        return self.start(wait=wait, timeout=timeout)

    def log(self) -> str:
        return self._log.read_text(errors="replace")[-2000:] if self._log.exists() else ""

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


# ---- small TCP servers that misbehave


class _TcpServer(_Closing):
    """Accepts on 127.0.0.1:free port; each connection served by serve(conn) in a daemon thread.
    close() stops accepting and closes every connection still open."""

    path = "/stream"

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.port = 0
        self.stopping = threading.Event()
        self.conns: set[socket.socket] = set()
        self.accepted = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self.conns)

    def start(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.conns.add(conn)
                self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.serve(conn)
        except OSError:
            pass  # the client went away
        finally:
            with self._lock:
                self.conns.discard(conn)
            conn.close()

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def read_request(self, conn: socket.socket, timeout: float = 5.0) -> bytes:
        """The request head (up to the blank line), or what came before *timeout*."""
        conn.settimeout(0.2)
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in data and time.monotonic() < deadline and not self.stopping.is_set():
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                break
            data += chunk
        return data

    def hold(self, conn: socket.socket) -> None:
        """Keep the connection open, sending nothing, until the client leaves or close()."""
        conn.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                if not conn.recv(4096):
                    return
            except TimeoutError:
                continue

    def close(self) -> None:
        self.stopping.set()
        if self.sock is not None:
            self.sock.close()
        with self._lock:
            conns = list(self.conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(2)


class GarbageServer(_TcpServer):
    """Answers any request with 200 audio/mpeg, then endless random bytes (*bytes_per_s*).
    The bytes never hold 0xFF, so no MPEG (or ADTS) frame sync can occur: nothing decodes."""

    def __init__(self, bytes_per_s: int = 16000, seed: int = 1) -> None:
        super().__init__()
        self.bytes_per_s = bytes_per_s
        self.seed = seed

    def serve(self, conn: socket.socket) -> None:
        self.read_request(conn)
        conn.sendall(MP3_HEADERS)
        rng = np.random.default_rng(self.seed)
        chunk = max(1, self.bytes_per_s // 20)
        next_at = time.monotonic()
        while not self.stopping.is_set():
            conn.sendall((rng.integers(0, 255, chunk, dtype=np.uint8)).tobytes())  # 0..254
            next_at += chunk / self.bytes_per_s
            time.sleep(max(0.0, next_at - time.monotonic()))


_MP3_CACHE: dict[tuple[float, float], bytes] = {}


def tone_mp3(seconds: float, frequency: float = 440.0, level_dbfs: float = -12.0, bitrate: int = 64) -> bytes:
    """*seconds* of a sine as 44.1 kHz mono CBR MP3 (no ID3 tag), made once per process by ffmpeg."""
    key = (seconds, frequency, level_dbfs, bitrate)
    if key not in _MP3_CACHE:
        with tempfile.TemporaryDirectory(prefix="radio-relay-mp3-") as tmp:
            path = Path(tmp) / "tone.mp3"
            subprocess.run(
                ["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi",
                 "-i", f"sine=frequency={frequency}:sample_rate=44100:duration={seconds}",
                 "-af", f"volume={level_dbfs + LAVFI_SINE_DBFS_OFFSET:.2f}dB", "-ac", "1", "-c:a", "libmp3lame",
                 "-b:a", f"{bitrate}k", "-write_xing", "0", "-id3v2_version", "0", str(path)],
                check=True,
            )  # fmt: skip
            _MP3_CACHE[key] = path.read_bytes()
    return _MP3_CACHE[key]


class StallServer(_TcpServer):
    """mode="stall": 200 audio/mpeg, the first *after_bytes* of a real MP3 tone (64 kbps:
    8000 bytes a second), at once or at *bytes_per_s*, then nothing more while the connection
    stays open until the client leaves or close().
    mode="silent-accept": accepts the connection and never answers (nor closes)."""

    def __init__(self, after_bytes: int = 24000, mode: str = "stall", frequency: float = 440.0,
                 bytes_per_s: int | None = None) -> None:  # fmt: skip
        if mode not in ("stall", "silent-accept"):
            raise ValueError(f"mode must be 'stall' or 'silent-accept', not {mode!r}")
        super().__init__()
        self.after_bytes, self.mode, self.frequency, self.bytes_per_s = after_bytes, mode, frequency, bytes_per_s
        self.sent = 0  # body bytes sent, over all connections

    def start(self):
        if self.mode == "stall":
            self.body = tone_mp3(self.after_bytes / 8000 + 1.0, self.frequency)[: self.after_bytes]
        return super().start()

    def serve(self, conn: socket.socket) -> None:
        if self.mode == "silent-accept":
            self.hold(conn)
            return
        self.read_request(conn)
        conn.sendall(MP3_HEADERS)
        step = len(self.body) if not self.bytes_per_s else max(1, self.bytes_per_s // 10)
        next_at = time.monotonic()
        for at in range(0, len(self.body), step):
            if self.stopping.is_set():
                return
            conn.sendall(self.body[at:at + step])
            self.sent += len(self.body[at:at + step])
            if self.bytes_per_s:
                next_at += step / self.bytes_per_s
                time.sleep(max(0.0, next_at - time.monotonic()))
        self.hold(conn)


def refused_url(path: str = "/stream") -> str:
    """An http URL on a free port of 127.0.0.1 where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}{path}"


# ---- HLS over HTTP


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class FileHTTPServer(_Closing):
    """Serves *directory* over HTTP on 127.0.0.1 (a thread of http.server)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FileHTTPServer:
        directory = str(self.directory)

        class Handler(_QuietHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=directory, **kwargs)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self._thread.join(2)
            self.httpd = None


class HlsSource(_Closing):
    """A tone as HLS served over HTTP: `.url` is the .m3u8 playlist.

    seconds=N: a finished (VOD) playlist of N seconds, made at once.
    seconds=None: live, `ffmpeg -re` adding *segment_s* segments to a sliding playlist;
    kill() stops it there (the playlist goes stale, as when a live encoder dies)."""

    def __init__(self, frequency: float = 440.0, seconds: float | None = 10.0, segment_s: int = 2,
                 level_dbfs: float = -12.0, bitrate: int = 64) -> None:  # fmt: skip
        self.frequency, self.seconds, self.segment_s = frequency, seconds, segment_s
        self.level_dbfs, self.bitrate = level_dbfs, bitrate
        self.dir = Path(tempfile.mkdtemp(prefix="radio-hls-"))
        self.http = FileHTTPServer(self.dir)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return self.http.url("tone.m3u8")

    def command(self) -> list[str]:
        duration = f":duration={self.seconds}" if self.seconds is not None else ""
        live = ["-re"] if self.seconds is None else []
        flags = (["-hls_playlist_type", "vod", "-hls_list_size", "0"] if self.seconds is not None
                 else ["-hls_list_size", "5", "-hls_flags", "delete_segments"])  # fmt: skip
        return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", *live, "-f", "lavfi",
                "-i", f"sine=frequency={self.frequency}:sample_rate=44100{duration}",
                "-af", f"volume={self.level_dbfs + LAVFI_SINE_DBFS_OFFSET:.2f}dB", "-ac", "1",
                "-c:a", "aac", "-b:a", f"{self.bitrate}k", "-f", "hls", "-hls_time", str(self.segment_s), *flags,
                "-hls_segment_filename", str(self.dir / "seg%05d.ts"), str(self.dir / "tone.m3u8")]  # fmt: skip

    def start(self, timeout: float = 15.0) -> HlsSource:
        """Serve; the playlist exists (live: with two segments) on return."""
        self.http.start()
        if self.seconds is not None:
            subprocess.run(self.command(), check=True, capture_output=True, timeout=timeout)
            return self
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
        if not _wait(lambda: len(list(self.dir.glob("seg*.ts"))) >= 3, timeout, 0.1):
            raise TimeoutError("ffmpeg made no HLS segments")
        return self

    def kill(self) -> None:
        _kill(self.proc)

    def close(self) -> None:
        self.kill()
        self.http.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- a client, as the relay reads


@dataclass
class Fetched:
    audio: np.ndarray  # mono float32 at the rate asked
    returncode: int | None  # None: still running at the timeout (killed)
    stderr: str
    elapsed: float  # seconds from start to exit (or to the kill)


def fetch(url: str, seconds: float = 3.0, rate: int = 44100, timeout: float = 15.0, rw_timeout_s: float = 3.0,
          extra: list[str] | None = None, probe: bool = False) -> Fetched:  # fmt: skip
    """Real ffmpeg reading *url* (at most *seconds* of it) to mono float32 PCM at *rate*.
    A live stream comes at 1x, so ffmpeg's default probing (5 s) is cut short unless *probe*.
    *extra* goes before -i (e.g. ["-f", "mp3"] to force the format)."""
    quick = [] if probe else ["-formatprobesize", "8192", "-probesize", "8192", "-analyzeduration", "0"]
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rw_timeout", str(int(rw_timeout_s * 1e6)),
           *quick, *(extra or []), "-i", url, "-t", str(seconds), "-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"]  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, timeout=timeout)
        out, err, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as e:  # subprocess.run killed it
        out, err, code = e.stdout or b"", e.stderr or b"", None
    elapsed = time.monotonic() - started
    out = out[: len(out) - len(out) % 4]
    return Fetched(np.frombuffer(out, dtype=np.float32).copy(), code, err.decode("utf-8", "replace"), elapsed)


# ---- what aired


def _db(x: np.ndarray) -> np.ndarray:
    return 20 * np.log10(np.maximum(x, 1e-12))


def _spans(flags: np.ndarray, block: int, rate: int, total: int, min_s: float = 0.0) -> list[tuple[float, float]]:
    """Runs of True blocks as (start_s, end_s); the last block may be short (it ends at *total*)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    spans = []
    for first, stop in zip(edges[::2], edges[1::2]):
        start_s, end_s = first * block / rate, min(stop * block, total) / rate
        if end_s - start_s >= min_s:
            spans.append((round(float(start_s), 6), round(float(end_s), 6)))
    return spans


def _blocks(audio: np.ndarray, block: int, pad: bool = True) -> np.ndarray:
    """*audio* cut in blocks of *block* frames; a short last block is zero-padded (*pad*) or,
    if at least half a block, replaced by the last *block* frames (overlapping the one before)."""
    audio = np.asarray(audio, dtype=np.float64).ravel()
    whole = len(audio) // block
    blocks = audio[: whole * block].reshape(whole, block)
    tail = len(audio) - whole * block
    if tail and pad:
        last = np.zeros(block)
        last[:tail] = audio[whole * block:]
        blocks = np.vstack([blocks, last])
    elif tail >= block / 2 and len(audio) >= block:
        blocks = np.vstack([blocks, audio[-block:]])
    return blocks


def tone_spans(audio: np.ndarray, rate: int, frequency: float, block_s: float = 0.1, min_level_dbfs: float = -40.0,
               share: float = 0.6, min_s: float = 0.0) -> list[tuple[float, float]]:  # fmt: skip
    """The (start_s, end_s) spans where *frequency* dominates: blocks of *block_s* in which
    the band around it (±max(2.5/block_s Hz, 3 %)) holds at least *share* of the energy and
    reaches *min_level_dbfs* (as a sine's peak: -12 means make_tone(volume_db=-12)).
    Spans are exact to one block; spans shorter than *min_s* are left out."""
    block = max(1, round(block_s * rate))
    blocks = _blocks(audio, block, pad=False)
    if not len(blocks):
        return []
    window = np.hanning(block)
    power = np.abs(np.fft.rfft(blocks * window, axis=1)) ** 2
    freqs = np.fft.rfftfreq(block, 1 / rate)
    half = max(2.5 * rate / block, 0.03 * frequency)
    band = (np.abs(freqs - frequency) <= half) & (freqs > 0)
    in_band = power[:, band].sum(axis=1)
    total = power[:, 1:].sum(axis=1)  # DC left out: an offset is not a tone
    # Parseval: sum over bins of |X|^2 (one side) = block/2 * sum (x w)^2; mean w^2 = 3/8
    rms = np.sqrt(2 * in_band / (block * block * 0.375))
    level = _db(rms * np.sqrt(2))  # as a sine's peak
    flags = (in_band >= share * np.maximum(total, 1e-30)) & (level >= min_level_dbfs)
    return _spans(flags, block, rate, len(np.asarray(audio).ravel()), min_s)


def silent_spans(audio: np.ndarray, rate: int, max_level_dbfs: float = -60.0, min_s: float = 0.3,
                 block_s: float = 0.01) -> list[tuple[float, float]]:  # fmt: skip
    """Dead air: the (start_s, end_s) spans of at least *min_s* where no sample's magnitude
    passes *max_level_dbfs* (peak), in blocks of *block_s*."""
    block = max(1, round(block_s * rate))
    blocks = _blocks(audio, block)
    if not len(blocks):
        return []
    flags = _db(np.abs(blocks).max(axis=1)) <= max_level_dbfs
    return _spans(flags, block, rate, len(np.asarray(audio).ravel()), min_s)


def longest(spans: list[tuple[float, float]]) -> float:
    """The length of the longest span (0.0 if none)."""
    return max((end - start for start, end in spans), default=0.0)
