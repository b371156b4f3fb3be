"""`radio topics`: the topic taxonomy (codes and Vietnamese names)."""

from __future__ import annotations

import click

from radio.cli.base import Command, json_option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.i18n import _


@click.command(cls=Command, help="List the topics bulletins are tagged with.")
@json_option
@pass_ctx
def topics(ctx, as_json: bool) -> None:
    from radio.app import load_taxonomy

    taxonomy = load_taxonomy(ctx.home)
    if as_json:
        print_json([{"code": t.code, "name": t.name, "poverty": t.poverty} for t in taxonomy])
        return
    rows = [[t.code, t.name, _("yes") if t.poverty else ""] for t in taxonomy]
    print_table([_("Code"), _("Name"), _("Poverty reduction")], rows)
