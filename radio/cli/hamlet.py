"""`radio hamlet …`: the hamlets (thôn, xóm, khối, bản) that receive USB packages."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from radio.cli.base import Group, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import TEXT
from radio.domain.usb import Hamlet, HamletRuleError, normalize_code, read_hamlet_csv, split_list, valid_language
from radio.errors import RadioError
from radio.i18n import N_, _, ngettext
from radio.text import nfc


def hamlet_json(h: Hamlet) -> dict:
    return {"code": h.code, "name": h.name, "languages": list(h.languages), "topics": list(h.topics), "notes": h.notes}


def parse_code(text: str) -> str:
    try:
        return normalize_code(text)
    except HamletRuleError:
        raise RadioError(
            _("'{code}' is not a hamlet code: use 1 to 32 letters, digits, - or _ (it names a folder)").format(code=text)
        ) from None


def parse_languages(text: str) -> tuple[str, ...]:
    codes = tuple(c.lower() for c in split_list(text))
    bad = [c for c in codes if not valid_language(c)]
    if bad:
        raise RadioError(_("'{value}' is not a language code (for example vi, hmn, km)").format(value=", ".join(bad)))
    if not codes:
        raise RadioError(_("at least one language is needed (for example vi)"))
    return codes


def parse_topics(taxonomy, text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(taxonomy.resolve(t).code for t in split_list(text)))


def build_hamlet(taxonomy, code: str, name: str, languages: str, topics: str, notes: str) -> Hamlet:
    name = nfc(name)
    if not name:
        raise RadioError(_("the hamlet's name is required"))
    return Hamlet(
        code=parse_code(code),
        name=name,
        languages=parse_languages(languages or "vi"),
        topics=parse_topics(taxonomy, topics or ""),
        notes=nfc(notes or ""),
    )


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


CSV_PROBLEMS = {
    "header": N_("the header must name the columns code and name (also allowed: languages, topics, notes); wrong: {detail}"),
    "columns": N_("more cells than the header has columns"),
}


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
    rows, shape = read_hamlet_csv(text)
    errors: list[tuple[int, str]] = [(p.line, _(CSV_PROBLEMS[p.kind]).format(detail=p.detail)) for p in shape]
    good: dict[str, Hamlet] = {}
    for row in rows:
        v = row.values
        try:
            h = build_hamlet(app.taxonomy, v.get("code", ""), v.get("name", ""), v.get("languages", ""),
                             v.get("topics", ""), v.get("notes", ""))  # fmt: skip
        except RadioError as err:
            errors.append((row.line, str(err)))
            continue
        if h.code in good:
            errors.append((row.line, _("code {code} appears twice in the file").format(code=h.code)))
            continue
        good[h.code] = h
    existing = [c for c in good if app.hamlets.exists(c)] if not update else []
    added, updated = app.hamlets.add_many([h for c, h in good.items() if c not in existing], replace=update)
    errors.sort()
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
