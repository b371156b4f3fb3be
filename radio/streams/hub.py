"""The stream hub: one long-lived process that sends the programme to every `[[stream]]`.

Why a process of its own, started by the daemon and living as long as it does (not one per
rundown, like the audio engine): between sessions the streams go on (silence keeps the IP
loudspeakers connected), sequence numbers and timestamps of RTP must run on across items
and sessions, and an Icecast reconnection must not wait for the next session. Why not a
thread in the daemon: the RTP packets leave every 20 ms, and the daemon's own work (the
database, APScheduler, reports on the control socket) must not make them late; a crash of
either never takes the other down.

The hub keeps its own steady clock (20 ms ticks on the monotonic clock when an RTP stream
needs a packet every 20 ms, 100 ms for Icecast alone). Each tick takes the block of programme that the sound card plays *now* from a timeline: every engine sends
the buffers it hands to the card with the instant their first frame sounds (feed.py), and
the timeline places them by that instant (consecutive buffers of one engine are joined
sample to sample while their instants agree within 40 ms, so the card's clock jitter makes
no clicks; a larger difference, a drift or another engine, is placed where it says). What
is missing (between sessions, an engine late) is silence. The hub renders `MARGIN_S`
behind the wall clock so that a buffer sent a little late still makes it.

Protocol with the daemon: standard input, one JSON line (the settings of the streams, the
rate and channels, the station home); then end of input means stop. Standard output: one
JSON status line a second (``{"streams": [...]}``).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import time
from collections import deque
from pathlib import Path

import numpy as np

from radio.home import StationHome
from radio.streams.feed import HEADER, socket_address

log = logging.getLogger("radio.streams")

TICK_S = 0.02  # with an RTP stream: one packet per tick
ICECAST_TICK_S = 0.1  # Icecast only: the encoder takes any block; fewer wake-ups
MARGIN_S = 0.1  # the hub plays this far behind the card: room for a late buffer
JOIN_S = 0.04  # consecutive buffers of one engine closer than this to their place are joined
HORIZON_S = 10.0  # audio placed further ahead than this is a clock gone wrong: dropped
ACTIVE_HOLD_S = 3.0  # a session is on while an engine is connected or sent audio this recently


class Timeline:
    """Programme placed at the wall-clock frame it sounds on the card; read in order, once."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate = rate
        self.channels = channels
        self.segments: deque[tuple[int, np.ndarray]] = deque()
        self.lock = threading.Lock()
        self.ends: dict[int, int] = {}  # feed → frame after its last block
        self.read_pos: int | None = None
        self.late_frames = 0
        self.last_audio = 0.0

    def put(self, feed: int, when: float, block: np.ndarray) -> None:
        start = int(round(when * self.rate))
        with self.lock:
            end = self.ends.get(feed)
            if end is not None and abs(start - end) <= JOIN_S * self.rate:
                start = end
            self.ends[feed] = start + len(block)
            if self.read_pos is not None:
                if start + len(block) <= self.read_pos or start > self.read_pos + HORIZON_S * self.rate:
                    self.late_frames += len(block) if start < self.read_pos else 0
                    return
                if start < self.read_pos:
                    self.late_frames += self.read_pos - start
            self.segments.append((start, block))
            self.last_audio = time.monotonic()

    def forget(self, feed: int) -> None:
        with self.lock:
            self.ends.pop(feed, None)

    def read(self, pos: int, n: int) -> np.ndarray:
        out = np.zeros((n, self.channels), dtype=np.float32)
        with self.lock:
            self.read_pos = pos + n
            keep = deque()
            for start, block in self.segments:
                end = start + len(block)
                if end <= pos:
                    continue
                keep.append((start, block))
                lo, hi = max(start, pos), min(end, pos + n)
                if lo < hi:
                    out[lo - pos:hi - pos] = block[lo - start:hi - start]
            self.segments = keep
        return out


class Hub:
    """The clock and the senders. *source(pos, n)* gives each tick's block (the timeline, or
    a test tone); *active()* says whether a session is on air."""

    def __init__(self, senders: list, rate: int, channels: int, source, active) -> None:
        self.senders = senders
        self.rate = rate
        self.channels = channels
        self.source = source
        self.active = active
        self.tick_s = TICK_S if any(s.state.kind == "rtp" for s in senders) else ICECAST_TICK_S
        self.frames = int(round(rate * self.tick_s))
        self.stopped = threading.Event()
        self.late_ticks = 0
        self.resyncs = 0

    def run(self, duration_s: float | None = None) -> None:
        for sender in self.senders:
            sender.start()
        mono0 = time.monotonic()
        pos = int(round((time.time() - MARGIN_S) * self.rate))
        tick = 0
        while not self.stopped.is_set():
            due = mono0 + tick * self.tick_s
            delay = due - time.monotonic()
            if delay > 0:
                if self.stopped.wait(delay):
                    break
            elif delay < -1.0:  # asleep (a suspended PC, a starved CPU): start again from now
                self.late_ticks += 1
                log.warning("streams: the clock was %.1f s late; going on from now", -delay)
                mono0, tick = time.monotonic(), 0
                pos = int(round((time.time() - MARGIN_S) * self.rate))
                continue
            wall_pos = int(round((time.time() - MARGIN_S) * self.rate))
            if abs(wall_pos - pos) > 0.5 * self.rate:  # the wall clock was set: follow it
                self.resyncs += 1
                log.warning("streams: the wall clock moved %+.1f s; the streams follow it", (wall_pos - pos) / self.rate)
                pos = wall_pos
            block = self.source(pos, self.frames)
            active = self.active()
            for sender in self.senders:
                try:
                    sender.push(block, active)
                except Exception:  # one stream's bug must not stop the others
                    log.exception("stream %s failed", sender.state.label)
            pos += self.frames
            tick += 1
            if duration_s is not None and tick * self.tick_s >= duration_s:
                break

    def title(self, text: str, at: float) -> None:
        for sender in self.senders:
            sender.title(text, at + MARGIN_S)

    def stop(self) -> None:
        self.stopped.set()

    def close(self) -> None:
        for sender in self.senders:
            sender.close()

    def status(self) -> list[dict]:
        return [sender.state.as_json() for sender in self.senders]


def make_senders(streams: list[dict], rate: int, channels: int, home: Path, station_name: str) -> list:
    """The senders of the streams' settings (dicts of StreamSettings fields)."""
    from radio.domain.streams import parse_target
    from radio.streams.icecast import IcecastSender
    from radio.streams.rtp import RtpSender, write_sdp

    senders = []
    for s in streams:
        target = parse_target(s["kind"], s["url"])
        label = s.get("name") or target.redacted()
        if s["kind"] == "icecast":
            senders.append(IcecastSender(label, target, rate, channels, bitrate=s["bitrate"], out_rate=s["sample_rate"],
                                         out_channels=s["channels"], name=s.get("name") or station_name,
                                         description=s.get("description", ""),
                                         between_sessions=s["between_sessions"]))  # fmt: skip
        else:
            senders.append(RtpSender(label, target, s["codec"], s["ttl"], rate, channels, s["between_sessions"]))
            write_sdp(sdp_path(home, s, target), target, s["codec"], s["ttl"], s.get("name") or station_name)
    return senders


def sdp_path(home: Path, stream: dict, target) -> Path:
    if stream.get("sdp"):
        return StationHome(home).resolve(stream["sdp"])
    slug = "".join(c if c.isalnum() else "-" for c in (stream.get("name") or f"rtp-{target.host}-{target.port}"))
    return StationHome(home).streams_dir / f"{slug}.sdp"


class FeedServer:
    """Accepts the engines' feeds on the hub's socket; each connection is one engine."""

    def __init__(self, home: Path, timeline: Timeline, hub_title) -> None:
        self.home = home
        self.timeline = timeline
        self.hub_title = hub_title
        self.connected = 0
        self._lock = threading.Lock()
        self._next = 0
        StationHome(home).streams_socket.unlink(missing_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            with socket_address(home) as address:
                self.sock.bind(address)
        finally:
            os.umask(old)
        self.sock.listen(4)
        threading.Thread(target=self._accept, name="radio-hub-accept", daemon=True).start()

    def active(self) -> bool:
        return self.connected > 0 or time.monotonic() - self.timeline.last_audio < ACTIVE_HOLD_S

    def _accept(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self._next += 1
                feed = self._next
                self.connected += 1
            threading.Thread(target=self._serve, args=[conn, feed], name="radio-hub-feed", daemon=True).start()

    def _serve(self, conn: socket.socket, feed: int) -> None:
        channels = self.timeline.channels
        try:
            with conn, conn.makefile("rb") as stream:
                while header := stream.read(HEADER.size):
                    if len(header) < HEADER.size:
                        return
                    kind, when, length = HEADER.unpack(header)
                    payload = stream.read(length)
                    if len(payload) < length:
                        return
                    if kind == b"A":
                        block = np.frombuffer(payload, dtype=np.float32).reshape(-1, channels)
                        self.timeline.put(feed, when, block)
                    elif kind == b"T":
                        self.hub_title(payload.decode("utf-8", "replace"), when)
        except OSError:
            pass
        finally:
            self.timeline.forget(feed)
            with self._lock:
                self.connected -= 1

    def close(self) -> None:
        self.sock.close()
        StationHome(self.home).streams_socket.unlink(missing_ok=True)


def main() -> int:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the daemon stops us by closing our input
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    handler = logging.StreamHandler(sys.stderr)
    under_systemd = "INVOCATION_ID" in os.environ or "JOURNAL_STREAM" in os.environ
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if under_systemd
                                           else "%(asctime)s %(levelname)s %(name)s: %(message)s"))  # fmt: skip
    logging.getLogger("radio").handlers[:] = [handler]
    logging.getLogger("radio").setLevel(logging.INFO)
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    request = json.loads(line)
    home = Path(request["home"])
    rate, channels = request["rate"], request["channels"]
    timeline = Timeline(rate, channels)
    senders = make_senders(request["streams"], rate, channels, home, request.get("station", "radio"))
    hub_box: list[Hub] = []
    server = FeedServer(home, timeline, lambda text, at: hub_box[0].title(text, at))
    hub = Hub(senders, rate, channels, timeline.read, server.active)
    hub_box.append(hub)
    runner = threading.Thread(target=hub.run, name="radio-hub-clock", daemon=True)
    runner.start()
    lock = threading.Lock()

    def report() -> None:
        while not hub.stopped.wait(1.0):
            with lock:
                try:
                    sys.stdout.write(json.dumps({"streams": hub.status(), "late_frames": timeline.late_frames}) + "\n")
                    sys.stdout.flush()
                except (BrokenPipeError, ValueError):
                    return

    threading.Thread(target=report, name="radio-hub-status", daemon=True).start()
    for _line in sys.stdin:  # nothing more is said; end of input: the daemon is gone or stopping
        pass
    hub.stop()
    runner.join(2)
    server.close()
    hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
