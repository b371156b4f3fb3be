"""`radio daemon`: the process around the on-air loop — lock, timers, signals, systemd.

Start-up order: lock the home (one daemon per station) → open the station (database
migrated) → the player → the on-air loop (rows left playing closed, catch-up/rejoin) →
timers → watchers. Stopping runs in reverse.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sqlite3
import sys
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from radio.app import open_app
from radio.audio.station import station_player
from radio.config import load_settings
from radio.errors import RadioError
from radio.i18n import _
from radio.scheduler.notify import sd_notify, watchdog_interval_s
from radio.scheduler.onair import OnAir, Reload, Replan, Stop
from radio.scheduler import safeguards

log = logging.getLogger("radio.daemon")
LOCK_NAME = "daemon.lock"
WATCH_INTERVAL_S = 1.5  # how often the database is checked for changes (the CLI also nudges)


def setup_logging() -> None:
    """One line per event on stderr, journald-friendly (journald adds the time)."""
    handler = logging.StreamHandler(sys.stderr)
    under_systemd = "INVOCATION_ID" in os.environ or "JOURNAL_STREAM" in os.environ
    fmt = "%(levelname)s %(name)s: %(message)s" if under_systemd else "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger("radio")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


class StationLock:
    """An exclusive lock on the station home, held while the daemon runs."""

    def __init__(self, home: Path) -> None:
        self.path = home / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise RadioError(_("a daemon is already running for the station at {home}").format(home=self.path.parent)) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def daemon_pid(home: Path) -> int | None:
    """The pid of the daemon holding the station's lock, or None if none runs."""
    path = home / LOCK_NAME
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        text = path.read_text().strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)
    return None


def nudge_daemon(home: Path) -> bool:
    """Tell a running daemon that the schedule changed (SIGUSR1), so it acts at once rather
    than at its next database check. False when no daemon runs or it cannot be signalled."""
    pid = daemon_pid(home)
    if not pid or pid < 0:
        return False
    try:
        os.kill(pid, signal.SIGUSR1)
    except OSError:
        return False
    return True


class DataVersionWatcher:
    """Notices commits by other processes (the CLI) through SQLite's PRAGMA data_version:
    one tiny query a second, no busy polling."""

    def __init__(self, db_path: Path) -> None:
        self.connection = sqlite3.connect(db_path, check_same_thread=False)
        self.version = self._read()

    def _read(self) -> int:
        return self.connection.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        version = self._read()
        changed, self.version = version != self.version, version
        return changed

    def close(self) -> None:
        self.connection.close()


def run_daemon(home: Path, device: str | None = None) -> int:
    setup_logging()
    lock = StationLock(home)
    if not (home / "radio.db").exists():
        raise RadioError(_("no station at {home} (run 'radio init' first, or give --home)").format(home=home))
    lock.acquire()
    safeguards.release_if_full(home, load_settings(home).schedule.reserve_mb)
    app = open_app(home)
    scheduler = BackgroundScheduler(timezone=app.settings.zone)
    watcher = DataVersionWatcher(app.settings.database_path)
    guard = None
    try:
        guard = safeguards.install(app, scheduler)  # disk-space reserve, as-run retries, daily backup
        player = station_player(app.settings, device=device)

        def reload_settings() -> None:
            app.settings = load_settings(home)
            onair.player = station_player(app.settings, device=device)
            log.info("re-read %s", app.settings.config_path)

        onair = OnAir(app, player, scheduler, reload_settings)
        signal.signal(signal.SIGTERM, lambda *_: onair.post(Stop()))
        signal.signal(signal.SIGINT, lambda *_: onair.post(Stop()))
        signal.signal(signal.SIGHUP, lambda *_: onair.post(Reload()))
        signal.signal(signal.SIGUSR1, lambda *_: onair.post(Replan()))

        def watch() -> None:
            if watcher.changed():
                onair.post(Replan())

        scheduler.start()
        onair.startup()
        scheduler.add_job(watch, "interval", seconds=WATCH_INTERVAL_S, id="watch-database")
        scheduler.add_job(lambda: onair.post(Replan()), "interval", hours=6, id="replan")  # horizon moves on
        if (interval := watchdog_interval_s()) is not None:
            scheduler.add_job(sd_notify, "interval", seconds=interval, args=["WATCHDOG=1"], id="watchdog")
        sd_notify("READY=1")
        log.info("daemon started for %s (%s)", app.settings.station.name, home)
        onair.run()
        sd_notify("STOPPING=1")
        log.info("daemon stopped")
        return 0
    finally:
        scheduler.shutdown(wait=False)
        if guard is not None:
            guard.close()
        watcher.close()
        app.close()
        lock.release()
