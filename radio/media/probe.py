"""Tags and stream information, through mutagen. The only module that calls mutagen to read.

mutagen raises many exception types; here they all become "no tags" (ffmpeg decides
whether a file is usable audio; mutagen only tells what the file says about itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mutagen

from radio.text import nfc


@dataclass(frozen=True)
class Probe:
    title: str | None
    artist: str | None
    declared_duration_s: float | None
    sample_rate: int | None
    channels: int | None
    codec: str | None


EMPTY = Probe(None, None, None, None, None, None)

_TITLE_KEYS = ("title", "TIT2", "\xa9nam", "Title", "WM/Title")
_ARTIST_KEYS = ("artist", "TPE1", "\xa9ART", "Author", "WM/AlbumArtist")


def _first_text(tags: object, keys: tuple[str, ...]) -> str | None:
    if tags is None:
        return None
    for key in keys:
        try:
            value = tags[key]  # type: ignore[index]
        except (KeyError, ValueError, TypeError, IndexError):
            continue
        if isinstance(value, list):
            value = value[0] if value else None
        text = getattr(value, "text", value)
        if isinstance(text, list):
            text = text[0] if text else None
        if text is not None:
            text = nfc(str(text))
            if text:
                return text
    return None


def probe(path: Path) -> Probe:
    """What the file says about itself. Never raises for a bad file: returns EMPTY."""
    try:
        audio = mutagen.File(path)
    except Exception:  # mutagen's error types vary by format; all mean "cannot read tags"
        return EMPTY
    if audio is None:
        return EMPTY
    info = getattr(audio, "info", None)
    length = getattr(info, "length", None)
    codec = type(audio).__name__.lower()
    return Probe(
        title=_first_text(audio.tags, _TITLE_KEYS),
        artist=_first_text(audio.tags, _ARTIST_KEYS),
        declared_duration_s=float(length) if length else None,
        sample_rate=getattr(info, "sample_rate", None) or None,
        channels=getattr(info, "channels", None) or None,
        codec=codec,
    )
