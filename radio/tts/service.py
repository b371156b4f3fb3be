"""Notice text -> spoken clip -> library item.

``render_notice`` checks and normalises the text, speaks it and assembles the clip;
``announce`` then imports that clip through the library's own importer, so a spoken
notice is measured, hashed, stored and left a draft like any recorded bulletin (the
approval rule does not change), and keeps the text it was spoken from.

``spoken_words``, ``say`` and ``create_notice`` are the requests of the front ends:
`radio tts normalize`, `radio tts say` and `radio announce` call them, and so does the
console's notice page (its preview is `say`, its draft is `create_notice`): one code path.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

from radio.config import Settings
from radio.domain.library import Priority, check_source, check_title
from radio.domain.normalize import Lexicon, check_notice_text, normalize
from radio.domain.users import MAY_WRITE_NOTICES, Role, check_priority, require
from radio.errors import RadioError
from radio.home import StationHome
from radio.i18n import _
from radio.text import fold_ascii, nfc
from radio.tts.assemble import Layout, assemble
from radio.tts.voice import Voice

NO_CHIME = "none"
VOICES = ("north", "central", "south")
MAX_REPEAT = 5


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


def spoken_words(text: str, lexicon: Lexicon, max_chars: int) -> str:
    """The words *text* will be spoken as (`radio tts normalize`, the notice page's preview)."""
    return normalize(check_notice_text(text, max_chars), lexicon)


def resolve_chime(value: str | None, settings: Settings, app_of=None) -> Path | str | None:
    """A chime asked for: a file, a library item id, 'none'; None: the [tts] chime setting.

    *app_of* opens the station when an item id must be looked up.
    """
    from radio.tts.assemble import CHIME_MAX_S

    if value is None:
        return chime_from_setting(settings.tts.chime, settings.home)
    if value.lower() == NO_CHIME:
        return None
    path = Path(value)
    if path.exists():
        return path
    if value.isdigit() and app_of is not None:
        app = app_of()
        item = app.library.get(int(value))
        if item.duration_s > CHIME_MAX_S:
            raise RadioError(
                _("item {id} lasts {n} s: a chime is a short signal (at most {max} s)").format(
                    id=item.id, n=round(item.duration_s), max=int(CHIME_MAX_S)
                )
            )
        return app.media.path(item.media_path)
    raise RadioError(_("chime '{value}': no such file or library item").format(value=value))


def _voice(settings: Settings, voice: str | None, rate: int | None) -> Voice:
    from radio.tts.voice import make_voice

    if voice is not None and voice not in VOICES:
        raise RadioError(_("'{value}' is not a voice: choose north, central or south").format(value=voice))
    return make_voice(settings.tts, voice, rate)


def _repeat(repeat: int | None, default: int) -> int:
    repeat = default if repeat is None else repeat
    if not 1 <= repeat <= MAX_REPEAT:
        raise RadioError(_("a notice is read 1 to {max} times").format(max=MAX_REPEAT))
    return repeat


def say(settings: Settings, lexicon: Lexicon, text: str, output: Path, *, voice: str | None = None,
        rate: int | None = None, repeat: int = 1, chime: str | None = NO_CHIME, app_of=None) -> Rendering:  # fmt: skip
    """Speak *text* into *output* without touching the library (`radio tts say`, the console's
    "listen" button); *chime* as `resolve_chime` takes it."""
    layout = Layout(repeat=_repeat(repeat, 1), pause_s=settings.tts.pause_s,
                    chime=resolve_chime(chime, settings, app_of))  # fmt: skip
    return render_notice(text, settings, lexicon, _voice(settings, voice, rate), layout, output)


def create_notice(app, text: str, *, topic: str, title: str, voice: str | None = None, rate: int | None = None,
                  repeat: int | None = None, chime: str | None = None, source: str | None = None,
                  priority: Priority = Priority.NORMAL, valid_from=None, valid_until=None,
                  role: Role | None = None):  # fmt: skip
    """A typed notice spoken into the library as a draft (`radio announce`, the console's
    notice page), as *role* may (None: the command line); returns (Rendering, ImportResult)."""
    from radio.library.importer import ImportOptions

    require(role, MAY_WRITE_NOTICES, _("your account may not write notices"))
    check_priority(role, priority)
    title = " ".join(nfc(title).split())
    if not title:
        raise RadioError(_("give the notice a title"))
    check_title(title)  # bounded here, before the voice is rendered: the CLI and the console alike
    source = check_source(" ".join(nfc(source or "").split()))
    options = ImportOptions(topic=app.taxonomy.resolve(topic).code, title=title, source=source,
                            priority=priority, valid_from=valid_from, valid_until=valid_until)  # fmt: skip
    tts = app.settings.tts
    layout = Layout(repeat=_repeat(repeat, tts.repeat), pause_s=tts.pause_s,
                    chime=resolve_chime(chime, app.settings, lambda: app))  # fmt: skip
    return announce(app, text, options, _voice(app.settings, voice, rate), layout)
