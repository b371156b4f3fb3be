"""Building the message template: strings marked in the source and in the console's Jinja
templates, plus every help text of the CLI.

Used by scripts/update-catalog (maintainers) and by the test that proves the Vietnamese
catalog is complete. Not imported at run time.
"""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

PACKAGE_DIR = Path(__file__).parent
PO_PATH = PACKAGE_DIR / "locale" / "vi" / "LC_MESSAGES" / "radio.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _help_texts(command: click.Command, where: str):
    for text in (command.__dict__.get("_help_msgid"), command.__dict__.get("_short_help_msgid")):
        if text:
            yield text, where
    for param in command.params:
        text = param.__dict__.get("_help_msgid") if isinstance(param, click.Option) else None
        if text:
            yield text, f"{where} {param.opts[0]}"
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):  # the lazy root group loads each here
            yield from _help_texts(command.get_command(context, name), f"{where} {name}")


def template() -> Catalog:
    """Every msgid radio can show, with where it comes from."""
    from radio.cli.main import cli

    catalog = Catalog(project="radio", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE_DIR),
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")],
        keywords=KEYWORDS,
    ):
        catalog.add(message, locations=[(f"radio/{filename}", lineno)], auto_comments=comments, context=context)
    for text, where in _help_texts(cli, "radio"):
        catalog.add(text, auto_comments=[f"help: {where}"])
    return catalog
