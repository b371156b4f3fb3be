"""What `radio announce` and `radio tts` share: reading the notice, the voice and chime options."""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path

import click

from radio.cli.base import Command, option
from radio.errors import RadioError
from radio.i18n import _

VOICES = ("north", "central", "south")  # radio.tts.service.VOICES (not imported: --help stays light)


# An argument that starts with a dash but cannot be an option: "- Thông báo", "-5°C về đêm",
# "-Thông báo" (no option name holds a space, a digit after one dash or a non-ASCII letter).
NOT_AN_OPTION = re.compile(r"-(?:-?\s|\d|[A-Za-z]*[^\x00-\x7f])")


class NoticeCommand(Command):
    """A command that takes a notice as TEXT: a notice often begins with "- " (a list item)
    or a negative temperature, which click would take for an unknown option. Such an
    argument is set aside before click parses the line and put back after, so
    `radio tts normalize "- Thông báo"` works as typed (`--` before TEXT works too)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        kept: dict[str, str] = {}
        marked = []
        for arg in args:
            if arg == "--":
                marked.append(arg)
                continue
            if NOT_AN_OPTION.match(arg):
                stand_in = f"radio-notice-{uuid.uuid4().hex}"
                kept[stand_in] = arg
                arg = stand_in
            marked.append(arg)
        rest = super().parse_args(ctx, marked)
        for name, value in ctx.params.items():
            if isinstance(value, str) and value in kept:
                ctx.params[name] = kept[value]
        return [kept.get(a, a) for a in rest]


def notice_options(f):
    """TEXT | --file, shared by every command that takes a notice (use NoticeCommand)."""
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
    """The notice from the argument, the file or standard input; a file must be UTF-8.

    TEXT '-', or neither TEXT nor --file with standard input not a terminal (a pipe, a
    redirected file), reads standard input."""
    if text is not None and file is not None:
        raise click.UsageError(_("give the notice either as TEXT or with --file, not both"))
    if text == "-" or (text is None and file is None and not sys.stdin.isatty()):
        text, file = None, Path("-")
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
