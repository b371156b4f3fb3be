#!/usr/bin/env python3
"""Idle daemon CPU (issue: broadcast daemon). Target: <= 0.05 CPU-seconds per minute.

Starts `radio daemon` on a fresh station whose next occurrence is hours away, lets it
settle, and reads its CPU time (user + system, from /proc) over a measured interval. The
baseline in the same run: a bare Python process running an APScheduler interval job at the
same 1.5 s period doing nothing (the floor of "a timer that wakes up").

Usage: .venv/bin/python bench/daemon_idle_bench.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RADIO = str(REPO / ".venv" / "bin" / "radio")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


BASELINE = (
    "import time\n"
    "from apscheduler.schedulers.background import BackgroundScheduler\n"
    "s = BackgroundScheduler(); s.add_job(lambda: None, 'interval', seconds=1.5); s.start()\n"
    "time.sleep(10**6)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="radio-idle-bench-"))
    env = dict(os.environ, RADIO_HOME=str(home), LANG="C.UTF-8")
    run = lambda *a: subprocess.run([RADIO, *a], env=env, check=True, capture_output=True)  # noqa: E731
    run("init")
    run("library", "add", str(REPO / "media" / "03_tin-dung-chinh-sach.ogg"), "--topic", "tin-dung")
    run("library", "approve", "1", "--by", "bench")
    later = (datetime.now() + timedelta(hours=6)).strftime("%H:%M")
    run("slot", "add", "Chiều", "--at", later)
    run("queue", "add", "1", "--slot", "Chiều")

    daemon = subprocess.Popen([RADIO, "daemon"], env=env, stderr=subprocess.DEVNULL)
    baseline = subprocess.Popen([sys.executable, "-c", BASELINE])
    try:
        time.sleep(5.0)  # both settle
        before = cpu_seconds(daemon.pid), cpu_seconds(baseline.pid)
        time.sleep(args.seconds)
        after = cpu_seconds(daemon.pid), cpu_seconds(baseline.pid)
        ours, base = ((a - b) * 60.0 / args.seconds for a, b in zip(after, before))
    finally:
        daemon.terminate()
        baseline.terminate()
        daemon.wait(20)
        baseline.wait(5)
    print(f"idle over {args.seconds:.0f} s, CPU-seconds per minute:")
    print(f"  radio daemon (1.5 s database watch, timers):      {ours:.4f}   target <= 0.05")
    print(f"  baseline: bare APScheduler 1.5 s interval job:    {base:.4f}")


if __name__ == "__main__":
    main()
