"""Hostile audio files for the attack tests: hours of silence in a few megabytes.

MP3 frames of digital silence at 8 kHz, 8 kbit/s cost 1 kB a second on disk and about a
hundredth of a CPU second a minute to measure. A minute is encoded once by real ffmpeg and
its frames are repeated (silence frames do not use the bit reservoir, so the repeats decode
as one long stream) — a two-hour file is written in milliseconds instead of minutes.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

MINUTE_S = 60


@cache
def _minute(xing: bool, folder: Path) -> bytes:
    out = folder / f"minute-{'xing' if xing else 'bare'}.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", str(MINUTE_S),
         "-c:a", "libmp3lame", "-b:a", "8k", "-write_xing", "1" if xing else "0", "-id3v2_version", "0",
         "-f", "mp3", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def silence_mp3(path: Path, minutes: int, lying_header: bool = False) -> Path:
    """*minutes* of silence as MP3. With *lying_header*, the file's Xing header says it lasts
    one minute (what mutagen believes), while ffmpeg decodes all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bare = _minute(False, path.parent)
    head = _minute(True, path.parent) if lying_header else bare  # a Xing header counting one minute
    path.write_bytes(head + bare * (minutes - 1))
    return path
