"""Live on air (phát trực tiếp): the rules of a live voice, free of I/O.

A live segment is a person speaking into a capture input — the studio microphone on the
sound card's line in (``alsa:…``, ``pulse:…``, spelt as relay sources are), or a browser's
microphone streamed to the console (``console:PIPE``: a named pipe in the station home). It airs
above scheduled shows and relays and below emergencies. Here: which inputs are valid, the
arguments ffmpeg reads them with, who is on air (a segment's as-run row: `domain.asrun.live_record`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from radio.errors import RadioError
from radio.i18n import _
from radio.text import nfc

DEFAULT_TOPIC = "thong-bao"  # the notices' topic
CONSOLE = "console"  # the input of a browser's microphone: 16-bit PCM through a named pipe
_DEVICE = re.compile(r"^(alsa|pulse):\S+$")
LIVE_RATE = 48000  # what a browser sends: 16-bit mono PCM at this rate
CAPTURE_FRAGMENT_MS = 10  # how much a capture device hands over at a time (PulseAudio defaults to seconds)


class LiveBusy(RadioError):
    """Someone is on air already: one live speaker at a time."""


@dataclass(frozen=True)
class Speaker:
    """Who speaks live, from where, on which input, under which topic."""

    who: str  # a user's display name, or the OS user at the station PC
    where: str  # "alsa:hw:1", or "console (192.168.1.20)"
    input: str  # what ffmpeg reads: alsa:…, pulse:…, or console:/path/to/its/pipe
    topic: str = DEFAULT_TOPIC


def check_input(text: str) -> str:
    """A capture input as the station spells it (alsa:DEVICE or pulse:SOURCE), or RadioError."""
    text = nfc(text or "").strip()
    if not _DEVICE.match(text):
        raise RadioError(_("'{input}' is not a capture input: use alsa:DEVICE (for example alsa:hw:1) or "
                           "pulse:SOURCE, or set [live] input in radio.toml").format(input=text))  # fmt: skip
    return text


MAX_SPEAKER_LENGTH = 100  # a person's name and office: the segment's title and the hub's columns hold it


def check_speaker(who: str | None) -> str:
    """Who speaks, as the as-run log names them ("?" when nobody said), or RadioError."""
    who = nfc(who or "").strip() or "?"
    if len(who) > MAX_SPEAKER_LENGTH:
        raise RadioError(_("who speaks is {n} characters long; at most {max}").format(n=len(who), max=MAX_SPEAKER_LENGTH))
    return who


def ffmpeg_live_input(address: str) -> list[str]:
    """ffmpeg's input arguments for a live input, each asking for the audio as it comes (a
    capture device's small fragments, no probing) so the voice is not held back."""
    kind, _sep, device = address.partition(":")
    if kind == CONSOLE:
        return ["-probesize", "32", "-analyzeduration", "0", "-fflags", "+nobuffer", "-f", "s16le",
                "-ar", str(LIVE_RATE), "-ac", "1", "-i", device]  # fmt: skip
    if kind == "pulse":
        fragment = LIVE_RATE * 2 * CAPTURE_FRAGMENT_MS // 1000  # bytes of 16-bit mono
        return ["-fflags", "+nobuffer", "-f", "pulse", "-sample_rate", str(LIVE_RATE), "-channels", "1",
                "-fragment_size", str(fragment), "-i", device]  # fmt: skip
    return ["-fflags", "+nobuffer", "-f", kind, "-i", device]


def busy_message(on_air: Speaker, since: datetime, zone) -> str:
    """What a second speaker is told."""
    return _("{who} is on air live since {time} (from {where}); wait until they stop").format(
        who=on_air.who, time=since.astimezone(zone).strftime("%H:%M"), where=on_air.where)  # fmt: skip


def segment_title(speaker: Speaker) -> str:
    return _("Live: {who}").format(who=speaker.who)

