"""`radio tts normalize|say`: check what a notice will sound like, without touching the library."""

from __future__ import annotations

import os
from pathlib import Path

import click

from radio.cli.base import Group, option
from radio.cli.context import pass_ctx
from radio.cli.notice import NoticeCommand, notice_options, read_notice, voice_options
from radio.errors import RadioError
from radio.i18n import _


def _lexicon(home: Path):
    from radio.tts.lexicon import load_lexicon

    return load_lexicon(home)


def _settings(home: Path):
    from radio.config import load_settings

    return load_settings(home)


def _station(ctx):
    """The library, for a chime given as an item id (needs an initialised station)."""
    return lambda: ctx.app


@click.group(cls=Group, help="Speech from text: see how a notice is read, or render it to a file.")
def tts() -> None:
    pass


@tts.command(cls=NoticeCommand, help="Print the words a notice will be spoken as (numbers, dates, abbreviations read out).")
@notice_options
@pass_ctx
def normalize(ctx, text, file) -> None:
    from radio.tts.service import spoken_words

    click.echo(spoken_words(read_notice(text, file), _lexicon(ctx.home), max_chars=10**9))


@tts.command(cls=NoticeCommand, help="Speak a notice into a WAV or MP3 file, without importing it.")
@notice_options
@option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write (.wav or .mp3).")
@voice_options
@option("--repeat", type=click.IntRange(1, 5), default=1, show_default=True, help="How many times the notice is read.")
@option("--chime", help="Chime before the notice: a file, a library item id, or none (default: none).")
@pass_ctx
def say(ctx, text, file, output, voice, rate, repeat, chime) -> None:
    from radio.text import format_duration
    from radio.tts.service import say as worker

    if output.suffix.lower() not in (".wav", ".mp3"):
        raise RadioError(_("{path}: the output must end in .wav or .mp3").format(path=output))
    notice = read_notice(text, file)
    settings = _settings(ctx.home)
    partial = output.with_name(f".{output.name}.part{output.suffix}")
    try:
        rendering = worker(settings, _lexicon(ctx.home), notice, partial, voice=voice, rate=rate, repeat=repeat,
                           chime=chime or "none", app_of=_station(ctx))  # fmt: skip
        os.replace(partial, output)
    except OSError as err:
        raise RadioError(_("cannot write {path}: {reason}").format(path=output, reason=err.strerror or err)) from err
    finally:
        partial.unlink(missing_ok=True)
    click.echo(_("wrote {path} ({length})").format(path=output, length=format_duration(rendering.duration_s)))
