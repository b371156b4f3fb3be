#!/usr/bin/env python3
"""Import + loudness benchmark (issue: foundation/library).

Measures, in one run on the same files:
  - `radio library add` of one 60-minute MP3, and of 200 short files (20-40 s, mixed formats);
  - the baseline: `ffmpeg -af ebur128=peak=true -f null -` alone on the same files,
    sequentially (one file after another, as a script would) and two at a time;
and prints wall seconds, peak RSS (largest single process: radio's Python or an ffmpeg)
and the speed ratio baseline/import (>= 0.8 is the target: import at least 0.8x as fast
as ffmpeg's measurement alone).

Usage: .venv/bin/python bench/import_bench.py [--minutes 60] [--short 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RADIO = str(REPO / ".venv" / "bin" / "radio")
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:]).returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


def measured(cmd: list[str], quiet: bool = True) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process *cmd* and its children ran."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, LANG="C.UTF-8"),
    )  # fmt: skip
    wall, rss_kb, _rc = out.stdout.strip().splitlines()[-1].split()
    return float(wall), int(rss_kb) / 1024


def make_long(path: Path, minutes: int) -> None:
    """Speech-like programme: pink noise shaped in syllable-rate bursts, 64 kbps mono MP3."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
         "-i", f"anoisesrc=color=pink:amplitude=0.3:duration={minutes * 60}:sample_rate=44100",
         "-af", "volume='0.4+0.6*abs(sin(2*PI*3*t))':eval=frame,lowpass=3500",
         "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
        check=True,
    )  # fmt: skip


def make_short(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    kinds = [("mp3", ["-c:a", "libmp3lame", "-b:a", "64k"]), ("ogg", ["-c:a", "libvorbis"]),
             ("m4a", ["-c:a", "aac", "-b:a", "64k"]), ("wav", [])]  # fmt: skip
    paths = []

    def one(n: int) -> Path:
        ext, args = kinds[n % len(kinds)]
        path = folder / f"ban-tin-{n:03d}.{ext}"
        seconds = 20 + (n * 7) % 21
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi",
             "-i", f"sine=frequency={200 + n * 3}:sample_rate=22050:duration={seconds}",
             "-af", "volume=-6dB", "-ac", "1", *args, str(path)],
            check=True,
        )  # fmt: skip
        return path

    with ThreadPoolExecutor(os.cpu_count()) as pool:
        paths = list(pool.map(one, range(count)))
    return paths


def ffmpeg_alone(paths: list[Path], parallel: int) -> tuple[float, float]:
    script = (
        "import subprocess, sys\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def m(p): subprocess.run(['ffmpeg','-hide_banner','-nostdin','-nostats','-i',p,'-af',"
        "'ebur128=peak=true:framelog=verbose','-f','null','-'], capture_output=True, check=True)\n"
        f"with ThreadPoolExecutor({parallel}) as pool: list(pool.map(m, sys.argv[1:]))\n"
    )
    return measured([sys.executable, "-c", script, *map(str, paths)])


def radio_import(paths: list[Path], home: Path) -> tuple[float, float]:
    subprocess.run([RADIO, "--home", str(home), "init"], check=True, capture_output=True)
    wall, rss = measured([RADIO, "--home", str(home), "library", "add", *map(str, paths), "--topic", "chinh-sach", "--json"])
    items = json.loads(subprocess.run([RADIO, "--home", str(home), "library", "list", "--json"],
                                      capture_output=True, text=True, check=True).stdout)  # fmt: skip
    assert len(items) == len(paths), f"imported {len(items)} of {len(paths)}"
    return wall, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--short", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="radio-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores; work dir {work}")
    long_file = work / f"long-{args.minutes}min.mp3"
    if not long_file.exists():
        make_long(long_file, args.minutes)
    shorts = make_short(work / "short", args.short)
    rows = []
    for label, files in ((f"1 x {args.minutes}-min MP3", [long_file]), (f"{args.short} short files", shorts)):
        size = sum(f.stat().st_size for f in files) / 1e6
        base_seq = ffmpeg_alone(files, 1)
        base_par = ffmpeg_alone(files, os.cpu_count() or 1)
        home = work / f"home-{len(files)}"
        shutil.rmtree(home, ignore_errors=True)
        imp = radio_import(files, home)
        rows.append((label, size, base_seq, base_par, imp))
    print()
    print(f"{'files':<22}{'MB':>8}  {'ffmpeg ebur128 alone':>22}  {'ffmpeg, 2 at a time':>20}  "
          f"{'radio library add':>18}  {'speed vs alone':>14}")  # fmt: skip
    for label, size, (bs, bs_rss), (bp, bp_rss), (iw, i_rss) in rows:
        print(f"{label:<22}{size:>8.1f}  {bs:>8.2f} s {bs_rss:>6.0f} MB  {bp:>8.2f} s {bp_rss:>5.0f} MB  "
              f"{iw:>7.2f} s {i_rss:>5.0f} MB  {bs / iw:>10.2f}x (vs 2-at-a-time {bp / iw:.2f}x)")  # fmt: skip
    print("\npeak RSS = the largest single process (Python or ffmpeg) of that run; target: speed >= 0.8x")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
