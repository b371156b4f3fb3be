"""Click classes whose help is translated when shown, and small helpers shared by commands.

Help strings are English msgids marked with N_(); they are translated at display time,
so `LANG=vi_VN.UTF-8 radio --help` speaks Vietnamese without anything being fixed at
import time.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Any

import click

from radio.i18n import _


class _TranslatedHelp:
    """Mixin: ``help`` and ``short_help`` hold msgids and read back translated."""

    @property
    def help(self) -> str | None:  # type: ignore[override]
        msgid = self.__dict__.get("_help_msgid")
        return _(msgid) if msgid else msgid

    @help.setter
    def help(self, value: str | None) -> None:
        self.__dict__["_help_msgid"] = value

    @property
    def short_help(self) -> str | None:  # type: ignore[override]
        msgid = self.__dict__.get("_short_help_msgid")
        return _(msgid) if msgid else msgid

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self.__dict__["_short_help_msgid"] = value


class Option(_TranslatedHelp, click.Option):
    pass


class _TranslatedHelpOption:
    """click builds --help once per command, translated then; translate it at each display."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        help_option = super().get_help_option(ctx)  # type: ignore[misc]
        if help_option is not None:
            help_option.help = _("Show this message and exit.")
        return help_option


class Command(_TranslatedHelpOption, _TranslatedHelp, click.Command):
    pass


class Group(_TranslatedHelpOption, _TranslatedHelp, click.Group):
    command_class = Command


Group.group_class = Group


option = functools.partial(click.option, cls=Option)
"""click.option whose help text is translated when shown."""

json_option = option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def print_json(data: Any) -> None:
    """JSON for scripts: UTF-8, not ASCII-escaped, stable key order as given."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def warn(message: str) -> None:
    click.echo(_("warning: {message}").format(message=message), err=True)


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned text table (display width aware for Vietnamese)."""
    cells = [headers] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(click.unstyle(r[i]).__len__() for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
        click.echo(line)
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def actor() -> str:
    """Who ran the command, for the audit log."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def stdin_secret() -> str:
    """A password or token from the first line of standard input: a secret never goes on a
    command line, where `ps -ef` shows it to every user of the PC."""
    from radio.errors import RadioError

    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise RadioError(_("no password on standard input"))
    return secret


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()
