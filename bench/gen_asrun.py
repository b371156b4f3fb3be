#!/usr/bin/env python3
"""Generate a station whose as-run log holds N rows (default 1,000,000), for bench/report_bench.py.

The station is made the ordinary way (schema by the Alembic migrations, 0005 included);
200 items are inserted with SQL, then the as-run rows in one transaction with
executemany (the repository's one-commit-per-row durability is for the daemon, not for
filling a bench). Rows are spread over --years years from 2024-01-01: two sessions a day
(05:00 and 17:00 station time), items one after another, statuses in realistic
proportions (mostly completed; some interrupted, failed, skipped, missed).

Usage: .venv/bin/python bench/gen_asrun.py HOME [--rows 1000000] [--years 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radio.app import open_app  # noqa: E402

TOPICS = ["chinh-sach", "mo-hinh", "guong-dien-hinh", "tin-dung", "giao-duc-nghe", "y-te", "nha-o-nuoc-sach",
          "thong-tin", "nong-nghiep", "an-toan-thuc-pham", "moi-truong"]  # fmt: skip
LANGUAGES = ["vi"] * 8 + ["tyz", "hmn"]
SOURCES = [None, "VOV", "Đài tỉnh", "UBND huyện", "Đài xã"]
STATUSES = ["completed"] * 85 + ["interrupted"] * 5 + ["failed"] * 3 + ["skipped"] * 4 + ["missed"] * 3
FMT = "%Y-%m-%d %H:%M:%S.%f"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("home", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if (args.home / "radio.db").exists():
        sys.exit(f"{args.home} already holds a station; give a new directory")
    app = open_app(args.home, create=True)  # migrations, 0005 included
    zone = ZoneInfo(app.settings.station.timezone)
    app.close()
    rnd = random.Random(args.seed)
    con = sqlite3.connect(args.home / "radio.db")
    con.execute("PRAGMA synchronous=OFF")
    t0 = time.perf_counter()
    items = []
    now = datetime(2024, 1, 1).strftime(FMT)
    for n in range(1, 201):
        item = (n, f"{n:064x}", f"Bản tin số {n} — tuyên truyền giảm nghèo", rnd.choice(TOPICS), rnd.choice(LANGUAGES),
                rnd.choice(SOURCES), "normal", "approved", rnd.uniform(60, 900), "x.mp3", "x.mp3", now,
                "Chủ tịch UBND xã", now)  # fmt: skip
        items.append(item)
    con.executemany(
        "INSERT INTO items (id, sha256, title, topic, language, source, priority, status, duration_s, media_path,"
        " original_name, added_at, approved_by, approved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        items,
    )
    days = args.years * 365
    per_day = args.rows / days
    start_day = datetime(2024, 1, 1)

    def rows():
        made = 0
        day = 0
        while made < args.rows:
            count = min(int(per_day * (day + 1)) - int(per_day * day), args.rows - made) if day < days - 1 else args.rows - made
            local_day = start_day + timedelta(days=day)
            sessions = [(local_day.replace(hour=5), "Buổi sáng", 1), (local_day.replace(hour=17), "Buổi chiều", 2)]
            for k in range(count):
                begin, slot, slot_id = sessions[k % 2]
                occurrence = begin.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)
                at = occurrence + timedelta(seconds=(k // 2) * 37)
                item = rnd.choice(items)
                status = rnd.choice(STATUSES)
                aired = status not in ("skipped", "missed")
                played = item[8] if status == "completed" else rnd.uniform(1, item[8]) if aired and status != "failed" else 0.0
                yield (item[0], item[2], item[3], item[4], item[5], item[12], slot_id, slot, occurrence.strftime(FMT),
                       at.strftime(FMT), at.strftime(FMT) if aired else None,
                       (at + timedelta(seconds=played)).strftime(FMT) if aired else None, round(played, 3), status, None)  # fmt: skip
            made += count
            day += 1

    con.executemany(
        "INSERT INTO as_run (item_id, title, topic, language, source, approved_by, slot_id, slot_name,"
        " occurrence_start, scheduled_at, started_at, ended_at, seconds_played, status, reason)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    total = con.execute("SELECT COUNT(*) FROM as_run").fetchone()[0]
    con.close()
    print(f"{total} as-run rows over {args.years} years in {time.perf_counter() - t0:.1f} s -> {args.home}")


if __name__ == "__main__":
    main()
