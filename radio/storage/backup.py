"""Backups of the station database, and putting one back.

A broadcast PC loses power; an old disk loses sectors. The daemon copies the database
every day (and before every schema upgrade) with SQLite's online backup API: one read
transaction, so the copy is consistent even while the daemon writes as-run rows, and
nobody waits. Each copy is written under a temporary name, turned into a self-contained
file (rollback journal, no -wal), checked with ``PRAGMA integrity_check``, flushed and
renamed into ``<home>/backups/radio-<label>-<UTC time>.db``. Only then are the oldest
daily copies beyond ``keep`` removed, so a failed backup never costs an old one.

Restoring moves the current file (and its -wal/-shm) aside — never deleting it — and
copies the backup into place.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radio.errors import RadioError
from radio.i18n import _

DAILY = "daily"
MANUAL = "manual"
_NAME = re.compile(r"radio-(?P<label>[A-Za-z0-9]+)-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.db")
_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Backup:
    path: Path
    label: str  # daily, manual, or the schema revision it was taken before upgrading from
    taken_at: datetime  # UTC
    bytes: int

    def local_time(self, zone=None) -> str:
        return self.taken_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def list_backups(backup_dir: Path) -> list[Backup]:
    """The backups in *backup_dir*, newest first (files not named by us are ignored)."""
    found: list[tuple[datetime, int, Backup]] = []
    try:
        entries = list(os.scandir(backup_dir))
    except OSError:
        return []
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if not match or not entry.is_file():
            continue
        taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=timezone.utc)
        found.append((taken, int(match["n"] or 1), Backup(Path(entry.path), match["label"], taken, entry.stat().st_size)))
    return [b for _t, _n, b in sorted(found, key=lambda f: (f[0], f[1]), reverse=True)]  # same second: -2 after


def newest_backup(backup_dir: Path) -> Backup | None:
    """The newest backup whose header is whole (a damaged one is no use for a restore)."""
    from radio.faults import header_problem

    return next((b for b in list_backups(backup_dir) if header_problem(b.path) is None), None)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def integrity_problem(path: Path) -> str | None:
    """None if ``PRAGMA integrity_check`` finds *path* whole, else its first complaint."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
    except sqlite3.Error as err:
        return str(err)
    return None if rows == [("ok",)] else str(rows[0][0])


def take_backup(db_path: Path, backup_dir: Path, label: str, now: datetime | None = None) -> Backup:
    """A consistent, checked copy of the live database (see the module's docstring)."""
    from radio.faults import disk_full, is_enospc
    from radio.storage.damage import sqlite_fault

    now = now or _now()
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime(_STAMP)
    target = backup_dir / f"radio-{label}-{stamp}.db"
    n = 1
    while target.exists():
        n += 1
        target = backup_dir / f"radio-{label}-{stamp}-{n}.db"
    part = backup_dir / f".{target.name}.part"
    try:
        source = sqlite3.connect(db_path, timeout=15)
        try:
            dest = sqlite3.connect(part)
            try:
                source.backup(dest)  # all pages in one step: one read transaction, one snapshot
                dest.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            finally:
                dest.close()
        finally:
            source.close()
        if problem := integrity_problem(part):
            raise RadioError(_("the backup of {db} failed its integrity check: {problem}").format(
                db=db_path, problem=problem))  # fmt: skip
        _fsync_file(part)
        os.replace(part, target)
        _fsync_dir(backup_dir)
    except sqlite3.Error as err:
        fault = sqlite_fault(err, db_path)
        if fault is None and shutil.disk_usage(backup_dir).free < (1 << 20):
            fault = disk_full(backup_dir)  # the copy, not the source, ran out of room
        raise (fault or RadioError(_("cannot back up {db}: {reason}").format(db=db_path, reason=err))) from err
    except OSError as err:
        if is_enospc(err):
            raise disk_full(backup_dir) from err
        raise RadioError(_("cannot back up {db}: {reason}").format(db=db_path, reason=err.strerror or err)) from err
    finally:
        for leftover in (part, part.with_name(part.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return Backup(target, label, now.replace(microsecond=0), target.stat().st_size)


def prune(backup_dir: Path, label: str, keep: int) -> list[Path]:
    """Remove the oldest backups with *label* beyond the newest *keep*; the removed paths."""
    removed = []
    for old in [b for b in list_backups(backup_dir) if b.label == label][keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def daily_backup(db_path: Path, backup_dir: Path, keep: int, now: datetime | None = None) -> tuple[Backup, list[Path]]:
    """The daemon's daily job: a new daily backup, then the oldest beyond *keep* removed."""
    backup = take_backup(db_path, backup_dir, DAILY, now)
    return backup, prune(backup_dir, DAILY, keep)


def backup_due(backup_dir: Path, now: datetime | None = None) -> bool:
    """True when no daily or manual backup is less than a day old."""
    now = now or _now()
    recent = [b for b in list_backups(backup_dir) if b.label in (DAILY, MANUAL)]
    return not recent or now - recent[0].taken_at >= timedelta(days=1)


def choose_backup(backup_dir: Path, name: str | None) -> Backup:
    """The backup named (a path or a file name in backups/), or the newest whole one."""
    if name is None:
        found = newest_backup(backup_dir)
        if found is None:
            raise RadioError(_("there is no backup in {dir}").format(dir=backup_dir))
        return found
    given = Path(name)
    path = given if given.exists() else backup_dir / given.name
    if not path.is_file():
        raise RadioError(_("no backup {name} (see 'radio backup list')").format(name=name))
    match = _NAME.fullmatch(path.name)
    taken = (datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=timezone.utc) if match
             else datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))  # fmt: skip
    return Backup(path, match["label"] if match else "", taken, path.stat().st_size)


def restore(db_path: Path, backup: Backup, now: datetime | None = None) -> Path | None:
    """Put *backup* in place of *db_path*. The current file, if any, is moved aside with its
    -wal/-shm (a WAL left behind would be replayed onto the restored file); its new path
    is returned. Nothing is deleted. The caller holds the station lock."""
    from radio.faults import header_problem

    if problem := integrity_problem(backup.path):
        raise RadioError(_("the backup {path} is damaged too ({problem}); choose another one "
                           "(see 'radio backup list')").format(path=backup.path, problem=problem))  # fmt: skip
    now = now or _now()
    aside = None
    if db_path.exists():
        kind = "damaged" if header_problem(db_path) or integrity_problem(db_path) else "replaced"
        aside = db_path.with_name(f"{db_path.name}.{kind}-{now.strftime(_STAMP)}")
        for suffix in ("-wal", "-shm", ""):
            current = db_path.with_name(db_path.name + suffix)
            if current.exists():
                os.replace(current, aside.with_name(aside.name + suffix))
    part = db_path.with_name(f".{db_path.name}.restoring")
    try:
        shutil.copyfile(backup.path, part)
        _fsync_file(part)
        os.replace(part, db_path)
        _fsync_dir(db_path.parent)
    except OSError as err:
        part.unlink(missing_ok=True)
        if aside is not None:  # put back what was there: never leave the station without its file
            for suffix in ("-wal", "-shm", ""):
                moved = aside.with_name(aside.name + suffix)
                if moved.exists():
                    os.replace(moved, db_path.with_name(db_path.name + suffix))
            aside = None
        from radio.faults import disk_full, is_enospc

        if is_enospc(err):
            raise disk_full(db_path.parent) from err
        raise
    return aside
