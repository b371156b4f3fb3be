#!/usr/bin/env python3
"""Report speed (issue 5): the monthly by-topic airtime report over a large as-run log,
with and without the indexes of migration 0005.

Makes the station with bench/gen_asrun.py unless --home points at one, copies its
database and drops the 0005 indexes in the copy, then times the same report on both
(the report's own query code, radio.reports.airtime), and a few other groupings, a
quarter and the week's log book query. Prints best and median of --runs runs (warm page
cache: the second run onward; the first run of each is shown too).

Usage: .venv/bin/python bench/report_bench.py [--home DIR] [--rows 1000000] [--month 2025-06] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from radio.domain import reports as rules  # noqa: E402
from radio.reports.airtime import airtime  # noqa: E402
from radio.reports.sql import MOMENT, stamp  # noqa: E402
from radio.storage.db import create_sqlite_engine  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

INDEXES = ("ix_as_run_moment", "ix_items_added_at")


def week_rows(engine, week) -> list:
    with engine.connect() as con:
        return con.exec_driver_sql(
            f"SELECT * FROM as_run WHERE {MOMENT} >= ? AND {MOMENT} < ? ORDER BY {MOMENT}, id",
            (stamp(week.start), stamp(week.end)),
        ).fetchall()


def timed(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times[0], min(times[1:] or times), statistics.median(times[1:] or times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--month", default="2025-06")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="report-bench-"))
    home = args.home
    if home is None:
        home = work / "home"
        subprocess.run([sys.executable, str(REPO / "bench" / "gen_asrun.py"), str(home), "--rows", str(args.rows)],
                       check=True)  # fmt: skip
    bare = work / "noindex.db"
    shutil.copyfile(home / "radio.db", bare)
    con = sqlite3.connect(bare)
    for name in INDEXES:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    con.commit()
    rows = con.execute("SELECT COUNT(*) FROM as_run").fetchone()[0]
    con.close()

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    month = rules.parse_month(args.month, zone)
    quarter = rules.quarter(month.first.year, (month.first.month + 2) // 3, zone)
    week = rules.week(*month.first.isocalendar()[:2], zone)
    print(f"as-run rows: {rows}; month {month.label}; {args.runs} runs each; "
          f"SQLite {sqlite3.sqlite_version}; times in seconds (first run, best, median of the rest)")  # fmt: skip
    cases = [
        ("monthly by topic", lambda e: airtime(e, month, ("topic",))),
        ("monthly by day", lambda e: airtime(e, month, ("day",))),
        ("monthly by topic+language", lambda e: airtime(e, month, ("topic", "language"))),
        ("quarterly by topic", lambda e: airtime(e, quarter, ("topic",))),
        ("week's log book rows", lambda e: week_rows(e, week)),
    ]
    engines = {"with 0005 indexes": create_sqlite_engine(home / "radio.db"),
               "without": create_sqlite_engine(bare)}  # fmt: skip
    result = {}
    for name, fn in cases:
        for label, engine in engines.items():
            result[(name, label)] = timed(lambda: fn(engine), args.runs)
    print(f"{'report':28} {'with 0005 indexes':>26} {'without':>26}")
    for name, _ in cases:
        cells = ["{:.3f} / {:.3f} / {:.3f}".format(*result[(name, label)]) for label in engines]
        print(f"{name:28} {cells[0]:>26} {cells[1]:>26}")
    best = result[("monthly by topic", "with 0005 indexes")][2]
    print(f"target: monthly by-topic <= 0.3 s -> {'met' if best <= 0.3 else 'NOT met'} ({best:.3f} s median)")
    for engine in engines.values():
        engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
