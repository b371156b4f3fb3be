"""Playout and console under hostile imports (issue 17, Medium 8): the daemon's start lateness
(first sample on the sound server's monitor against the slot's instant) and the console's
page time (GET /library as a viewer, every 0.3 s through the show), with and without an
operator's flood of uploads of hours of silence (tests/hostile.py) at the show's start.
Baseline in the same run: the same rounds without the uploads.

Each round: a fresh station, three 3-second items queued in a slot 12 s ahead, the real
daemon on the test sound server and the real `radio web`.

Usage: .venv/bin/python bench/attack_bench.py [--rounds 2] [--uploads 10] [--minutes 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from radio.audio.testserver import SoundServer  # noqa: E402
from tests.conftest import Radio  # noqa: E402
from tests.hostile import silence_mp3  # noqa: E402
from tests.soundserver import Monitor, onset  # noqa: E402
from tests.test_daemon import Station  # noqa: E402
from tests.test_playout_under_attack import _analyses, _upload  # noqa: E402
from tests.webtools import add_users, start_console, stop_console  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")


def one_round(tmp: Path, server: SoundServer, uploads: int, minutes: int) -> tuple[float, list[float], int]:
    radio = Radio(tmp / "home")
    assert radio("init").exit_code == 0
    station = Station(radio, RADIO, tmp)
    items = [station.item(3.0, seed) for seed in (31, 32, 33)]
    add_users(radio.home, [("binh", "operator", "Bình"), ("chi", "viewer", "Chí")])
    files = [silence_mp3(tmp / "hostile" / f"h{n}.mp3", minutes=minutes - n) for n in range(uploads)]
    start = station.slot_in(12)
    assert radio("queue", "add", *items, "--slot", "Sáng").exit_code == 0
    console = start_console(RADIO, dict(os.environ), radio.home)
    times: list[float] = []
    most = 0
    try:
        operator, viewer = console.client("binh"), console.client("chi")
        operator.get("/library")
        with Monitor(server) as monitor:
            station.start()
            time.sleep(max(0.0, start.timestamp() - 3 - time.time()))
            with ThreadPoolExecutor(max_workers=max(uploads, 1)) as pool:
                for path in files:
                    pool.submit(_upload, console.port, operator, path)
                end = start.timestamp() + 10
                while time.time() < end:
                    t0 = time.perf_counter()
                    assert viewer.get("/library").status == 200
                    times.append(time.perf_counter() - t0)
                    most = max(most, len(_analyses(radio.home)))
                    time.sleep(0.3)
                first = onset(monitor.audio(), 0.005, start=monitor.frame_at(start.timestamp() - 1.0))
                late_ms = (monitor.wall_time(first) - start.timestamp()) * 1000
                stop_console(console)  # the uploads still analysing end with it
                for pid in _analyses(radio.home):
                    os.kill(pid, 9)
    finally:
        if console.proc.poll() is None:
            stop_console(console)
        if station.proc is not None and station.proc.poll() is None:
            station.stop()
    return late_ms, times, most


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--uploads", type=int, default=10)
    ap.add_argument("--minutes", type=int, default=60, help="length of each hostile file (under the 180-min cap)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="attack-bench-") as root:
        server = SoundServer(Path(root) / "pulse")
        server.start()
        os.environ.update(server.env)
        try:
            for label, uploads in (("baseline", 0), (f"{args.uploads} hostile uploads", args.uploads)):
                lates, pages, most = [], [], 0
                for n in range(args.rounds):
                    late, times, peak = one_round(Path(root) / f"{uploads}-{n}", server, uploads, args.minutes)
                    lates.append(late)
                    pages += times
                    most = max(most, peak)
                print(f"{label:>22}: start lateness {', '.join(f'{x:+.1f}' for x in lates)} ms; "
                      f"/library median {statistics.median(pages) * 1000:.0f} ms, worst {max(pages) * 1000:.0f} ms "
                      f"({len(pages)} pages); analyses at once: at most {most}")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
