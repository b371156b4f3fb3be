"""A damaged station database, or a full disk under it, as one line the operator can act on.

SQLite's errors (through the engine's ``handle_error``) and the header check at every
open end here: a full disk becomes ``faults.disk_full``; a damaged file becomes a
DamagedDatabaseError naming the file, why, and the newest whole backup with the command
that puts it back. It lives in storage, beside the backups it names; the disk-level
checks it uses are ``radio/faults.py``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from radio.errors import DamagedDatabaseError, DiskFullError
from radio.faults import NEARLY_FULL, disk_full, free_bytes, header_problem
from radio.home import StationHome
from radio.i18n import _
from radio.storage.backup import newest_backup


def sqlite_fault(err: BaseException, db_path: Path) -> DiskFullError | DamagedDatabaseError | None:
    """The RadioError an exception of SQLite stands for, if it is a full disk or a damaged file."""
    if not isinstance(err, sqlite3.Error):
        return None
    name = getattr(err, "sqlite_errorname", "") or ""
    text = str(err)
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return disk_full(db_path.parent)
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or text in (
        "file is not a database", "database disk image is malformed"
    ):
        return damaged(db_path, text)
    if name.startswith("SQLITE_IOERR") or text == "disk I/O error":
        free = free_bytes(db_path.parent)
        if free is not None and free < NEARLY_FULL:
            return disk_full(db_path.parent)
    return None


def damaged(db_path: Path, reason: str | None = None) -> DamagedDatabaseError:
    """The one line for a damaged database: the file, why, the newest backup and the command."""
    backups_dir = StationHome.of_database(db_path).backups_dir
    backup = newest_backup(backups_dir)
    try:
        from radio.config import load_settings

        zone = load_settings(db_path.parent).zone
    except Exception:  # radio.toml unreadable too: the machine's zone
        zone = None
    why = f" ({reason})" if reason else ""
    if backup is None:
        line = _("the station database {path} is damaged{why}, and there is no backup in {dir}").format(
            path=db_path, why=why, dir=backups_dir)  # fmt: skip
    else:
        line = _("the station database {path} is damaged{why}; the newest backup is {backup} ({when}): "
                 "stop the daemon and run 'radio backup restore' to put it back").format(
            path=db_path, why=why, backup=backup.path, when=backup.local_time(zone))  # fmt: skip
    return DamagedDatabaseError(line, str(db_path), str(backup.path) if backup else None)


def check_database_file(db_path: Path) -> None:
    """Raise DamagedDatabaseError if the header says the file is damaged."""
    if (reason := header_problem(db_path)) is not None:
        raise damaged(db_path, reason)
