"""`radio hamlet …`: the hamlets (thôn, xóm, khối, bản) that receive USB packages."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from radio.cli.base import Group, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.domain.usb import Hamlet
from radio.export.hamlets import build_hamlet, import_hamlets, parse_code, parse_languages, parse_topics  # noqa: F401
from radio.errors import RadioError
from radio.i18n import _, ngettext


def hamlet_json(h: Hamlet) -> dict:
    return {"code": h.code, "name": h.name, "languages": list(h.languages), "topics": list(h.topics), "notes": h.notes}


@click.group(cls=Group, help="The hamlets that receive USB packages: add, list, edit, remove, import.")
def hamlet() -> None:
    pass


@hamlet.command(help="Register a hamlet (its CODE names its folder when exporting for several).")
@click.argument("code")
@option("--name", required=True, type=TEXT, help="Name, e.g. \"Xóm Đồng Tâm\".")
@option("--language", "languages", default="vi", show_default=True, help="Language codes its people get, comma-separated.")
@option("--topics", default="", help="Topic codes it gets, comma-separated (default: all topics).")
@option("--notes", default="", type=TEXT, help="Free notes (contact, amplifier, …).")
@json_option
@pass_ctx
def add(ctx, code, name, languages, topics, notes, as_json) -> None:
    app = ctx.app
    h = app.hamlets.add(build_hamlet(app.taxonomy, code, name, languages, topics, notes))
    if as_json:
        print_json(hamlet_json(h))
    else:
        click.echo(_("added hamlet {code} {name}").format(code=h.code, name=h.name))


@hamlet.command(name="list", help="List the hamlets.")
@json_option
@pass_ctx
def list_hamlets(ctx, as_json) -> None:
    hamlets = ctx.app.hamlets.list()
    if as_json:
        print_json([hamlet_json(h) for h in hamlets])
        return
    if not hamlets:
        click.echo(_("No hamlets yet (add one with 'radio hamlet add', or many with 'radio hamlet import')."))
        return
    rows = [[h.code, h.name, ",".join(h.languages), ",".join(h.topics) or _("all"), h.notes] for h in hamlets]
    print_table([_("Code"), _("Name"), _("Languages"), _("Topics"), _("Notes")], rows)
    click.echo(ngettext("{n} hamlet", "{n} hamlets", len(hamlets)).format(n=len(hamlets)))


@hamlet.command(help="Change a hamlet's name, languages, topics or notes.")
@click.argument("code")
@option("--name", type=TEXT, help="New name.")
@option("--language", "languages", help="New language codes, comma-separated.")
@option("--topics", help="New topic codes, comma-separated ('' for all topics).")
@option("--notes", type=TEXT, help="New notes.")
@json_option
@pass_ctx
def edit(ctx, code, name, languages, topics, notes, as_json) -> None:
    app = ctx.app
    h = app.hamlets.get(parse_code(code))
    changes = {}
    if name is not None:
        if not name:
            raise RadioError(_("the hamlet's name is required"))
        changes["name"] = name
    if languages is not None:
        changes["languages"] = parse_languages(languages)
    if topics is not None:
        changes["topics"] = parse_topics(app.taxonomy, topics)
    if notes is not None:
        changes["notes"] = notes
    h = app.hamlets.save(dataclasses.replace(h, **changes))
    if as_json:
        print_json(hamlet_json(h))
    else:
        click.echo(_("updated hamlet {code} {name}").format(code=h.code, name=h.name))


@hamlet.command(help="Remove a hamlet (the record of packages it received is kept).")
@click.argument("code")
@pass_ctx
def remove(ctx, code) -> None:
    code = parse_code(code)
    ctx.app.hamlets.remove(code)
    click.echo(_("removed hamlet {code}").format(code=code))


@hamlet.command(
    name="import",
    help="Import hamlets from a CSV file (columns: code, name, languages, topics, notes; UTF-8, with or without BOM).",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option("--update", is_flag=True, help="Update hamlets that already exist instead of skipping them.")
@json_option
@pass_ctx
def import_csv(ctx, file: Path, update: bool, as_json: bool) -> None:
    app = ctx.app
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise RadioError(
            _("{path}: not UTF-8 text (in Excel: Save As 'CSV UTF-8'); first bad byte at {pos}").format(
                path=file, pos=err.start
            )
        ) from None
    summary = import_hamlets(app, text, update)
    added, updated, existing, errors = summary.added, summary.updated, summary.existing, summary.errors
    if as_json:
        print_json({
            "added": added, "updated": updated, "skipped_existing": existing,
            "errors": [{"line": line, "message": msg} for line, msg in errors],
        })  # fmt: skip
    else:
        click.echo(
            _("imported {added} new hamlets, updated {updated}, skipped {skipped} existing, {bad} bad rows").format(
                added=added, updated=updated, skipped=len(existing), bad=len(errors)
            )
        )
        if existing:
            click.echo(_("already registered (use --update to overwrite): {codes}").format(codes=", ".join(existing)))
    for line, message in errors:
        click.echo(_("{path}, line {line}: {message}").format(path=file.name, line=line, message=message), err=True)
    if errors:
        sys.exit(1)
