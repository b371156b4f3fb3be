#!/usr/bin/env python3
"""Notice normaliser benchmark (issue 19, item 7): ours beside Vietnamese normalisers
published on PyPI, on the same real-style administrative sentences
(tests/data/admin_sentences.txt: document symbols, Roman numerals, the programme's
abbreviations, "./.", dates, percentages, decimal commas, ranges).

For each normaliser and sentence: the leftovers — what espeak-ng would still read as
letters, digits or symbols (tests/spoken.py, the same count the test asserts on) — and the
time per sentence (median of --runs). The competitors are optional bench dependencies, not
runtime ones (`pip install -e '.[bench]'`); one that is not installed is reported as such.

- vinorm (2.0.7): the classic Vietnamese TTS normaliser (a C++ program shipped in the wheel);
- vietnormalizer (0.2.3): a pure-Python normaliser for TTS;
- soe-vinorm (0.3.2) needs its CRF model from a model hub at run time, which this machine
  cannot reach: reported as unavailable when it cannot load.

Usage: .venv/bin/python bench/normalize_bench.py [--runs 5] [--detail]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from radio.domain.normalize import Lexicon, normalize  # noqa: E402
from tests.spoken import leftovers  # noqa: E402

SENTENCES = REPO / "tests" / "data" / "admin_sentences.txt"


@contextlib.contextmanager
def quiet_output():
    """Standard output and error (file descriptors 1 and 2, which a child program inherits)
    sent to /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        for fd, copy in zip((1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)


def ours() -> Callable[[str], str]:
    table = tomllib.loads((REPO / "radio" / "data" / "abbreviations.toml").read_text("utf-8"))
    lexicon = Lexicon.from_mapping(table, "abbreviations.toml")
    return lambda text: normalize(text, lexicon)


def vinorm() -> Callable[[str], str]:
    from vinorm import TTSnorm

    def run(text: str) -> str:
        with quiet_output():  # its program prints every Roman numeral it finds
            return TTSnorm(text)

    return run


def vietnormalizer() -> Callable[[str], str]:
    from vietnormalizer import VietnameseNormalizer

    return VietnameseNormalizer().normalize


def soe_vinorm() -> Callable[[str], str]:
    from soe_vinorm import SoeNormalizer

    normalizer = SoeNormalizer()
    normalizer.normalize("khởi động 1")  # loads the model now, or fails here
    return normalizer.normalize


NORMALISERS = {"radio (ours)": ours, "vinorm 2.0.7": vinorm, "vietnormalizer 0.2.3": vietnormalizer,
               "soe-vinorm 0.3.2": soe_vinorm}  # fmt: skip


def measure(fn: Callable[[str], str], sentence: str, runs: int) -> tuple[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        spoken = fn(sentence)
        times.append(time.perf_counter() - start)
    return spoken, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--detail", action="store_true", help="print every sentence's leftovers")
    args = parser.parse_args()
    sentences = [s for s in SENTENCES.read_text("utf-8").splitlines() if s.strip() and not s.startswith("#")]
    print(f"{len(sentences)} sentences, median of {args.runs} runs each\n")
    print("| normaliser | leftovers (total) | sentences with none | worst sentence | median time per sentence |")
    print("|---|---|---|---|---|")
    details = []
    for name, make in NORMALISERS.items():
        try:
            fn = make()
            fn("Số 1")
        except Exception as err:  # noqa: BLE001 - a competitor that cannot run is reported, not fatal
            print(f"| {name} | unavailable: {type(err).__name__}: {str(err).splitlines()[0][:80]} | | | |")
            continue
        counts, times = [], []
        for sentence in sentences:
            spoken, seconds = measure(fn, sentence, args.runs)
            left = leftovers(spoken)
            counts.append(len(left))
            times.append(seconds)
            if left:
                details.append((name, sentence[:60], left))
        print(f"| {name} | {sum(counts)} | {counts.count(0)}/{len(sentences)} | {max(counts)} | "
              f"{statistics.median(times) * 1000:.2f} ms |")  # fmt: skip
    if args.detail:
        print()
        for name, sentence, left in details:
            print(f"{name}: {sentence}…: {' '.join(left)}")


if __name__ == "__main__":
    main()
