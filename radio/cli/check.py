"""`radio check`: radio.toml read and checked, and what it names that cannot air (a jingle's
missing file), before the daemon meets it at air time. Exit 1 when anything is wrong."""

from __future__ import annotations

import click

from radio.cli.base import Command, json_option, print_json
from radio.cli.context import pass_ctx
from radio.errors import RadioError
from radio.i18n import _


@click.command(cls=Command, help="Check radio.toml and what it names (jingles) before air time.")
@json_option
@pass_ctx
def check(ctx, as_json: bool) -> None:
    from radio.config import load_settings
    from radio.scheduler.rundown import jingle_problems

    settings = load_settings(ctx.home)  # an invalid radio.toml is its own error, every problem at once
    problems = jingle_problems(settings)
    if as_json:
        print_json({"config": str(settings.config_path), "problems": problems})
        if problems:
            raise SystemExit(1)
        return
    if problems:
        for problem in problems[:-1]:
            click.echo(_("radio: error: {message}").format(message=problem), err=True)
        raise RadioError(problems[-1])
    click.echo(_("{path}: ok").format(path=settings.config_path))
