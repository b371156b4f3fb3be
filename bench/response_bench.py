"""How fast radio answers: CLI start-up, and `radio emergency` to the first alarm sample.

Prints, with baselines measured in the same run:
- median / max wall time of `radio --help`, `radio status` (daemon running: it answers over
  its control socket; and no daemon: the CLI reads the database itself), `radio emergency
  --help`; baseline: the interpreter importing click alone;
- the emergency: from the start of `radio emergency ID` (process spawned) to the first
  alarm sample on the sound server's monitor, while a show is on air (its fade-out
  included), over N tries; baseline: `paplay` of the same alarm file, spawn to first sample.

Usage: .venv/bin/python bench/response_bench.py [--tries 10] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from radio.audio.testserver import SoundServer  # noqa: E402
from tests.soundserver import RATE, Monitor, locate, noise, write_wav  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")
PYTHON = str(REPO / ".venv" / "bin" / "python")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def wall(cmd: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times)


def first_sample(monitor: Monitor, template: np.ndarray, after: float) -> float:
    """Wall instant of the template's first sample in the recording, searched after *after*."""
    audio = monitor.audio()
    start = max(0, monitor.frame_at(after - 0.2))
    at = start + locate(audio[start:], template)
    return monitor.wall_time(at)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=10)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="radio-response-"))
    server = SoundServer(root / "pulse")
    server.start()
    os.environ.update(server.env)
    home = root / "home"
    env = {**os.environ, "LANG": "C.UTF-8"}
    r = [RADIO, "--home", str(home)]
    subprocess.run(r + ["init"], check=True, capture_output=True, env=env)
    (home / "radio.toml").write_text('[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\n', encoding="utf-8")
    ids = []
    # noise, not a tone: a template from a steady sine matches anywhere along it (up to the
    # alarm's length late); seeded noise matches only where it begins
    alarm_samples = noise(int(RATE * 1.5), 999, level=0.5)
    for n, samples in enumerate([noise(RATE * 12, 500 + k) for k in range(args.tries + 2)] + [alarm_samples]):
        path = write_wav(root / f"item{n}.wav", samples)
        out = subprocess.run(r + ["library", "add", str(path), "--topic", "chinh-sach", "--json"],
                             check=True, capture_output=True, text=True, env=env).stdout  # fmt: skip
        ids.append(json.loads(out)[0]["id"])
    subprocess.run(r + ["library", "approve", *map(str, ids), "--by", "bench"], check=True, capture_output=True, env=env)
    *show, alarm = ids

    print(f"CLI wall time, median / max of {args.runs} runs:")
    base = wall([PYTHON, "-c", "import click"], args.runs)
    print(f"  baseline: python -c 'import click'   {base[0] * 1000:6.0f} / {base[1] * 1000:4.0f} ms")
    for label, cmd in (("radio --help", r + ["--help"]), ("radio emergency --help", r + ["emergency", "--help"]),
                       ("radio status (no daemon)", r + ["status"])):  # fmt: skip
        m, x = wall(cmd, args.runs)
        print(f"  {label:33s}  {m * 1000:6.0f} / {x * 1000:4.0f} ms")

    start = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=8)
    subprocess.run(r + ["slot", "add", "Bench", "--at", start.strftime("%H:%M:%S"), "--no-jingles", "--max-minutes", "60"],
                   check=True, capture_output=True, env=env)  # fmt: skip
    subprocess.run(r + ["queue", "add", *map(str, show), "--slot", "Bench"], check=True, capture_output=True, env=env)
    log = (root / "daemon.log").open("w")
    daemon = subprocess.Popen(r + ["daemon"], stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        with Monitor(server) as monitor:
            time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
            m, x = wall(r + ["status"], args.runs)
            print(f"  {'radio status (daemon answering)':33s}  {m * 1000:6.0f} / {x * 1000:4.0f} ms")

            paplay = []
            for _ in range(3):
                t0 = time.time()
                subprocess.run(["paplay", "--device=radio_test", str(root / f"item{len(ids) - 1}.wav")], env=env,
                               check=True)  # fmt: skip
                paplay.append(first_sample(monitor, alarm_samples[: RATE // 2], t0) - t0)
                time.sleep(0.5)
            delays = []
            for _ in range(args.tries):
                time.sleep(4.0)  # a show item on air again (the next one resumes after each alarm)
                t0 = time.time()
                done = subprocess.run(r + ["emergency", str(alarm)], capture_output=True, text=True, env=env)
                assert done.returncode == 0, done.stderr
                time.sleep(2.5)
                delays.append(first_sample(monitor, alarm_samples[: RATE // 2], t0) - t0)
    finally:
        daemon.terminate()
        daemon.wait(20)
        server.stop()
    print(f"\nEmergency: start of `radio emergency` to the first alarm sample on the monitor ({args.tries} tries):")
    print(f"  baseline paplay (spawn to first sample): median {statistics.median(paplay) * 1000:.0f} ms")
    print(f"  radio emergency: median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms, "
          f"all: {' '.join(f'{d * 1000:.0f}' for d in delays)}")  # fmt: skip
    rows = json.loads(subprocess.run(r + ["log", "--json"], capture_output=True, text=True, env=env).stdout)
    print(f"  as-run: {sum(1 for x in rows if x['item_id'] == alarm and x['status'] == 'completed')} alarms completed, "
          f"{sum(1 for x in rows if x['status'] == 'interrupted')} show items interrupted")  # fmt: skip


if __name__ == "__main__":
    main()
