"""`radio live start|stop|status`: speaking on air live from the studio microphone.

Live is the running daemon's (scheduler/live.py): these commands ask it on its control
socket and print its answer. Without a daemon there is nothing to go on air through.
"""

from __future__ import annotations

import click

from radio.cli.base import Command, Group, actor, json_option, option, print_json
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.i18n import _


def _ask(ctx, request: dict) -> object:
    import os

    from radio.i18n import user_languages
    from radio.scheduler.control import ask_live

    return ask_live(ctx.home, request, user_languages(os.environ), timeout=15.0)


def _speaker() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


@click.group(cls=Group, help="Live on air (phát trực tiếp) from the studio microphone: above the schedule, below emergencies.")
def live() -> None:
    pass


@live.command(cls=Command, help="Go on air live: what is on air fades out and resumes after 'radio live stop'.")
@option("--input", "input_", type=TEXT, help="Capture input: alsa:DEVICE or pulse:SOURCE (default: [live] input).")
@option("--by", type=TEXT, help="Who speaks, for the as-run log (default: your user name).")
@option("--topic", type=TEXT, help="Topic of the segment (default: [live] topic, thong-bao).")
@json_option
@pass_ctx
def start(ctx, input_, by, topic, as_json) -> None:
    from radio.domain.live import check_input

    if input_ is not None:  # refused here, in one line, before the daemon is asked ("console" too:
        input_ = check_input(input_)  # that is the console's microphone, which only the console feeds)
    who = by or _speaker()
    answer = _ask(ctx, {"action": "start", "input": input_, "who": who, "user": actor(), "topic": topic})
    if as_json:
        print_json(answer)
        return
    click.echo(_("on air live: {who} from {where} (stop with: radio live stop)").format(**answer))


@live.command(cls=Command, help="End the live segment: the show it interrupted resumes.")
@option("--by", type=TEXT, help="Who stops it (default: your user name).")
@pass_ctx
def stop(ctx, by) -> None:
    answer = _ask(ctx, {"action": "stop", "who": by or _speaker(), "user": actor()})
    click.echo(_("live over ({who})").format(**answer))


@live.command(cls=Command, help="Who is on air live, if anyone.")
@json_option
@pass_ctx
def status(ctx, as_json) -> None:
    answer = _ask(ctx, {"action": "status"})
    if as_json:
        print_json(answer)
    elif answer is None:
        click.echo(_("nobody is on air live"))
    else:
        click.echo(_("on air live: {who} from {where} since {since}").format(**answer))
