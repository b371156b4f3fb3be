"""Listening to a live source for a few seconds: what ffmpeg says it is, and how loud it is.

`radio source test` asks this before a source is trusted with the air. One ffmpeg process
decodes N seconds to 32-bit float PCM; its stderr names the format, and its last line says
why it failed when it did. Every message leaves here without the address's password.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from radio.domain.relay import ffmpeg_input, level_dbfs, redact_password
from radio.i18n import _
from radio.media.ffmpeg import ffmpeg_binary
from radio.media.source_proxy import SourceAddress

CONNECT_S = 10.0  # allowed on top of the seconds heard: connecting, probing, the server's first burst

_STREAM = re.compile(r"Stream #0:\d+\S*: Audio: (?P<codec>[^,\s]+)[^,]*, (?P<rate>\d+) Hz, (?P<layout>[^,]+)"
                     r"(?:, [^,]+)?(?:, (?P<kbps>\d+) kb/s)?")  # fmt: skip
_DURATION_BITRATE = re.compile(r"Duration: .*bitrate: (\d+) kb/s")
_LAYOUTS = {"mono": 1, "stereo": 2, "downmix": 2, "quad": 4, "hexagonal": 6, "octagonal": 8, "hexadecagonal": 16}


@dataclass(frozen=True)
class Heard:
    """What a few seconds of a source turned out to be. *error* None: audio was heard
    (it may still be all silence: see *silent_share*)."""

    codec: str | None = None
    bitrate_kbps: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    seconds: float = 0.0
    rms_dbfs: float | None = None
    peak_dbfs: float | None = None
    silent_share: float | None = None  # of the seconds heard, the share below the silence level
    error: str | None = None


def channel_count(layout: str) -> int | None:
    """Channels of an ffmpeg layout name: mono, stereo, 5.1(side), '3 channels' …"""
    layout = layout.strip()
    if layout in _LAYOUTS:
        return _LAYOUTS[layout]
    match = re.fullmatch(r"(\d+) channels.*", layout) or re.fullmatch(r"(\d+)\.(\d+).*", layout)
    if match:
        return sum(int(g) for g in match.groups())
    return None


def describe(stderr: str) -> dict:
    """codec, bitrate_kbps, sample_rate and channels of the first audio input stream ffmpeg
    printed (None where it said nothing)."""
    out: dict = {"codec": None, "bitrate_kbps": None, "sample_rate": None, "channels": None}
    input_part = stderr.split("\nOutput #0", 1)[0]
    match = _STREAM.search(input_part)
    if match:
        out["codec"] = match.group("codec")
        out["sample_rate"] = int(match.group("rate"))
        out["channels"] = channel_count(match.group("layout"))
        if match.group("kbps"):
            out["bitrate_kbps"] = int(match.group("kbps"))
    if out["bitrate_kbps"] is None:
        total = _DURATION_BITRATE.search(input_part)
        if total:
            out["bitrate_kbps"] = int(total.group(1))
    return out


def reason(stderr: str, url: str) -> str:
    """ffmpeg's complaint as a reader-friendly reason (its last line for anything unforeseen)."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = "\n".join(lines)
    http = re.search(r"HTTP error (\d{3})\s*(.*)", text) or re.search(r"Server returned (\d{3})\s*([^\n(]*)", text)
    if http:
        return _("the server answered HTTP {code} {text}").format(code=http.group(1), text=http.group(2).strip()).strip()
    if re.search(r"Server returned (4XX|5XX)", text):
        return _("the server answered with an HTTP error: {line}").format(line=lines[-1])
    if "Connection refused" in text:
        return _("connection refused by {host} (nothing listens at that address and port)").format(host=host)
    if re.search(r"Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|"
                 r"No address associated with hostname", text):  # fmt: skip
        return _("host {host} not found (check the address and the PC's Internet connection)").format(host=host)
    if re.search(r"Network is unreachable|No route to host", text):
        return _("cannot reach {host}: no network route (check the PC's Internet connection)").format(host=host)
    if "Connection timed out" in text:
        return _("nothing arrived from {host} in time (connection timed out)").format(host=host)
    if re.search(r"Invalid data found when processing input|matches no streams|does not contain any stream|"
                 r"could not find codec parameters", text):  # fmt: skip
        return _("the source sends data that is not audio")
    device = re.search(r"cannot open audio device .*", text)
    if device:  # ALSA's own words name the device and why
        return device.group(0)
    if re.search(r"Connection reset by peer|End of file", text):
        return _("the source closed the connection before sending audio")
    return lines[-1] if lines else _("ffmpeg ended without saying why")


def levels(pcm: np.ndarray, rate: int, channels: int, silence_dbfs: float) -> tuple[float, float, float]:
    """RMS and peak (dBFS) of interleaved float samples, and the share of their seconds
    (the last may be partial) whose RMS is below *silence_dbfs*."""
    rms = float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64))))
    peak = float(np.max(np.abs(pcm)))
    per_second = rate * channels
    chunks = [pcm[i:i + per_second] for i in range(0, len(pcm), per_second)]
    silent = sum(1 for c in chunks if level_dbfs(float(np.sqrt(np.mean(np.square(c, dtype=np.float64))))) < silence_dbfs)
    return level_dbfs(rms), level_dbfs(peak), silent / len(chunks)


LEVEL_RATE = 48000  # what is heard is measured mono at this rate (the source's own format is reported)


def listen(url: str, seconds: float, silence_dbfs: float, connect_s: float = CONNECT_S) -> Heard:
    """Decode *seconds* of the source at *url*; never longer than *seconds* + *connect_s*
    of wall-clock time (a server that accepts and then stalls is given up on). A password in
    the address reaches the server through a loopback proxy, never ffmpeg's arguments."""
    with SourceAddress(url) as address:
        heard = _listen(address, seconds, silence_dbfs, connect_s)
    if heard.error and address.problem:
        return dataclasses.replace(heard, error=address.problem)
    return heard


def _listen(address: SourceAddress, seconds: float, silence_dbfs: float, connect_s: float) -> Heard:
    url = address.source
    # counted in samples, not by -t: a live stream probed quickly does not start at timestamp 0
    cmd = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", *ffmpeg_input(address.url), "-map", "0:a:0",
           "-ac", "1", "-af", f"aresample={LEVEL_RATE},atrim=end_sample={round(seconds * LEVEL_RATE)}",
           "-f", "f32le", "-"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: list[bytes] = []
    errors: list[bytes] = []

    def drain(stream, into: list[bytes]) -> None:
        into.extend(iter(lambda: stream.read1(65536), b""))

    readers = [threading.Thread(target=drain, args=(proc.stdout, chunks), daemon=True),
               threading.Thread(target=drain, args=(proc.stderr, errors), daemon=True)]  # fmt: skip
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout=seconds + connect_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        proc.wait()
    finally:
        for reader in readers:
            reader.join(timeout=5)
    stderr = redact_password(b"".join(errors).decode("utf-8", "replace"), url)
    found = describe(stderr)
    raw = b"".join(chunks)
    pcm = np.frombuffer(raw[: len(raw) // 4 * 4], dtype="<f4")
    rate, channels = found["sample_rate"], found["channels"]
    if len(pcm) == 0 or rate is None:
        if timed_out and re.search(r"Header missing|Error while decoding|[Ii]nvalid (frame|data)|no frame", stderr):
            why = _("the source sends data that is not audio")  # taken for a stream, never decoded
        elif timed_out:
            why = _("nothing arrived from the source within {n:g} s").format(n=round(seconds + connect_s))
        else:
            why = reason(stderr, url)
        return Heard(**found, error=why)
    rms, peak, silent_share = levels(pcm, LEVEL_RATE, 1, silence_dbfs)
    heard_s = len(pcm) / LEVEL_RATE
    return Heard(**found, seconds=round(heard_s, 2), rms_dbfs=round(rms, 1), peak_dbfs=round(peak, 1),
                 silent_share=round(silent_share, 2))  # fmt: skip

