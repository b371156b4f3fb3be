#!/usr/bin/env python3
"""Spoken-notice benchmark (issue 13).

Measures, in one run, on the same 300-word notice (numbers, dates, money, abbreviations,
a phone number, as commune notices have them):
  - `radio announce` as a process: normalise + speak (espeak-ng) + chime and second reading
    (pydub) + import (hash, ffmpeg loudness, database), read twice (the default);
  - the baseline: `espeak-ng` alone speaking the already-normalised text twice into one WAV
    of the same length, then `radio library add` of that WAV;
  - the normaliser alone, in process (300 words, many repetitions).
Prints the median of --runs runs of each. Target: announce <= 2 s.

Usage: .venv/bin/python bench/tts_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RADIO = str(REPO / ".venv" / "bin" / "radio")
ENV = dict(os.environ, LANG="C.UTF-8")

PARAGRAPH = (
    "UBND xã Đồng Tâm thông báo: thực hiện Kế hoạch số 45/KH-UBND ngày 05/03/2025 của UBND huyện, "
    "từ 7h30 đến 11h00 ngày 15/3/2025, Trạm y tế xã tổ chức tiêm vắc xin cho trẻ từ 2-5 tuổi tại "
    "nhà văn hóa thôn 3. Hộ nghèo, hộ cận nghèo có thẻ BHYT được hỗ trợ 1.500.000đ/người; đã có 95% "
    "hộ tham gia BHXH tự nguyện. Dự báo từ ngày 16/3 có mưa 100-150mm, nhiệt độ thấp nhất 13°C. "
    "Đề nghị bà con mang theo CCCD, sổ tiêm chủng. Mọi thắc mắc xin liên hệ SĐT 0912345678 "
    "(anh Nam, cán bộ văn hóa xã) hoặc đường dây nóng 1900 1234. "
)


def notice(words: int = 300) -> str:
    text = ""
    while len(text.split()) < words:
        text += PARAGRAPH
    return " ".join(text.split()[:words]).rstrip(",;:") + "."


def timed(cmd: list[str], **kwargs) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=ENV, **kwargs)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from radio.domain.normalize import normalize
    from radio.tts.lexicon import load_lexicon
    from radio.tts.voice import speech_text

    text = notice()
    with tempfile.TemporaryDirectory(prefix="tts-bench-") as tmp:
        tmp = Path(tmp)
        lexicon = load_lexicon(tmp / "no-home")
        t = time.perf_counter()
        for _ in range(20):
            spoken = normalize(text, lexicon)
        normalise_s = (time.perf_counter() - t) / 20

        announce, baseline, speak_only = [], [], []
        for run in range(args.runs):
            home = tmp / f"home{run}"
            subprocess.run([RADIO, "--home", home, "init"], check=True, capture_output=True, env=ENV)
            # each run speaks a different notice (a number changes), so nothing is a duplicate
            variant = text.replace("0912345678", f"09123456{run:02d}")
            announce.append(timed([RADIO, "--home", home, "announce", variant, "--topic", "y-te", "--title",
                                   f"Tiêm chủng {run}", "--json"]))  # fmt: skip
            # baseline: espeak-ng alone on the normalised text read twice, then library add
            twice = speech_text(normalize(variant, lexicon)) + "\n" + speech_text(normalize(variant, lexicon))
            wav = tmp / f"base{run}.wav"
            speak = timed(["espeak-ng", "-v", "vi", "-s", "150", "-b", "1", "-w", str(wav)], input=twice.encode())
            add = timed([RADIO, "--home", home, "library", "add", wav, "--topic", "y-te", "--json"])
            speak_only.append(speak)
            baseline.append(speak + add)
        seconds = float(
            subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(wav)],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
        )

    med = statistics.median
    print(f"notice: {len(text.split())} words, {len(text)} characters; spoken twice ≈ {seconds:.0f} s of audio")
    print(f"normalise only (in process):            {normalise_s * 1000:7.1f} ms")
    print(f"baseline espeak-ng alone (read twice):  {med(speak_only):7.2f} s")
    print(f"baseline espeak-ng + radio library add: {med(baseline):7.2f} s")
    print(f"radio announce (all of it):             {med(announce):7.2f} s   (target <= 2 s)")
    print(f"runs: {args.runs}; announce min/max {min(announce):.2f}/{max(announce):.2f} s")
    del spoken


if __name__ == "__main__":
    main()
