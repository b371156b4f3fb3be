"""What keeps the daemon's record safe when the machine misbehaves.

- **A disk-space reserve.** The daemon holds a file of ``[schedule] reserve_mb`` in the
  station home. SQLite needs room to commit (the WAL grows by a 4 KB frame or two per
  as-run write); on a full disk it refuses with SQLITE_FULL, and a process that opens the
  database afresh cannot even read it (it must size its -shm file: SQLITE_IOERR_SHMSIZE).
  When an as-run write fails for lack of space, the reserve is released, the error is
  logged, and the write is retried — so the as-run log goes on while the operator frees
  space. The reserve comes back once there is room for it twice over.
- **No as-run row lost.** A write the disk still refuses (no reserve left) is kept in
  memory, in order, and retried every ``RETRY_S`` seconds and before every later write;
  what the player reports meanwhile (a row's completion) is merged into it. Whatever is
  still unwritten when the daemon stops is logged in full to the journal.
- **Daily backups** of the database (``[backup] at``, ``keep``), and one shortly after the
  start when the newest is more than a day old (storage/backup.py). A backup never eats
  the room the as-run log needs: it is skipped, with an error, unless the disk has the
  database's size plus the reserve free.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, replace
from dataclasses import fields as fields_of
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radio.domain.asrun import AsRunEntry, AsRunRecord, AsRunStatus, item_record, relay_record
from radio.errors import DiskFullError, RadioError
from radio.faults import NEARLY_FULL, free_bytes, human_bytes
from radio.home import StationHome
from radio.i18n import N_
from radio.storage.backup import backup_due, daily_backup

log = logging.getLogger("radio.daemon")

RETRY_S = 10.0
STARTUP_BACKUP_DELAY_S = 5.0


class SpaceReserve:
    """A file holding disk space for the day the disk fills."""

    def __init__(self, home: Path, megabytes: int) -> None:
        self.path = StationHome(home).disk_reserve
        self.size = megabytes * 1024 * 1024

    @property
    def held(self) -> bool:
        try:
            return self.size > 0 and self.path.stat().st_size >= self.size
        except FileNotFoundError:
            return False

    def ensure(self) -> bool:
        """Create the reserve if it is missing and the disk has room for it twice over."""
        if self.size == 0 or self.held:
            return self.held
        free = free_bytes(self.path.parent)
        if free is None or free < 2 * self.size:
            return False
        part = self.path.with_name(self.path.name + ".part")
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)  # real blocks, not a sparse file
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(part, self.path)
        except OSError as err:
            part.unlink(missing_ok=True)
            log.warning("cannot create the disk-space reserve %s: %s", self.path, err.strerror or err)
            return False
        return True

    def release(self) -> int:
        """Give the reserve's space back to the disk; the bytes freed."""
        try:
            size = self.path.stat().st_size
            self.path.unlink()
        except FileNotFoundError:
            return 0
        return size


def release_if_full(home: Path, megabytes: int) -> None:
    """At start-up, before the database is opened: on a full disk SQLite cannot even open
    it (it must create its -shm file), so the reserve is given back first."""
    reserve = SpaceReserve(home, megabytes)
    free = free_bytes(home)
    if reserve.held and free is not None and free < NEARLY_FULL:
        freed = reserve.release()
        log.error("the disk holding %s is full (%s free): released the %s reserve so the station can run; "
                  "free some space", home, human_bytes(free), human_bytes(freed))  # fmt: skip


@dataclass
class _Pending:
    """An as-run write the disk refused, waiting to be retried."""

    provisional_id: int | None  # an append: the id given to the on-air loop until it is written
    record: AsRunRecord | None = None
    finish_of: int | None = None  # a completion of a row already written
    finish: tuple = ()


class GuardedAsRun:
    """The as-run repository as the daemon uses it (same methods): see the module docstring.

    Every write of every kind (items, relay segments, fallbacks, rows for what never aired)
    goes through `append`, `finish` or `close_orphans` (the start-up's closing of rows a crash
    left playing); reads pass through to the repository."""

    def __init__(self, repo, reserve: SpaceReserve) -> None:
        self._repo = repo
        self.reserve = reserve
        self._lock = threading.RLock()
        self._pending: list[_Pending] = []
        self._written: dict[int, int] = {}  # provisional id -> row id
        self._next_id = -1
        self._failing = False

    def __getattr__(self, name):
        return getattr(self._repo, name)  # reads

    # ---- the writes of the on-air loop: one guarded path
    def record(self, item, **fields) -> AsRunEntry:
        return self.append(item_record(item, **fields))

    def record_relay(self, source, **fields) -> AsRunEntry:
        return self.append(relay_record(source, **fields))

    def append(self, record: AsRunRecord) -> AsRunEntry:
        with self._lock:
            if self._flush():
                try:
                    return self._try(lambda: self._repo.append(record))
                except DiskFullError:
                    pass
            provisional = self._next_id
            self._next_id -= 1
            self._pending.append(_Pending(provisional, record))
            log.error("as-run row for %s kept in memory until the disk has room", record.title)
            return record.entry(provisional)

    def finish(self, entry_id: int, status: AsRunStatus, ended_at: datetime, seconds_played: float,
               reason: str | None = None) -> None:  # fmt: skip
        with self._lock:
            entry_id = self._written.get(entry_id, entry_id)
            if entry_id < 0:  # its row is still waiting: the completion joins it
                for n, pending in enumerate(self._pending):
                    if pending.provisional_id == entry_id:
                        if pending.record.status == AsRunStatus.PLAYING:
                            self._pending[n] = replace(pending, record=replace(
                                pending.record, status=status, ended_at=ended_at, seconds_played=seconds_played,
                                reason=reason))  # fmt: skip
                        break
                self._flush()
                return
            args = (entry_id, status, ended_at, seconds_played, reason)
            if self._flush():
                try:
                    self._try(lambda: self._repo.finish(*args))
                    return
                except DiskFullError:
                    pass
            self._pending.append(_Pending(None, finish_of=entry_id, finish=args))
            log.error("as-run completion of row %d kept in memory until the disk has room", entry_id)

    def close_orphans(self, reason: str) -> list[AsRunEntry]:
        """At start-up: the rows a crash left playing become interrupted. On a full disk they
        are still returned (a read needs no room), so the show they belong to is rejoined, and
        their closing waits in memory like any other write — a start never fails on it."""
        with self._lock:
            try:
                return self._try(lambda: self._repo.close_orphans(reason))
            except DiskFullError:
                rows = self._repo.playing()
            for row in rows:
                self._pending.append(_Pending(None, finish_of=row.id, finish=(
                    row.id, AsRunStatus.INTERRUPTED, None, row.seconds_played, reason)))  # fmt: skip
            log.error("%d as-run rows left playing by the crash are closed once the disk has room", len(rows))
            return rows

    # ---- retrying
    def _try(self, write):
        """One write; on a full disk, release the reserve and write again."""
        try:
            result = write()
        except DiskFullError as err:
            freed = self.reserve.release()
            if not freed:
                self._report(err)
                raise
            log.error("as-run write failed: %s — released the %s disk-space reserve so the as-run log goes on",
                      err, human_bytes(freed))  # fmt: skip
            try:
                result = write()
            except DiskFullError as again:
                self._report(again)
                raise
        if self._failing:
            self._failing = False
            log.info(N_("the as-run log is written to disk again"))
        return result

    def _report(self, err: DiskFullError) -> None:
        if not self._failing:
            self._failing = True
            log.error("as-run write failed: %s — as-run rows are kept in memory and written as soon as there is room",
                      err)  # fmt: skip

    def _flush(self) -> bool:
        """Write what waits, in order; True when nothing waits any more."""
        while self._pending:
            pending = self._pending[0]
            try:
                if pending.provisional_id is not None:
                    row = self._try(lambda: self._repo.append(pending.record))
                    self._written[pending.provisional_id] = row.id
                else:
                    self._try(lambda: self._repo.finish(*pending.finish))
            except DiskFullError:
                return False
            self._pending.pop(0)
        return True

    def retry(self) -> None:
        """The periodic job: write what waits; take the reserve back when there is room."""
        with self._lock:
            if self._flush() and not self.reserve.held and self.reserve.size:
                if self.reserve.ensure():
                    log.info("disk-space reserve %s restored", self.reserve.path)

    def close(self) -> None:
        """At stop: a last try, then every row still unwritten goes to the journal in full."""
        with self._lock:
            if self._flush():
                return
            for pending in self._pending:
                if pending.provisional_id is not None:
                    log.critical("as-run row NOT WRITTEN (disk full): %s", _describe(pending.record))
                else:
                    log.critical("as-run completion NOT WRITTEN (disk full): row %d %s", pending.finish_of,
                                 pending.finish[1:])  # fmt: skip


def _describe(record: AsRunRecord) -> str:
    fields = {f.name: getattr(record, f.name) for f in fields_of(record)}
    return ", ".join(f"{k}={v.isoformat() if isinstance(v, datetime) else v}" for k, v in fields.items()
                     if v is not None)  # fmt: skip


# ---- backups
def run_backup(app) -> None:
    """The daily job (and the one at start-up): a backup, the oldest beyond keep removed."""
    settings = app.settings
    db = settings.database_path
    try:
        needed = db.stat().st_size + settings.schedule.reserve_mb * 1024 * 1024
        free = free_bytes(settings.backup_dir.parent)
        if free is not None and free < needed:
            log.error("backup skipped: %s free on the disk holding %s, %s needed (the database and the reserve); "
                      "free some space", human_bytes(free), settings.home, human_bytes(needed))  # fmt: skip
            return
        made, removed = daily_backup(db, settings.backup_dir, settings.backup.keep)
        log.info(N_("backup written: %s (%s), %d older removed"), made.path, human_bytes(made.bytes), len(removed))
    except RadioError as err:
        log.error(N_("backup failed: %s"), err)
    except Exception:
        log.exception("backup failed")


def install(app, scheduler, now: datetime | None = None) -> GuardedAsRun:
    """Hook the safeguards into a starting daemon: the reserve, the guarded as-run log and
    its retry job, the daily backup and the one at start-up if due."""
    settings = app.settings
    reserve = SpaceReserve(settings.home, settings.schedule.reserve_mb)
    if settings.schedule.reserve_mb and not reserve.ensure():
        log.warning("no disk-space reserve: %s free on the disk holding %s", human_bytes(free_bytes(settings.home) or 0),
                    settings.home)  # fmt: skip
    guard = GuardedAsRun(app.as_run, reserve)
    app.as_run = guard  # the on-air loop writes through it
    scheduler.add_job(guard.retry, "interval", seconds=RETRY_S, id="as-run-retry")
    hour, minute = (int(part) for part in settings.backup.at.split(":"))
    scheduler.add_job(run_backup, "cron", hour=hour, minute=minute, args=[app], id="backup",
                      misfire_grace_time=3600, coalesce=True)  # fmt: skip
    now = now or datetime.now(timezone.utc)
    if backup_due(settings.backup_dir, now):
        scheduler.add_job(run_backup, "date", run_date=now + timedelta(seconds=STARTUP_BACKUP_DELAY_S), args=[app],
                          id="backup-at-start")  # fmt: skip
    return guard
