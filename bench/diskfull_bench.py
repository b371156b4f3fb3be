#!/usr/bin/env python3
"""What a full disk does to the as-run log (issue 9 §4), measured on a real full tmpfs
(needs root): with the station home full to the last byte, how many as-run rows (a row
when an item starts + its completion: two commits, as the daemon writes them) SQLite takes
before SQLITE_FULL, then how many the daemon's released reserve (default 16 MB) buys.

Usage: sudo .venv/bin/python bench/diskfull_bench.py [--reserve-mb 16]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radio.app import open_app  # noqa: E402
from radio.domain.asrun import AsRunStatus  # noqa: E402
from radio.domain.library import Item, ItemStatus, Priority  # noqa: E402
from radio.domain.units import ItemId, Seconds  # noqa: E402
from radio.errors import DiskFullError  # noqa: E402
from radio.scheduler.safeguards import SpaceReserve  # noqa: E402


def fill(path: Path) -> None:
    fd = os.open(path / "ballast", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    for chunk in (1 << 20, 1 << 12):
        try:
            while True:
                os.write(fd, b"\0" * chunk)
        except OSError:
            pass
    os.close(fd)


def airings(app, item, limit: int) -> int:
    """Rows written (start + completion) until the disk refuses one."""
    t = datetime.now(timezone.utc)
    for n in range(limit):
        try:
            row = app.as_run.record(item, status=AsRunStatus.PLAYING, occurrence_start=t, scheduled_at=t,
                                    started_at=t, slot_name="Sáng")  # fmt: skip
            app.as_run.finish(row.id, AsRunStatus.COMPLETED, t + timedelta(seconds=300), 300.0)
        except DiskFullError:
            return n
    return limit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reserve-mb", type=int, default=16)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mount = Path(tmp)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.reserve_mb * 3}m", "tmpfs", str(mount)], check=True)
        try:
            home = mount / "home"
            subprocess.run([str(Path(sys.executable).with_name("radio")), "--home", str(home), "init"], check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            app = open_app(home)
            item = app.library.add(Item(
                id=ItemId(0), sha256="0" * 64, title="Bản tin", topic="chinh-sach", language="vi", source=None,
                priority=Priority.NORMAL, status=ItemStatus.APPROVED, duration_s=Seconds(300.0), loudness_lufs=None,
                true_peak_dbtp=None, sample_rate=48000, channels=1, codec="mp3", media_path="x.mp3",
                original_name="x.mp3", added_at=datetime.now(timezone.utc)))  # fmt: skip
            reserve = SpaceReserve(home, args.reserve_mb)
            assert reserve.ensure()
            fill(mount)
            wal = home / "radio.db-wal"
            print(f"disk full; WAL {wal.stat().st_size} bytes; db {(home / 'radio.db').stat().st_size} bytes")
            before = airings(app, item, 10_000)
            print(f"as-run rows written on the full disk before SQLITE_FULL: {before}")
            freed = reserve.release()
            after = airings(app, item, 1_000_000)
            print(f"after releasing the {freed / 2**20:.0f} MB reserve: {after} more rows "
                  f"(WAL {wal.stat().st_size / 2**20:.1f} MB, db {(home / 'radio.db').stat().st_size / 2**20:.1f} MB)")
            app.close()
        finally:
            subprocess.run(["umount", "-l", str(mount)])


if __name__ == "__main__":
    main()
