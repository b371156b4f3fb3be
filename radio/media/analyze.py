"""Decode a file to the end with ffmpeg, measuring EBU R128 loudness and true peak on the way.

One streaming pass (ffmpeg's ebur128 filter): constant memory whatever the length, and
the same pass proves the file decodes to its end. The pass runs in the background (nice 19,
idle I/O: playout always comes first), stops decoding just past the station's longest
allowed duration (a header that lies about the length cannot make it decode for hours) and
is killed after a time limit.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from radio.errors import MediaError
from radio.i18n import N_, _, ngettext
from radio.media.ffmpeg import ffmpeg_binary, in_background

SILENCE_LUFS = -70.0  # ebur128 reports this floor for silence: loudness unmeasurable
TRUNCATED_RATIO = 0.9  # a file decoding less than this share of its declared length is truncated
TRUNCATED_MIN_S = 1.0

_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)[^,\n]*, (\d+) Hz, ([^,\n]+)")
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_INTEGRATED = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s*\n\s*Peak:\s*(-?[\d.]+|-inf) dBFS")
_OUT_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_LAYOUT_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


@dataclass(frozen=True)
class Analysis:
    duration_s: float
    declared_duration_s: float | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    codec: str | None
    sample_rate: int | None
    channels: int | None


def _channels(layout: str) -> int | None:
    layout = layout.strip().split("(")[0]
    if layout in _LAYOUT_CHANNELS:
        return _LAYOUT_CHANNELS[layout]
    match = re.match(r"(\d+) channels", layout)
    return int(match.group(1)) if match else None


def _last_error_line(stderr: str, path: Path) -> str:
    """ffmpeg's own reason, without the (temporary) path it names."""
    lines = [line.strip().replace(f"{path}: ", "").replace(str(path), "") for line in stderr.splitlines()]
    lines = [re.sub(r"^\[[^\]]+\]\s*", "", line) for line in lines if line]
    for line in reversed(lines):
        if "rror" in line or "nvalid" in line or "No such" in line or "denied" in line:
            return line
    return lines[-1] if lines else _("unknown error")


# What the decoder's last complaint means for the person who chose the file, first match wins.
# The operator reads these (console and CLI alike): no decoder names, no errno texts.
_PLAIN_REASONS = (
    (("moov atom not found", "end of file", "Truncated", "truncated"),
     N_("the file is incomplete: it was cut off while being copied or downloaded")),
    (("Permission denied",), N_("the file could not be read (no permission)")),
    (("No such file",), N_("the file disappeared before it could be read")),
    (("Decoder", "not supported", "Unsupported", "unsupported", "could not find codec"),
     N_("the sound in this file is in a format this computer cannot play")),
)
_DAMAGED = N_("the file is damaged or is not a sound recording")


def plain_reason(stderr: str, path: Path) -> str:
    """Why a file could not be decoded, in words a commune operator understands."""
    line = _last_error_line(stderr, path)
    for needles, reason in _PLAIN_REASONS:
        if any(n in line for n in needles):
            return _(reason)
    return _(_DAMAGED)


def ffmpeg_command(path: Path, max_duration_s: float | None = None) -> list[str]:
    """The measuring pass; with *max_duration_s*, decoding stops one second past it."""
    limit = ["-t", f"{max_duration_s + 1:.0f}"] if max_duration_s else []
    return in_background([
        ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "info",
        "-i", str(path), "-map", "0:a:0", "-vn", "-sn",
        "-af", "ebur128=peak=true:framelog=verbose", *limit,
        "-f", "null", "-progress", "pipe:1", "-",
    ])  # fmt: skip


def too_long(name: str, max_duration_s: float) -> MediaError:
    minutes = round(max_duration_s / 60)
    return MediaError(
        name,
        ngettext(
            "longer than {minutes} minute, the longest the library accepts ([library] max_duration_minutes)",
            "longer than {minutes} minutes, the longest the library accepts ([library] max_duration_minutes)",
            minutes,
        ).format(minutes=minutes),
    )


def analyze(
    path: Path, display_name: str | None = None, max_duration_s: float | None = None, timeout_s: float | None = None
) -> Analysis:
    """Decode *path* to the end and measure it. Raises MediaError naming the file and why:
    also when it is longer than *max_duration_s* or the pass takes over *timeout_s*."""
    name = display_name or str(path)
    try:
        proc = subprocess.run(ffmpeg_command(path, max_duration_s), capture_output=True, text=True,
                              errors="replace", timeout=timeout_s)  # fmt: skip
    except subprocess.TimeoutExpired:  # subprocess.run has killed ffmpeg
        raise MediaError(
            name, _("the analysis took longer than {minutes:g} minutes and was stopped").format(minutes=round(timeout_s / 60, 1))
        ) from None
    stderr = proc.stderr
    if "matches no streams" in stderr:
        raise MediaError(name, _("no audio stream in this file"))
    if proc.returncode != 0:
        raise MediaError(
            name,
            plain_reason(stderr, path),
        )
    out_times = _OUT_TIME.findall(proc.stdout)
    decoded = int(out_times[-1]) / 1e6 if out_times else 0.0
    declared = None
    if match := _DURATION.search(stderr):
        h, m, s = match.groups()
        declared = int(h) * 3600 + int(m) * 60 + float(s)
    if decoded < 0.1:
        raise MediaError(name, _("no audio could be decoded from this file"))
    if max_duration_s and decoded > max_duration_s:
        raise too_long(name, max_duration_s)
    if declared and decoded < TRUNCATED_RATIO * declared and declared - decoded > TRUNCATED_MIN_S:
        raise MediaError(
            name,
            _("truncated or damaged: only {decoded:.1f} s of {declared:.1f} s decode").format(
                decoded=decoded, declared=declared
            ),
        )
    loudness = peak = None
    if match := _INTEGRATED.search(stderr):
        value = match.group(1)
        loudness = None if value == "-inf" or float(value) <= SILENCE_LUFS else float(value)
    if match := _TRUE_PEAK.search(stderr):
        value = match.group(1)
        peak = None if value == "-inf" else float(value)
    codec = rate = channels = None
    if match := _STREAM.search(stderr):
        codec, rate, channels = match.group(1), int(match.group(2)), _channels(match.group(3))
    return Analysis(decoded, declared, loudness, peak, codec, rate, channels)
