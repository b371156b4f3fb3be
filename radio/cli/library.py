"""`radio library …`: add, list, show, edit, approve, retire."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from radio.cli.base import Group, json_option, option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.cli.params import DATE, TEXT
from radio.text import format_duration
from radio.domain.library import PRIORITY_LABELS, STATUS_LABELS, Item, ItemStatus, Priority, RuleError, check_language
from radio.errors import RadioError
from radio.i18n import _, ngettext
from radio.library.catalog import approve_items, edit_item, item_json, retire_items
from radio.text import nfc

PRIORITY = click.Choice([p.value for p in Priority])
STATUS = click.Choice([s.value for s in ItemStatus])


def _language(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_language(value)
    except RuleError as err:
        raise click.BadParameter(str(err)) from None


def _language_callback(ctx, param, value):
    return _language(value)


def _lufs(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _item_row(item: Item, here: bool = True) -> list:
    return [
        item.id,
        item.title if here else _("{title} (not yet on this PC)").format(title=item.title),
        item.topic,
        item.language,
        _(PRIORITY_LABELS[item.priority]),
        _(STATUS_LABELS[item.status]),
        format_duration(item.duration_s),
        _lufs(item.loudness_lufs),
    ]


def _item_headers() -> list[str]:
    return [_("ID"), _("Title"), _("Topic"), _("Lang."), _("Priority"), _("Status"), _("Length"), _("LUFS")]


@click.group(cls=Group, help="The content library: import, list, edit, approve and retire bulletins.")
def library() -> None:
    pass


@library.command(help="Import audio files or folders (recursively) into the library.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option("--topic", required=True, type=TEXT, help="Topic code (see 'radio topics').")
@option("--title", type=TEXT, help="Title (default: from the tags, else from the file name).")
@option("--language", default="vi", show_default=True, callback=_language_callback, help="Language code.")
@option("--source", type=TEXT, help="Where the bulletin comes from (district, province, own recording…).")
@option("--priority", type=PRIORITY, default="normal", show_default=True, help="Broadcast priority.")
@option("--valid-from", type=DATE, help="First day it may air.")
@option("--valid-until", type=DATE, help="Last day it may air.")
@json_option
@pass_ctx
def add(ctx, paths, topic, title, language, source, priority, valid_from, valid_until, as_json) -> None:
    from radio.library.importer import ImportOptions, collect_files

    app = ctx.app
    options = ImportOptions(
        topic=app.taxonomy.resolve(topic).code,
        language=language,
        title=title,
        source=source or None,
        priority=Priority(priority),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    files, skipped = collect_files(paths, exclude=app.settings.home)
    if skipped:
        click.echo(
            ngettext(
                "skipped {n} file that is not audio by its name: {names}",
                "skipped {n} files that are not audio by their names: {names}",
                len(skipped),
            ).format(n=len(skipped), names=", ".join(nfc(p.name) for p in skipped[:5]) + (" …" if len(skipped) > 5 else "")),
            err=True,
        )
    if not files:
        raise RadioError(_("no audio files found in {paths}").format(paths=", ".join(str(p) for p in paths)))
    if title and len(files) > 1:
        raise click.UsageError(_("--title can only be given when importing a single file"))

    importer = app.importer()
    if len(files) > 1:
        with click.progressbar(
            length=len(files), label=_("Importing"), file=sys.stderr, show_pos=True
        ) as bar:

            def progress(results):
                for result in results:
                    yield result
                    bar.update(1)

            results = importer.run(files, options, progress)
    else:
        results = importer.run(files, options)

    rejected = [r for r in results if r.error]
    if as_json:
        out = []
        for r in results:
            if r.error:
                out.append({"path": r.path, "error": r.error, "status": "rejected"})
            else:
                entry = {k: v for k, v in item_json(r.item).items()}
                entry["path"] = r.path
                entry["duplicate"] = r.duplicate
                out.append(entry)
        print_json(out)
    else:
        for r in results:
            if r.error:
                continue
            if r.duplicate:
                click.echo(_("already in the library as #{id}: {path}").format(id=r.item.id, path=r.path))
            else:
                click.echo(
                    _("added #{id} {title} ({topic}, {length}, {lufs} LUFS)").format(
                        id=r.item.id,
                        title=r.item.title,
                        topic=r.item.topic,
                        length=format_duration(r.item.duration_s),
                        lufs=_lufs(r.item.loudness_lufs) or "-",
                    )
                )
    for r in rejected:
        click.echo(_("rejected {path}: {reason}").format(path=r.path, reason=r.error), err=True)
    if rejected:
        sys.exit(1)


@library.command(name="list", help="List library items.")
@option("--topic", type=TEXT, help="Only this topic.")
@option("--status", type=STATUS, help="Only items with this status.")
@option("--language", callback=_language_callback, help="Only this language.")
@json_option
@pass_ctx
def list_items(ctx, topic, status, language, as_json) -> None:
    app = ctx.app
    code = app.taxonomy.resolve(topic).code if topic else None
    items = app.library.list(topic=code, status=status, language=language)
    here = {i.id: app.media.path(i.media_path).is_file() for i in items}  # a hub item's file comes when queued
    if as_json:
        print_json([{**item_json(i), "on_this_pc": here[i.id]} for i in items])
        return
    if not items:
        click.echo(_("The library is empty.") if not (topic or status or language) else _("No items match."))
        return
    print_table(_item_headers(), [_item_row(i, here[i.id]) for i in items])
    total = sum(i.duration_s for i in items)
    click.echo(
        ngettext("{n} item, {length} in all", "{n} items, {length} in all", len(items)).format(
            n=len(items), length=format_duration(total)
        )
    )


@library.command(help="Show everything recorded about one item.")
@click.argument("item_id", type=int)
@json_option
@pass_ctx
def show(ctx, item_id: int, as_json: bool) -> None:
    app = ctx.app
    item = app.library.get(item_id)
    data = item_json(item)
    if as_json:
        print_json(data)
        return
    labels = {
        "id": _("ID"), "title": _("Title"), "topic": _("Topic"), "language": _("Language"),
        "source": _("Source"), "priority": _("Priority"), "status": _("Status"),
        "duration_s": _("Length"), "loudness_lufs": _("Loudness (LUFS)"),
        "true_peak_dbtp": _("True peak (dBTP)"), "sha256": "SHA-256",
        "sample_rate": _("Sample rate (Hz)"), "channels": _("Channels"), "codec": _("Codec"),
        "original_name": _("Original file"), "added_at": _("Added"),
        "valid_from": _("Valid from"), "valid_until": _("Valid until"),
        "approved_by": _("Approved by"), "approved_at": _("Approved at"), "retired_at": _("Retired at"),
    }  # fmt: skip
    data.pop("notice_text", None)  # printed last, as a block
    data["topic"] = f"{item.topic} — {app.taxonomy.name(item.topic)}"
    data["priority"] = _(PRIORITY_LABELS[item.priority])
    data["status"] = _(STATUS_LABELS[item.status])
    data["duration_s"] = format_duration(item.duration_s)
    zone = app.settings.zone
    for key in ("added_at", "approved_at", "retired_at"):
        moment = getattr(item, key)
        data[key] = moment.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S") if moment else None
    for key in ("valid_from", "valid_until"):
        day = getattr(item, key)
        data[key] = day.strftime("%d/%m/%Y") if day else None
    width = max(len(v) for v in labels.values())
    for key, label in labels.items():
        value = data.get(key)
        if value not in (None, ""):
            click.echo(f"{label.ljust(width)}  {value}")
    stored_as = _("Stored as")
    click.echo(f"{stored_as.ljust(width)}  {app.media.path(item.media_path)}")
    if item.notice_text:
        click.echo(_("Notice text (spoken by 'radio announce'):"))
        for line in item.notice_text.splitlines():
            click.echo(f"  {line}".rstrip())


@library.command(help="Change an item's title, topic, language, source, priority or validity.")
@click.argument("item_id", type=int)
@option("--title", type=TEXT, help="New title.")
@option("--topic", type=TEXT, help="New topic code.")
@option("--language", callback=_language_callback, help="New language code.")
@option("--source", type=TEXT, help="New source.")
@option("--priority", type=PRIORITY, help="New priority.")
@option("--valid-from", type=DATE, help="First day it may air.")
@option("--valid-until", type=DATE, help="Last day it may air.")
@option("--no-validity", is_flag=True, help="Remove the validity window.")
@json_option
@pass_ctx
def edit(ctx, item_id, title, topic, language, source, priority, valid_from, valid_until, no_validity, as_json):
    app = ctx.app
    window = {}
    if no_validity:
        window = {"valid_from": None, "valid_until": None}
    if valid_from is not None:
        window["valid_from"] = valid_from
    if valid_until is not None:
        window["valid_until"] = valid_until
    item = edit_item(
        app.library, app.taxonomy, item_id,
        title=title, topic=topic, language=language, source=source,
        priority=Priority(priority) if priority else None, **window,
    )  # fmt: skip
    if as_json:
        print_json(item_json(item))
    else:
        click.echo(_("updated #{id} {title}").format(id=item.id, title=item.title))


@library.command(help="Approve items for broadcast, recording who approved them and when.")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@option("--by", "approver", required=True, type=TEXT, help="Name of the approving official.")
@json_option
@pass_ctx
def approve(ctx, item_ids, approver, as_json) -> None:
    items = approve_items(ctx.app.library, list(item_ids), approver)
    if as_json:
        print_json([item_json(i) for i in items])
        return
    for item in items:
        click.echo(_("approved #{id} {title} (by {name})").format(id=item.id, title=item.title, name=item.approved_by))


@library.command(help="Retire items: they stay in the library and its logs but never air again.")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@json_option
@pass_ctx
def retire(ctx, item_ids, as_json) -> None:
    items = retire_items(ctx.app.library, list(item_ids))
    if as_json:
        print_json([item_json(i) for i in items])
        return
    for item in items:
        click.echo(_("retired #{id} {title}").format(id=item.id, title=item.title))
