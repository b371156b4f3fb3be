#!/usr/bin/env python3
"""Stream outputs (issue 12): what the Icecast stream costs, and whether its memory stays flat.

1. CPU per hour of audio. *radio*: the stream hub process exactly as the daemon runs it
   (`python -m radio.streams.hub`, its ffmpeg MP3 encoder, its Icecast source connection),
   fed through its socket by a StreamTee paced like an audio engine (the tee's own cost is
   the engine's and is not counted). *ffmpeg alone*: `ffmpeg -re` encoding the same audio
   with the same settings and sending it to Icecast itself. Both to a local icecast2, one
   after the other, for --seconds each; CPU time from /proc (user + system, the process and
   its encoder), scaled to one hour. Target: radio <= 1.2 x ffmpeg alone.
2. Memory: the hub and its encoder's resident memory sampled every --every seconds over
   --long seconds of streaming, with the slope (MB per hour) of a least-squares line.
   The target is 3 hours flat; the hub runs on the wall clock, so a shorter run is sampled
   and the slope extrapolated (say so when quoting it).

   A second measure runs the hub's per-tick work sped up in process (`--fast-minutes 180`:
   3 hours of audio through the timeline, the real encoder and the real Icecast connection
   in a few minutes), sampling RSS and the Python heap (tracemalloc).

Usage: .venv/bin/python bench/stream_bench.py [--seconds 120] [--long 600] [--every 10] [--bitrate 64] [--rtp]
                                              [--fast-minutes 180]
Needs icecast2 (scripts/ensure-system-deps installs it); run as root, it runs icecast as icecast2.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.proctools import cpu_seconds, programme, tree_cpu, tree_rss_mb  # noqa: E402
RATE = 48000












def run_hub(home: Path, url: str, seconds: float, bitrate: int, samples: np.ndarray, every: float | None = None,
            rtp: bool = False):  # fmt: skip
    """The hub as the daemon runs it, fed for *seconds*; (cpu seconds, [(t, rss MB)])."""
    from radio.streams.feed import StreamTee

    stream = {"kind": "icecast", "url": url, "name": "bench", "description": "", "bitrate": bitrate, "channels": 1,
              "sample_rate": 44100, "codec": "pcmu", "ttl": 16, "sdp": "", "between_sessions": "silence"}  # fmt: skip
    streams = [stream]
    if rtp:  # a G.711 stream too (to the discard port): the hub then ticks every 20 ms
        streams.append({**stream, "kind": "rtp", "url": "rtp://127.0.0.1:9", "name": "rtp"})
    proc = subprocess.Popen([sys.executable, "-m", "radio.streams.hub"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO)  # fmt: skip
    proc.stdin.write(json.dumps({"home": str(home), "rate": RATE, "channels": 1, "station": "bench",
                                 "streams": streams}) + "\n")  # fmt: skip
    proc.stdin.flush()
    status: list = []
    threading.Thread(target=lambda: [status.append(line) for line in proc.stdout], daemon=True).start()
    time.sleep(2.0)  # imports, encoder start, connection
    tee = StreamTee(str(home))
    block = 4096
    start_cpu, start = tree_cpu(proc.pid), time.monotonic()
    wall0 = time.time() + 0.2
    samples_rss, next_sample = [], start
    n = 0
    while (elapsed := time.monotonic() - start) < seconds:
        pos = (n * block) % (len(samples) - block)
        tee.audio(wall0 + n * block / RATE, samples[pos:pos + block].reshape(-1, 1))
        n += 1
        if every is not None and time.monotonic() >= next_sample:
            samples_rss.append((elapsed, tree_rss_mb(proc.pid)))
            print(f"  {elapsed:7.0f} s  RSS {samples_rss[-1][1]:6.1f} MB", flush=True)  # a long run can be read as it goes
            next_sample += every
        time.sleep(max(0.0, start + n * block / RATE - time.monotonic()))
    cpu = tree_cpu(proc.pid) - start_cpu
    last = json.loads(status[-1])["streams"][0] if status else {}
    tee.close()
    proc.stdin.close()
    proc.wait(10)
    return cpu, samples_rss, last


def run_sped_up(url: str, minutes: float, samples: np.ndarray, every_min: float = 10.0) -> list[tuple]:
    """The hub's per-tick work (timeline put/read, the Icecast sender with its real ffmpeg
    encoder and its real connection) driven as fast as the encoder takes it, in this process:
    *minutes* of audio in a fraction of the time. [(audio minutes, RSS MB of this process and
    its encoder, Python heap MB from tracemalloc)]."""
    import tracemalloc

    from radio.domain.streams import parse_target
    from radio.streams.hub import Timeline
    from radio.streams.icecast import IcecastSender

    timeline = Timeline(RATE, 1)
    sender = IcecastSender("fast", parse_target("icecast", url), RATE, 1)
    sender.start()
    time.sleep(1.0)
    tracemalloc.start()
    n = RATE // 10
    ticks = int(minutes * 600)
    marks = []
    for k in range(ticks):
        at = (k * n) % (len(samples) - n)
        timeline.put(1, k * n / RATE, samples[at:at + n].reshape(-1, 1))
        sender.push(timeline.read(k * n, n), True)
        while sender._pcm.qsize() > 10:  # as fast as the encoder goes, never dropping
            time.sleep(0.002)
        if k % int(every_min * 600) == 0:
            marks.append((k / 600, tree_rss_mb(os.getpid()), tracemalloc.get_traced_memory()[0] / 1e6))
    time.sleep(1.0)
    marks.append((ticks / 600, tree_rss_mb(os.getpid()), tracemalloc.get_traced_memory()[0] / 1e6))
    tracemalloc.stop()
    sender.close()
    return marks


def run_ffmpeg_alone(url_http: str, wav: Path, seconds: float, bitrate: int) -> float:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(wav),
           "-t", str(seconds + 2), "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ar", "44100", "-ac", "1",
           "-content_type", "audio/mpeg", "-f", "mp3", url_http]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    time.sleep(2.0)
    start = cpu_seconds(proc.pid)
    time.sleep(seconds)
    cpu = cpu_seconds(proc.pid) - start
    proc.kill()
    proc.wait()
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--long", type=float, default=0.0, help="memory run length, seconds (0: skip)")
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--bitrate", type=int, default=64)
    parser.add_argument("--rtp", action="store_true", help="also measure the hub with an RTP stream beside Icecast")
    parser.add_argument("--fast-minutes", type=float, default=0.0,
                        help="memory over this many minutes of audio, sped up in process (0: skip)")
    args = parser.parse_args()
    from tests.icecast import PASSWORD, IcecastServer
    from urllib.parse import quote

    server = IcecastServer()
    server.start()
    home = Path(tempfile.mkdtemp(prefix="radio-stream-bench-"))
    try:
        samples = programme(60.0)
        wav = home / "programme.wav"
        import wave

        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(np.rint(samples * 32767).astype("<i2").tobytes())
        if args.seconds > 0:
            ours, _rss, last = run_hub(home, server.url("/radio"), args.seconds, args.bitrate, samples)
            http = f"icecast://source:{quote(PASSWORD, safe='')}@127.0.0.1:{server.port}/alone"
            alone = run_ffmpeg_alone(http, wav, args.seconds, args.bitrate)
            per_hour = 3600.0 / args.seconds
            print(f"{args.seconds:.0f} s of MP3 {args.bitrate} kbit/s mono 44.1 kHz to a local icecast2")
            print(f"  radio stream hub + encoder: {ours * per_hour:7.1f} CPU-s per hour "
                  f"(sent {last.get('bytes_sent', 0) / 1000:.0f} kB, connected={last.get('connected')})")
            print(f"  ffmpeg alone (-re):         {alone * per_hour:7.1f} CPU-s per hour")
            print(f"  ratio: {ours / alone:.2f}  (target <= 1.2)")
            if args.rtp:
                both, _rss, _last = run_hub(home, server.url("/both"), args.seconds, args.bitrate, samples, rtp=True)
                print(f"  hub with Icecast + RTP G.711 (20 ms ticks): {both * per_hour:7.1f} CPU-s per hour")
        if args.long > 0:
            _cpu, rss, last = run_hub(home, server.url("/long"), args.long, args.bitrate, samples, every=args.every)
            t = np.array([x for x, _ in rss])
            m = np.array([y for _, y in rss])
            tail = t > min(60.0, args.long / 4)  # after the start-up
            slope = np.polyfit(t[tail], m[tail], 1)[0] * 3600 if tail.sum() > 2 else float("nan")
            print(f"memory over {args.long:.0f} s ({len(rss)} samples): first {m[0]:.1f} MB, "
                  f"max {m.max():.1f} MB, last {m[-1]:.1f} MB, slope after the first minute {slope:+.2f} MB/h")
        if args.fast_minutes > 0:
            marks = run_sped_up(server.url("/fast"), args.fast_minutes, samples)
            print(f"sped up, {args.fast_minutes:.0f} min of audio in process (RSS includes the encoder):")
            for minute, rss, heap in marks:
                print(f"  audio minute {minute:5.0f}: RSS {rss:6.1f} MB, Python heap {heap:5.2f} MB")
    finally:
        server.close()
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
