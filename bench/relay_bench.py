#!/usr/bin/env python3
"""Relay (issue 11): what airing a live source costs, and whether its memory stays flat.

Target: "Memory flat over a 3-hour relay; CPU <= ffmpeg decoding the same stream + the
output floor."

Method, in one run, against a local icecast2 (tests/icecast.IcecastServer) whose mount is
fed by `ffmpeg -re -stream_loop -1` sending a speech-like programme (noise bursts under a
slow envelope and pauses, as bench/stream_bench.py's programme()) as MP3 64 kbit/s mono
44.1 kHz. One after the other, each for --seconds (after a few seconds of start-up that
are not counted), CPU time from /proc (user + system) of the process and its children:

A. *ffmpeg alone*: an ffmpeg decoding the listen URL to f32le 48 kHz mono, with the very
   input arguments the relay's ffmpeg gets (radio.domain.relay.ffmpeg_input), into
   /dev/null. The stream comes at 1x, so this is the decoding a relay cannot avoid.
B. *output floor*: the player (radio.audio.player.Player) airing a plain local WAV of the
   same programme on the steady clock output (ClockOutput: no sound card) in a child
   process (this script, `--child file WAV SECONDS`). What the player and its output cost
   whatever they air (it includes the file's decoder, the player's usual source).
R. *radio*: the same player airing a RELAY entry of the listen URL (RelayFeed/LiveInput:
   its ffmpeg, reader thread, dead-air rules), `--child relay URL SECONDS`. CPU of the
   process and its ffmpeg child; the resident memory of both sampled every --every seconds.

Printed: CPU-seconds per hour for A, B and R; the ratio R / (A + B) (target <= 1.0); memory
first / max / last and the slope of a least-squares line through the samples after the
first minute, in MB/h. The target speaks of 3 hours; a run shorter than 10800 s only
extrapolates the slope, and the output says so. `--long N` adds a memory-only relay run of
N seconds (sampled every --every s).

The child reports how the relay entry ended (it must not have fallen back: then the figures
would be of the fallback file, and the run says so).

Usage: .venv/bin/python bench/relay_bench.py [--seconds 120] [--every 10] [--long 0] [--bitrate 64]
Needs ffmpeg and icecast2 (scripts/ensure-system-deps); run as root, icecast runs as icecast2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.proctools import cpu_seconds, programme, tree_cpu, tree_rss_mb  # noqa: E402
RATE = 48000
STARTUP_S = 4.0  # imports, ffmpeg start, the relay's buffer filling: not counted
THREE_HOURS = 10800.0


# ---- /proc










# ---- the programme




def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.rint(samples * 32767).astype("<i2").tobytes())


# ---- the child: the player airing one entry on the clock output


def child(kind: str, path: str, seconds: float) -> int:
    from radio.audio.clock_output import ClockOutput
    from radio.audio.events import Ended
    from radio.audio.player import Player
    from radio.domain.playout import Entry, EntryKind
    from radio.domain.relay import RelayRules, Resume

    start = time.time() + 1.0
    if kind == "relay":
        rules = RelayRules(no_data_s=5.0, silence_s=20.0, silence_dbfs=-50.0, buffer_s=4.0, resume=Resume.ITEM_END)
        fallback = Path(tempfile.mkdtemp(prefix="radio-relay-bench-")) / "fallback.wav"
        write_wav(fallback, (0.1 * np.sin(2 * np.pi * 880 * np.arange(2 * RATE) / RATE)).astype(np.float32))
        rundown = [Entry(EntryKind.RELAY, "VOV1", path, duration_s=seconds, until=start + seconds, relay=rules),
                   Entry(EntryKind.FALLBACK, "fallback", str(fallback), duration_s=2.0)]  # fmt: skip
    else:
        rundown = [Entry(EntryKind.ITEM, "programme", path, duration_s=seconds)]
    events: list = []
    playback = Player(lambda: ClockOutput(rate=RATE, channels=1), fade_s=0.3).start(rundown, at=start,
                                                                                   on_event=events.append)  # fmt: skip
    print(json.dumps({"start": start}), flush=True)
    playback.wait(seconds + 60)
    ended = [{"index": e.index, "status": str(e.status), "played_s": round(e.played_s, 1), "reason": e.reason}
             for e in events if isinstance(e, Ended)]  # fmt: skip
    print(json.dumps({"ended": ended}), flush=True)
    return 0


def run_child(kind: str, path: str, seconds: float, every: float | None = None, label: str = ""):
    """The player in a child process airing *kind* for STARTUP_S + *seconds* + 2; CPU of
    it and its children over *seconds* after the start-up; [(t, RSS MB)] every *every* s."""
    total = STARTUP_S + seconds + 2.0
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, path, str(total)], cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)  # fmt: skip
    start = json.loads(proc.stdout.readline())["start"]
    time.sleep(max(0.0, start + STARTUP_S - time.time()))
    cpu0, t0 = tree_cpu(proc.pid), time.monotonic()
    samples: list[tuple[float, float]] = []
    next_sample = t0
    while (elapsed := time.monotonic() - t0) < seconds:
        if every is not None and time.monotonic() >= next_sample:
            samples.append((elapsed, tree_rss_mb(proc.pid)))
            print(f"  {label}{elapsed:7.0f} s  RSS {samples[-1][1]:6.1f} MB", flush=True)
            next_sample += every
        time.sleep(max(0.0, min(next_sample if every else t0 + seconds, t0 + seconds) - time.monotonic()))
    cpu = tree_cpu(proc.pid) - cpu0
    if every is not None:
        samples.append((time.monotonic() - t0, tree_rss_mb(proc.pid)))
    out = proc.stdout.read()
    proc.wait(30)
    ended = json.loads(out.strip().splitlines()[-1])["ended"] if out.strip() else []
    return cpu, samples, ended


def run_ffmpeg_alone(url: str, seconds: float) -> float:
    from radio.domain.relay import ffmpeg_input

    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-v", "error", *ffmpeg_input(url), "-map", "0:a:0",
           "-vn", "-sn", "-ar", str(RATE), "-ac", "1", "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]  # fmt: skip
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=null)
        time.sleep(STARTUP_S)
        start = cpu_seconds(proc.pid)
        time.sleep(seconds)
        cpu = cpu_seconds(proc.pid) - start
        alive = proc.poll() is None
        proc.kill()
        proc.wait()
    if not alive:
        raise RuntimeError("ffmpeg alone ended before the window did")
    return cpu


def memory_line(rss: list[tuple[float, float]], seconds: float) -> str:
    t = np.array([x for x, _ in rss])
    m = np.array([y for _, y in rss])
    tail = t >= 60.0
    slope = np.polyfit(t[tail], m[tail], 1)[0] * 3600 if tail.sum() > 2 else float("nan")
    line = (f"memory over {seconds:.0f} s ({len(rss)} samples, relay process + its ffmpeg): first {m[0]:.1f} MB, "
            f"max {m.max():.1f} MB, last {m[-1]:.1f} MB, slope after the first minute {slope:+.2f} MB/h")  # fmt: skip
    if seconds < THREE_HOURS:
        line += (f"\n  NOTE: the 3-hour relay was NOT run: {seconds / 60:.0f} min measured, the slope is "
                 f"extrapolated ({slope * 3:+.1f} MB over 3 h if the line held)")  # fmt: skip
    return line


def ended_line(ended: list[dict]) -> str:
    relay = [e for e in ended if e["index"] == 0]
    fell_back = any(e["index"] != 0 for e in ended)
    text = ", ".join(f"{e['status']} {e['played_s']} s" for e in relay) or "no end reported"
    return f"relay entry: {text}" + ("  (WARNING: the fallback aired)" if fell_back else "; the fallback never aired")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="each CPU window, seconds")
    parser.add_argument("--every", type=float, default=10.0, help="RSS sample period, seconds")
    parser.add_argument("--long", type=float, default=0.0, help="a memory-only relay run, seconds (0: skip)")
    parser.add_argument("--bitrate", type=int, default=64)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, seconds = args.child
        return child(kind, path, float(seconds))

    from tests.icecast import IcecastServer

    server = IcecastServer()
    server.start()
    home = Path(tempfile.mkdtemp(prefix="radio-relay-bench-"))
    source = None
    try:
        loop = home / "programme-60s.wav"
        write_wav(loop, programme(60.0))
        local = home / "programme-long.wav"  # the output floor's file: as long as its child airs, not looped
        write_wav(local, np.tile(programme(60.0), int(args.seconds // 60) + 2)[: int((args.seconds + STARTUP_S + 2.0) * RATE)])
        mount = "/vov1"
        source = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
                                   "-stream_loop", "-1", "-i", str(loop), "-ac", "1", "-ar", "44100",
                                   "-c:a", "libmp3lame", "-b:a", f"{args.bitrate}k", "-content_type", "audio/mpeg",
                                   "-f", "mp3", server.url(mount)], stdin=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 15
        while server.source(mount) is None:
            if time.monotonic() > deadline or source.poll() is not None:
                raise RuntimeError("the source never went live: " + server.error_log()[-800:])
            time.sleep(0.2)
        url = server.listen_url(mount)
        print(f"source: {url} (MP3 {args.bitrate} kbit/s mono 44.1 kHz, speech-like programme, ffmpeg -re)",
              flush=True)  # fmt: skip
        if args.seconds > 0:
            per_hour = 3600.0 / args.seconds
            print(f"A: ffmpeg alone decoding the stream, {args.seconds:.0f} s ...", flush=True)
            alone = run_ffmpeg_alone(url, args.seconds)
            print(f"B: the player airing a local WAV on the clock output, {args.seconds:.0f} s ...", flush=True)
            floor, _rss, floor_ended = run_child("file", str(local), args.seconds)
            print(f"R: the player airing the relay on the clock output, {args.seconds:.0f} s ...", flush=True)
            ours, rss, ended = run_child("relay", url, args.seconds, every=args.every)
            print(f"{args.seconds:.0f} s windows, CPU (user + system) per hour of air:")
            print(f"  A ffmpeg alone (decode to f32le 48 kHz): {alone * per_hour:7.1f} CPU-s per hour")
            print(f"  B output floor (player + WAV, clock):     {floor * per_hour:7.1f} CPU-s per hour")
            print(f"  R radio relay (player + its ffmpeg):      {ours * per_hour:7.1f} CPU-s per hour")
            ratio = ours / (alone + floor)
            print(f"  ratio R / (A + B): {ratio:.2f}  (target <= 1.0: {'met' if ratio <= 1.0 else 'MISSED'})")
            print("  " + ended_line(ended))
            print(memory_line(rss, args.seconds))
        if args.long > 0:
            print(f"memory run: the player airing the relay for {args.long:.0f} s ...", flush=True)
            _cpu, rss, ended = run_child("relay", url, args.long, every=args.every, label="long ")
            print("  " + ended_line(ended))
            print(memory_line(rss, args.long))
    finally:
        if source is not None and source.poll() is None:
            source.kill()
            source.wait()
        server.close()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
