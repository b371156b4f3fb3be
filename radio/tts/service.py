"""Notice text -> spoken clip -> library item.

``render_notice`` checks and normalises the text, speaks it and assembles the clip;
``announce`` then imports that clip through the library's own importer, so a spoken
notice is measured, hashed, stored and left a draft like any recorded bulletin (the
approval rule does not change), and keeps the text it was spoken from.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

from radio.config import Settings
from radio.domain.normalize import Lexicon, check_notice_text, normalize
from radio.errors import RadioError
from radio.home import StationHome
from radio.i18n import _
from radio.text import fold_ascii
from radio.tts.assemble import Layout, assemble
from radio.tts.voice import Voice

NO_CHIME = "none"


@dataclass(frozen=True)
class Rendering:
    text: str  # the notice as typed (NFC)
    spoken: str  # the words given to the voice
    duration_s: float


def chime_from_setting(value: str, home: Path) -> Path | str | None:
    """``[tts] chime``: empty -> the built-in chime, "none" -> no chime, else a file in the home."""
    if not value:
        return "builtin"
    if value.lower() == NO_CHIME:
        return None
    return StationHome(home).resolve(value)


def render_notice(
    text: str, settings: Settings, lexicon: Lexicon, voice: Voice, layout: Layout, output: Path
) -> Rendering:
    """Speak *text* into *output* (WAV or MP3 by its suffix) with chime and repeats."""
    text = check_notice_text(text, settings.tts.max_chars)
    spoken = normalize(text, lexicon)
    with tempfile.TemporaryDirectory(prefix="radio-tts-") as tmp:
        speech = Path(tmp) / "speech.wav"
        voice.speak(spoken, speech)
        duration = assemble(speech, layout, output)
    return Rendering(text, spoken, duration)


def clip_name(title: str) -> str:
    """The clip's file name, from the title: ASCII, as the item's original name."""
    slug = "-".join(fold_ascii(title).replace("đ", "d").split())
    slug = "".join(c for c in slug if c.isalnum() or c == "-")[:60].strip("-")
    return f"{slug or 'thong-bao'}.wav"


def announce(app, text: str, options, voice: Voice, layout: Layout):
    """Render the notice and import it; returns (Rendering, ImportResult)."""

    work = app.settings.station_home.tts_cache_dir
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RadioError(_("cannot create {path}: {reason}").format(path=work, reason=err.strerror)) from err
    with tempfile.TemporaryDirectory(prefix="announce-", dir=work) as tmp:
        clip = Path(tmp) / clip_name(options.title)
        rendering = render_notice(text, app.settings, app.lexicon, voice, layout, clip)
        options = dataclasses.replace(options, notice_text=rendering.text)
        (result,) = app.importer(workers=1).run([clip], options)
    if result.error:
        raise RadioError(_("the spoken notice could not be imported: {reason}").format(reason=result.error))
    return rendering, result
