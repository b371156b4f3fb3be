"""What `radio announce` and `radio tts` share: reading the notice, the voice and chime options."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from radio.cli.base import option
from radio.errors import RadioError
from radio.i18n import _

VOICES = ("north", "central", "south")  # radio.tts.service.VOICES (not imported: --help stays light)


def notice_options(f):
    """TEXT | --file, shared by every command that takes a notice."""
    f = click.argument("text", required=False)(f)
    f = option(
        "--file", "file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        help="Read the notice from a UTF-8 text file ('-': standard input).",
    )(f)  # fmt: skip
    return f


def voice_options(f):
    f = option("--voice", type=click.Choice(VOICES), help="Voice: north, central or south (default: [tts] voice).")(f)
    f = option("--rate", type=click.IntRange(80, 300), help="Speaking rate in words per minute (default: [tts] rate).")(f)
    return f


def read_notice(text: str | None, file: Path | None) -> str:
    """The notice from the argument or the file; a file must be UTF-8."""
    if text is not None and file is not None:
        raise click.UsageError(_("give the notice either as TEXT or with --file, not both"))
    if text is None and file is None:
        raise click.UsageError(_("give the notice as TEXT or with --file FILE"))
    if file is None:
        return text
    name = _("standard input") if str(file) == "-" else str(file)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as err:
        raise RadioError(_("cannot read {path}: {reason}").format(path=name, reason=err.strerror or err)) from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RadioError(
            _("{path} is not UTF-8 text (invalid byte at position {pos}): save the notice as UTF-8").format(
                path=name, pos=err.start
            )
        ) from None
