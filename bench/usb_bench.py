#!/usr/bin/env python3
"""USB export benchmark (issue 6): 350 hamlets x 10 items.

In one run, on the same machine and disk:
  1. `radio export-usb DEST --all` with a cold transcode cache (10 items transcoded, then
     3,500 files written, each fsync'ed, tagged and hashed on the way);
  2. the same export again to a fresh DEST with the cache warm (the usual case: the items
     were exported to an earlier batch of sticks);
  3. the baseline: a plain copy of the same bytes (the tree written by 1) — once with one
     `sync` at the end (what `cp -r` + eject does), once with an fsync per file (the same
     durability radio gives each file);
and prints wall seconds and the ratio export/plain copy (target <= 1.3).

Usage: .venv/bin/python bench/usb_bench.py [--hamlets 350] [--items 10] [--seconds 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RADIO = str(REPO / ".venv" / "bin" / "radio")
ENV = dict(os.environ, LANG="C.UTF-8")


def run(*args: str) -> str:
    return subprocess.run([RADIO, *args], check=True, capture_output=True, text=True, env=ENV).stdout


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def make_items(src: Path, n: int, seconds: int) -> list[Path]:
    """Speech-like items: pink noise in syllable-rate bursts, 44.1 kHz mono WAV."""
    src.mkdir(parents=True)
    paths = []
    for i in range(n):
        path = src / f"ban-tin-{i + 1:02d}.wav"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
             f"anoisesrc=color=pink:duration={seconds}:sample_rate=44100:seed={i + 1}",
             "-af", f"volume='0.3+0.25*sin(2*PI*{3 + i * 0.1}*t)':eval=frame", "-ac", "1", str(path)],
            check=True,
        )  # fmt: skip
        paths.append(path)
    return paths


def plain_copy(src: Path, dst: Path, fsync_each: bool) -> None:
    for root, _dirs, files in os.walk(src):
        target = dst / Path(root).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(Path(root) / name, target / name)
            if fsync_each:
                fd = os.open(target / name, os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
    os.sync()


def tree_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hamlets", type=int, default=350)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=20, help="length of each item")
    parser.add_argument("--keep", type=Path, help="work here and keep the files")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="usb-bench-", dir=REPO / "bench" / "out" if (REPO / "bench" / "out").is_dir() else None))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    try:
        run("--home", str(home), "init")
        for path in make_items(work / "src", args.items, args.seconds):
            run("--home", str(home), "library", "add", str(path), "--topic", "chinh-sach")
        run("--home", str(home), "library", "approve", *map(str, range(1, args.items + 1)), "--by", "Chủ tịch UBND xã")
        csv = work / "thon.csv"
        csv.write_text("code,name\n" + "".join(f"T{i:03d},Thôn số {i}\n" for i in range(1, args.hamlets + 1)),
                       encoding="utf-8-sig")  # fmt: skip
        run("--home", str(home), "hamlet", "import", str(csv))

        os.sync()
        cold = timed(lambda: run("--home", str(home), "export-usb", str(work / "cold"), "--all"))
        files, size = tree_bytes(work / "cold")
        os.sync()
        warm = timed(lambda: run("--home", str(home), "export-usb", str(work / "warm"), "--all"))
        os.sync()
        copy_sync = timed(lambda: plain_copy(work / "cold", work / "copy1", fsync_each=False))
        copy_fsync = timed(lambda: plain_copy(work / "cold", work / "copy2", fsync_each=True))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"USB export bench: {args.hamlets} hamlets x {args.items} items of {args.seconds} s "
          f"(MP3 128 kbps), {os.cpu_count()} cores")  # fmt: skip
    print(f"  written: {files} files, {size / 1e6:.0f} MB")
    print(f"  export, cold cache (transcode + write): {cold:7.2f} s")
    print(f"  export, warm cache (write only):        {warm:7.2f} s")
    print(f"  plain copy of the same bytes, one sync: {copy_sync:7.2f} s")
    print(f"  plain copy, fsync per file:             {copy_fsync:7.2f} s")
    print(f"  ratio cold/copy: {cold / copy_sync:.2f}   warm/copy: {warm / copy_sync:.2f}   "
          f"warm/copy-fsync: {warm / copy_fsync:.2f}   (target <= 1.3)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
