"""`radio clock confirm`: the operator checked the PC's clock and says it is right."""

from __future__ import annotations

import click

from radio.cli.base import Group, actor, json_option, print_json
from radio.cli.context import pass_ctx
from radio.i18n import _


@click.group(cls=Group, help="The PC's clock, which the schedule trusts (its state is in 'radio status').")
def clock() -> None:
    pass


@clock.command(name="confirm",
               help="Say the clock is right (checked against a phone): as-run rows written earlier on a fast clock "
                    "no longer hold the schedule.")  # fmt: skip
@json_option
@pass_ctx
def clock_confirm(ctx, as_json) -> None:
    from radio.scheduler.clock_service import confirm_clock

    done = confirm_clock(ctx.app, actor())
    if as_json:
        print_json(done)
        return
    click.echo(_("clock confirmed right at {at} ({zone})").format(at=done["confirmed_at"],
                                                                 zone=done["clock"]["timezone"]))  # fmt: skip
    if done["clock"]["held"]:
        click.echo(_("the schedule is still held: {reason}").format(reason=done["clock"]["reason"]))
    elif done["was_held"]:
        click.echo(_("the schedule resumes"))
