"""`radio backup now|list|restore`: copies of the station database, and putting one back.

These commands never open the station through `open_app`: they must work when the
database is damaged, which is when they are needed.
"""

from __future__ import annotations

import click

from radio.cli.base import Group, json_option, print_json, print_table
from radio.cli.context import pass_ctx
from radio.errors import RadioError, StorageError
from radio.faults import human_bytes
from radio.home import StationHome
from radio.i18n import _


def _settings(home):
    from radio.app import is_initialized
    from radio.config import load_settings

    if not is_initialized(home):
        raise StorageError(_("no station at {home} (run 'radio init' first, or give --home)").format(home=home))
    return load_settings(home)


@click.group(cls=Group, help="Backups of the station database: take one, list them, restore one.")
def backup() -> None:
    pass


@backup.command(help="Take a backup of the database now (safe while the daemon runs).")
@pass_ctx
def now(ctx) -> None:
    from radio.storage.damage import check_database_file
    from radio.storage.backup import MANUAL, take_backup

    settings = _settings(ctx.home)
    check_database_file(settings.database_path)
    made = take_backup(settings.database_path, settings.backup_dir, MANUAL)
    click.echo(_("backup written: {path} ({size})").format(path=made.path, size=human_bytes(made.bytes)))


@backup.command(name="list", help="List the backups, newest first.")
@json_option
@pass_ctx
def list_command(ctx, as_json) -> None:
    from radio.storage.backup import list_backups

    settings = _settings(ctx.home)
    found = list_backups(settings.backup_dir)
    if as_json:
        print_json([{"file": b.path.name, "path": str(b.path), "kind": b.label,
                     "taken_at": b.taken_at.isoformat(), "bytes": b.bytes} for b in found])  # fmt: skip
        return
    if not found:
        click.echo(_("No backups in {dir}.").format(dir=settings.backup_dir))
        return
    kinds = {"daily": _("daily"), "manual": _("by hand")}
    rows = [[b.path.name, b.taken_at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M:%S"),
             kinds.get(b.label, _("before upgrade {revision}").format(revision=b.label)), human_bytes(b.bytes)]
            for b in found]  # fmt: skip
    print_table([_("File"), _("Taken"), _("Kind"), _("Size")], rows)


@backup.command(help="Put a backup in place of the database (default: the newest one). "
                     "The current file is moved aside, never deleted. Stop the daemon first.")  # fmt: skip
@click.argument("backup_file", metavar="[BACKUP]", required=False)
@pass_ctx
def restore(ctx, backup_file) -> None:
    from radio.scheduler.station_lock import StationLock
    from radio.storage.backup import choose_backup, restore as restore_backup

    settings = _settings(ctx.home) if StationHome(ctx.home).is_initialized() or not ctx.home.is_dir() else None
    if settings is None:  # the database file itself is gone: restore into the home anyway
        from radio.config import load_settings

        settings = load_settings(ctx.home)
    chosen = choose_backup(settings.backup_dir, backup_file)
    lock = StationLock(ctx.home)
    try:
        lock.acquire()
    except RadioError:
        raise RadioError(_("the daemon is running for {home}: stop it first (systemctl stop radio)").format(
            home=ctx.home)) from None  # fmt: skip
    try:
        aside = restore_backup(settings.database_path, chosen)
    finally:
        lock.release()
    when = chosen.taken_at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
    click.echo(_("restored {db} from {backup} (taken {when})").format(db=settings.database_path,
                                                                      backup=chosen.path, when=when))  # fmt: skip
    if aside is not None:
        click.echo(_("the file it replaced is kept as {path}").format(path=aside))
    click.echo(_("what was recorded after {when} is not in it: check 'radio log' and 'radio library list', "
                 "and import again the bulletins added since").format(when=when))  # fmt: skip
