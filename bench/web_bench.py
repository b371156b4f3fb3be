#!/usr/bin/env python3
"""Web console benchmark (issue 10): page times, memory and idle CPU of `radio web`.

Builds a station with 1,000,000 as-run rows over three years (bench/gen_asrun.py) and
10,000 library items, two slots with queued items, one user; starts the real `radio web`
on a free loopback port, logs in, then:
  - requests each page --repeat times and reports the median and worst time; the client is on
    the same machine over loopback, so this is the server's time plus a few hundred µs;
  - the process's RSS (VmRSS and its peak VmHWM) after all of it;
  - idle CPU: utime+stime of the process over --idle seconds with nobody connected.

Usage: .venv/bin/python bench/web_bench.py [--rows 1000000] [--items 10000] [--repeat 20] [--idle 60] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.webtools import add_users, free_port, start_console, stop_console  # noqa: E402

RADIO = str(REPO / ".venv" / "bin" / "radio")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def build(home: Path, rows: int, items: int) -> None:
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_asrun.py"), str(home), "--rows", str(rows)], check=True)
    con = sqlite3.connect(home / "radio.db")
    con.execute("PRAGMA synchronous=OFF")
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    have = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    con.executemany(
        "INSERT INTO items (id, sha256, title, topic, language, source, priority, status, duration_s, media_path,"
        " original_name, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(n, f"{n:064x}", f"Thông báo số {n} về tiêm chủng và phòng chống dịch", "y-te", "vi", "UBND huyện",
          "normal", "draft" if n % 3 else "approved", 120.0 + n % 600, "x.mp3", f"thong-bao-{n}.mp3", now)
         for n in range(have + 1, items + 1)],
    )  # fmt: skip
    con.commit()
    con.close()
    env = dict(os.environ, LANG="C.UTF-8")
    for name, at in (("Bản tin sáng", "05:30"), ("Bản tin chiều", "17:00")):
        subprocess.run([RADIO, "--home", str(home), "slot", "add", name, "--at", at], check=True, env=env,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([RADIO, "--home", str(home), "queue", "add", "3", "6", "9", "12", "--slot", name], check=True,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    add_users(home, [("an", "approver", "Nguyễn Văn An, Chủ tịch UBND xã")])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="web-bench-"))
    home = (args.keep or work) / "home"
    if not (home / "radio.db").exists():
        t = time.perf_counter()
        build(home, args.rows, args.items)
        print(f"station built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    console = start_console(RADIO, dict(os.environ, LANG="C.UTF-8"), home, free_port())
    pid = console.proc.pid
    try:
        client = console.client("an")
        day = (datetime.now() - timedelta(days=1)).date().isoformat()
        pages = {
            "On air": "/on-air",
            "Library, page 1 of 10,000": "/library",
            "Library, text search": "/library?q=so%20777",
            "Library, drafts, page 50": "/library?status=draft&page=50",
            "Schedule, this week": "/schedule",
            f"As-run, one day ({day})": f"/log?from={day}&to={day}",
            "As-run, one day, failed only": f"/log?from={day}&to={day}&status=failed",
            "As-run, one month, page 1": f"/log?from={day[:8]}01&to={day}",
            "Reports, this month": "/reports",
        }
        print("| page | median | worst | rows |\n|---|---|---|---|")
        for label, path in pages.items():
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                reply = client.get(path)
                times.append(time.perf_counter() - t)
                assert reply.status == 200, (path, reply.status)
            rows = reply.text.count("<tr") + reply.text.count('<li class="item')
            print(f"| {label} | {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms | {rows} |")
        rss, peak = rss_mb(pid)
        print(f"\nRSS after the pages: {rss:.0f} MB (peak {peak:.0f} MB)")
        before = cpu_s(pid)
        time.sleep(args.idle)
        used = cpu_s(pid) - before
        print(f"idle: {used:.3f} CPU-s over {args.idle:.0f} s ({used * 60 / args.idle:.3f} CPU-s per minute)")
    finally:
        stop_console(console)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
