"""`radio export-usb` and `radio usb …`: USB packages for the hamlets' MP3 players."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from radio.cli.base import Command, Group, json_option, option, print_json, print_table, warn
from radio.cli.context import pass_ctx
from radio.cli.params import DATE
from radio.text import format_duration
from radio.domain.usb import PROFILES
from radio.errors import RadioError
from radio.i18n import _, ngettext

if TYPE_CHECKING:
    from radio.export.service import ExportPlan


def _today(app):
    return datetime.now(app.settings.zone).date()


def plan_json(plan: ExportPlan) -> dict:
    return {
        "dest": str(plan.dest),
        "date": plan.on.isoformat(),
        "profile": plan.profile.name,
        "sizes": "exact" if plan.exact else "estimated",
        "space": {"needed": plan.space.needed, "freed": plan.space.freed, "free": plan.space.free,
                  "fits": plan.space.fits},  # fmt: skip
        "packages": [
            {
                "hamlet": t.hamlet.code,
                "folder": str(t.folder),
                "items": [
                    {"position": e.position, "file": e.file, "item_id": e.item.id, "title": e.item.title,
                     "topic": e.item.topic, "duration_s": e.item.duration_s, "bytes": e.bytes}  # fmt: skip
                    for e in t.plan.entries
                ],
                "bytes": t.plan.audio_bytes,
                "duration_s": t.plan.duration_s,
            }
            for t in plan.targets
        ],
        "skipped": [h.code for h in plan.skipped],
    }


def _print_plan(plan: ExportPlan) -> None:
    from radio.export.service import human_bytes

    for t in plan.targets:
        click.echo(_("{folder} — {name} ({code})").format(folder=t.folder, name=t.hamlet.name, code=t.hamlet.code))
        for e in t.plan.entries:
            click.echo(f"  {e.file}  {format_duration(e.item.duration_s)}  {human_bytes(e.bytes)}")
        click.echo(
            "  " + ngettext("{n} file, {length}, {size}", "{n} files, {length}, {size}", len(t.plan.entries)).format(
                n=len(t.plan.entries), length=format_duration(t.plan.duration_s), size=human_bytes(t.plan.audio_bytes)
            )
        )
    space = plan.space
    free = human_bytes(space.free) if space.free is not None else _("unknown")
    click.echo(
        (_("Space needed: {needed} (exact), free: {free}") if plan.exact else _("Space needed: about {needed}, free: {free}")).format(
            needed=human_bytes(space.needed - space.freed), free=free
        )
    )


class _Bars:
    """Progress bars on stderr: items transcoded, then files and bytes written."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.files = 0
        self.total_files = 0

    def _close(self):
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

    def progress(self):
        from radio.export.service import Progress

        if self.quiet:
            return Progress(warning=warn)

        def transcode_start(n):
            self.bar = click.progressbar(length=n, label=_("Transcoding"), file=sys.stderr, show_pos=True)
            self.bar.render_progress()

        def write_start(files, total):
            self._close()
            self.total_files = files
            self.bar = click.progressbar(
                length=max(total, 1), label=_("Writing"), file=sys.stderr, show_percent=True,
                item_show_func=lambda _x: _("{n}/{total} files").format(n=self.files, total=self.total_files),
            )  # fmt: skip
            self.bar.render_progress()

        def wrote_file(name):
            self.files += 1
            self.bar.current_item = name
            self.bar.render_progress()

        return Progress(
            transcode_start=transcode_start,
            transcoded=lambda e: self.bar.update(1),
            write_start=write_start,
            wrote_bytes=lambda n: self.bar.update(n),
            wrote_file=wrote_file,
            warning=warn,
        )

    def finish(self):
        self._close()


@click.command(
    name="export-usb", cls=Command,
    help="Write USB packages for hamlets: DEST is the stick (one hamlet) or a folder holding DEST/CODE/ (several).",
)  # fmt: skip
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@option("--hamlet", "codes", multiple=True, help="Hamlet code (repeat for several).")
@option("--all", "all_hamlets", is_flag=True, help="Every registered hamlet.")
@option("--date", "on", type=DATE, help="Items valid on this day (default: today).")
@option("--playlist", help="A playlist from the station's playlists/ folder instead of the automatic choice.")
@option("--profile", type=click.Choice(sorted(PROFILES)), help="Encoding (default: [usb] profile in radio.toml).")
@option("--dry-run", is_flag=True, help="Show what would be written and the space needed; write nothing.")
@json_option
@pass_ctx
def export_usb(ctx, dest, codes, all_hamlets, on, playlist, profile, dry_run, as_json) -> None:
    from radio.export.service import check, human_bytes, plan_export, run_export, skipped_message

    if bool(codes) == bool(all_hamlets):
        raise click.UsageError(_("give --hamlet CODE (one or more) or --all"))
    app = ctx.app
    from radio.cli.hamlet import parse_code

    hamlets = app.hamlets.list() if all_hamlets else app.hamlets.get_many(list(dict.fromkeys(parse_code(c) for c in codes)))
    if not hamlets:
        raise RadioError(_("no hamlets registered (see 'radio hamlet add' and 'radio hamlet import')"))
    on = on or _today(app)
    prof = PROFILES[profile or app.settings.usb.profile]
    if dry_run:
        plan = plan_export(app, dest, hamlets, on, prof, playlist)
        if as_json:
            print_json(plan_json(plan))
        else:
            _print_plan(plan)
            if plan.skipped:
                click.echo(skipped_message(plan.skipped), err=True)
        if not plan.space.fits:
            check(plan)  # raises the "not enough space" message
        return
    bars = _Bars(quiet=as_json or not sys.stderr.isatty())
    try:
        plan, written = run_export(app, dest, hamlets, on, prof, playlist, bars.progress())
    finally:
        bars.finish()
    if plan.skipped:
        click.echo(skipped_message(plan.skipped), err=True)
    if as_json:
        print_json({
            "dest": str(dest), "date": on.isoformat(), "profile": prof.name,
            "packages": [
                {"package_id": w.package_id, "hamlet": w.target.hamlet.code, "folder": str(w.target.folder),
                 "items": len(w.manifest["items"]), "bytes": w.manifest["total_bytes"],
                 "duration_s": w.manifest["total_duration_s"]}
                for w in written
            ],
            "skipped": [h.code for h in plan.skipped],
        })  # fmt: skip
        return
    for w in written:
        click.echo(
            _("wrote {folder}: {n} items, {length}, {size} (package {id})").format(
                folder=w.target.folder, n=len(w.manifest["items"]),
                length=format_duration(w.manifest["total_duration_s"]),
                size=human_bytes(w.manifest["total_bytes"]), id=w.package_id,
            )
        )  # fmt: skip


@click.group(cls=Group, help="USB packages: verify a stick, list the packages written.")
def usb() -> None:
    pass


@usb.command(name="verify", help="Check a package on a stick: manifest, checksums, files, play order, hidden files.")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
def verify_cmd(path: Path, as_json: bool) -> None:
    from radio.export.verify import report_json, verify

    report = verify(path)
    if as_json:
        print_json(report_json(report))
    else:
        m = report.manifest or {}
        for problem in report.problems:
            click.echo(_("problem: {message}").format(message=problem.message))
        for note in report.notes:
            click.echo(_("note: {message}").format(message=note))
        if report.ok:
            hamlet = m.get("hamlet") or {}
            click.echo(
                _("OK: package {id} for {name} ({code}), {n} items, in play order").format(
                    id=m.get("package_id"), name=hamlet.get("name"), code=hamlet.get("code"), n=len(m.get("items", []))
                )
                if report.order_checked
                else _("OK: package {id} for {name} ({code}), {n} items").format(
                    id=m.get("package_id"), name=hamlet.get("name"), code=hamlet.get("code"), n=len(m.get("items", []))
                )
            )
        else:
            click.echo(
                ngettext("{path}: {n} problem", "{path}: {n} problems", len(report.problems)).format(
                    path=report.folder, n=len(report.problems)
                ),
                err=True,
            )
    if not report.ok:
        sys.exit(1)


@usb.command(name="packages", help="List the USB packages written, newest last.")
@option("--hamlet", "code", help="Only this hamlet.")
@json_option
@pass_ctx
def packages(ctx, code, as_json) -> None:
    from radio.export.service import human_bytes

    from radio.cli.hamlet import parse_code

    records = ctx.app.hamlets.packages(parse_code(code) if code else None)
    if as_json:
        print_json([
            {"package_id": r.id, "hamlet": r.hamlet_code, "hamlet_name": r.hamlet_name,
             "created": r.created_at.isoformat(), "date": r.content_date.isoformat(), "profile": r.profile,
             "playlist": r.playlist, "items": r.items, "bytes": r.bytes, "duration_s": r.duration_s,
             "destination": r.destination}
            for r in records
        ])  # fmt: skip
        return
    if not records:
        click.echo(_("No USB packages written yet."))
        return
    zone = ctx.app.settings.zone
    print_table(
        [_("Package"), _("Hamlet"), _("Created"), _("Items"), _("Length"), _("Size")],
        [[r.id, r.hamlet_code, r.created_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"), r.items,
          format_duration(r.duration_s), human_bytes(r.bytes)] for r in records],
    )  # fmt: skip
