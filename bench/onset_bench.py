"""Hard starts of `radio play ID --at T --device pulse` (the CLI and its audio engine, as an
operator runs it), measured on the sound server's monitor: signed error of the first sample
against T, over N starts. Baseline in the same run: the in-process player.

Usage: .venv/bin/python bench/onset_bench.py [--starts 10]
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
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from radio.audio.player import Player  # noqa: E402
from radio.audio.sd_output import SoundDeviceOutput  # noqa: E402
from radio.audio.testserver import SoundServer  # noqa: E402
from radio.domain.playout import Entry, EntryKind  # noqa: E402
from tests.soundserver import RATE, Monitor, noise, onset, write_wav  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")


def measure(mon: Monitor, t: float) -> float:
    time.sleep(max(0.0, t + 0.6 - time.time()))
    first = onset(mon.audio(), 0.005, start=mon.frame_at(t - 0.5))
    return (mon.wall_time(first) - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="onset-bench-"))
    server = SoundServer(work / "pulse")
    server.start()
    os.environ.update(server.env)
    env = {**os.environ, "LANG": "C.UTF-8"}
    home = work / "home"
    short = write_wav(work / "short.wav", noise(RATE // 4, 1))
    subprocess.run([RADIO, "--home", str(home), "init"], env=env, check=True, capture_output=True)
    out = subprocess.run([RADIO, "--home", str(home), "library", "add", str(short), "--topic", "chinh-sach", "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout  # fmt: skip
    item = str(json.loads(out)[0]["id"])
    player = Player(lambda: SoundDeviceOutput("pulse", RATE, 1))
    cli, inproc = [], []
    try:
        with Monitor(server) as mon:
            for _ in range(args.starts):
                t = float(int(time.time()) + 3)
                at = datetime.fromtimestamp(t).astimezone().isoformat()
                subprocess.run([RADIO, "--home", str(home), "play", item, "--at", at, "--device", "pulse",
                                "--no-jingles"], env=env, check=True, capture_output=True)  # fmt: skip
                cli.append(measure(mon, t))
                t = time.time() + 1.0
                player.play([Entry(EntryKind.ITEM, "s", str(short))], at=t)
                inproc.append(measure(mon, t))
    finally:
        server.stop()
    for name, errs in (("radio play --at (engine process)", cli), ("in-process player", inproc)):
        print(f"{name:34s} signed error ms: median {statistics.median(errs):+.2f}, min {min(errs):+.2f}, "
              f"max {max(errs):+.2f}; all {' '.join(f'{e:+.1f}' for e in errs)}")  # fmt: skip


if __name__ == "__main__":
    main()
