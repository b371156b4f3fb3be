"""Text rules shared by every layer: all text input is NFC-normalized."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
# a title or name holding them can show its text reversed ("3pm.exe" read as "exe.mp3"), in
# the console, the reports and the log book. Nobody types them in Vietnamese text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def nfc(text: str) -> str:
    """The NFC form of *text* with surrounding whitespace and bidi controls removed.

    A title typed on one machine and the same title from an NFD file name (macOS) on
    another compare equal after this.
    """
    return _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text)).strip()


def nfc_or_none(text: str | None) -> str | None:
    return None if text is None else nfc(text)


def fold_ascii(text: str) -> str:
    """Vietnamese text without diacritics, lower case (đ -> d): for matching and file names."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def format_duration(seconds: float | None) -> str:
    """How long, as people read it: 1:05 for 65 s, 1:02:03 past an hour ('' when unknown)."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_day(text: str):
    """A calendar date: YYYY-MM-DD, or DD/MM/YYYY as written in Vietnam. ValueError otherwise."""
    from datetime import datetime

    text = nfc(text)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
