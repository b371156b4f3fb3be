"""`radio daemon`: the process around the on-air loop — lock, timers, signals, systemd.

Start-up order: lock the home (one daemon per station) → open the station (database
migrated) → the player → the on-air loop (rows left playing closed, catch-up/rejoin) →
timers → watchers. Stopping runs in reverse.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING, Any

from radio.audio.station import station_player
from radio.config import load_settings
from radio.errors import RadioError
from radio.home import StationHome
from radio.i18n import N_, _, speaking
from radio.scheduler.control import ControlServer
from radio.scheduler.notify import sd_notify, watchdog_interval_s
from radio.scheduler.station_lock import StationLock

if TYPE_CHECKING:
    from radio.scheduler.onair import OnAir

log = logging.getLogger("radio.daemon")
WATCH_INTERVAL_S = 1.5  # how often the database is checked for changes (the CLI also nudges)


def setup_logging(zone=None) -> None:
    """One line per event on stderr: for the journal under systemd (it adds the time), else
    for a person, in the station's time (*zone*) and language (radio/scheduler/console_log.py)."""
    from radio.scheduler.console_log import ConsoleFormatter, JournalFormatter

    handler = logging.StreamHandler(sys.stderr)
    under_systemd = "INVOCATION_ID" in os.environ or "JOURNAL_STREAM" in os.environ
    handler.setFormatter(JournalFormatter() if under_systemd else ConsoleFormatter(zone))
    root = logging.getLogger("radio")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


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


class Ticker(threading.Thread):
    """The daemon's heartbeat on the monotonic clock, which never jumps: every 1.5 s it
    checks the database for changes and the wall clock for steps (NTP, a hand-set clock,
    a PC resuming), pings systemd's watchdog, and moves the timers' horizon on.

    APScheduler's interval jobs wait on the wall clock: after the clock is set back an hour
    they would stay silent for that hour (and systemd's watchdog would kill the daemon).
    Only the occurrence timers are left to APScheduler, and they are rebuilt on every step.
    """

    STEP_S = 2.0  # the wall clock moved this much more (or less) than the monotonic one
    REPLAN_S = 6 * 3600.0

    def __init__(self, onair: OnAir, watcher: DataVersionWatcher, watchdog_s: float | None) -> None:
        super().__init__(name="radio-ticker", daemon=True)
        self.onair = onair
        self.watcher = watcher
        self.watchdog_s = watchdog_s
        self.stopped = threading.Event()

    def run(self) -> None:
        wall, mono = time.time(), time.monotonic()
        last_replan = last_ping = mono
        while not self.stopped.wait(WATCH_INTERVAL_S):
            now_wall, now_mono = time.time(), time.monotonic()
            step = (now_wall - wall) - (now_mono - mono)
            wall, mono = now_wall, now_mono
            replan = False
            if abs(step) > self.STEP_S:
                log.warning("the wall clock jumped %+.1f s: rebuilding the timers", step)
                self.onair.clock.jumped(step)
                replan = True
            replan |= self.onair.clock.check()  # the hold began or ended (a Replan re-reads the rows itself)
            try:
                replan |= self.watcher.changed()
            except sqlite3.Error as err:
                log.error("cannot check the database for changes: %s", err)
            if now_mono - last_replan > self.REPLAN_S:
                replan, last_replan = True, now_mono
            if replan:
                from radio.scheduler.commands import Replan

                self.onair.post(Replan())
            if self.watchdog_s is not None and now_mono - last_ping >= self.watchdog_s:
                sd_notify("WATCHDOG=1")
                last_ping = now_mono

    def stop(self) -> None:
        self.stopped.set()


def start_streams(settings):
    """The stream hub for the station's [[stream]] outputs (None when it has none)."""
    if not settings.streams:
        return None
    from radio.config import exposed_password
    from radio.streams.process import HubProcess

    if exposed_password(settings):
        log.warning("%s holds a stream password and every user of this PC may read it (chmod 600 or 640)",
                    settings.config_path)  # fmt: skip
    return HubProcess(settings)


def run_daemon(home: Path, open_station: Callable[[Path], Any], device: str | None = None,
               companions: Callable[[Any, Callable[[], dict]], Any] | None = None) -> int:
    """Run the station's daemon until it is stopped; its exit status.

    *open_station(home)* opens the station (``radio.app.open_app``): the composition root
    is above the scheduler and hands it down. It is called only after the audio engine has
    started, so that its imports (the database layer) overlap the engine's start-up.
    *companions(app, status)*, if given, starts what runs beside playout (the link to a hub,
    network/sync_loop.py) and returns something with stop(), or None.
    """
    setup_logging()
    lock = StationLock(home)
    if not StationHome(home).is_initialized():
        raise RadioError(_("no station at {home} (run 'radio init' first, or give --home)").format(home=home))
    lock.acquire()
    # The audio engine starts first: its imports (numpy, PortAudio) run on the other core
    # while this process imports the database layer, so that a show due at start-up (a
    # restart in the middle of one) is back on air as soon as possible.
    settings = load_settings(home)
    setup_logging(settings.zone)
    hub = start_streams(settings)
    player = station_player(settings, device=device, warm=True, tee=hub.feed if hub else None)
    from apscheduler.schedulers.background import BackgroundScheduler

    from radio.scheduler import safeguards
    from radio.scheduler.service import send_emergency, station_status
    from radio.scheduler.commands import Reload, Replan, Stop
    from radio.scheduler.onair import OnAir

    try:
        safeguards.release_if_full(home, settings.schedule.reserve_mb)
        app = open_station(home)
    except BaseException:
        player.close()
        if hub is not None:
            hub.close()
        lock.release()
        raise
    scheduler = BackgroundScheduler(timezone=app.settings.zone)
    watcher = DataVersionWatcher(app.settings.database_path)
    guard = None
    try:
        guard = safeguards.install(app, scheduler)  # disk-space reserve, as-run retries, daily backup

        def reload_settings() -> None:
            nonlocal hub
            old_streams = app.settings.streams
            app.settings = load_settings(home)
            if app.settings.streams != old_streams:  # the streams change: a new hub
                if hub is not None:
                    hub.close()
                hub = start_streams(app.settings)
            onair.player.close()
            onair.player = station_player(app.settings, device=device, warm=True, tee=hub.feed if hub else None)
            log.info(N_("re-read %s"), app.settings.config_path)

        onair = OnAir(app, player, scheduler, reload_settings)
        signal.signal(signal.SIGTERM, lambda *_: onair.post(Stop()))
        signal.signal(signal.SIGINT, lambda *_: onair.post(Stop()))
        signal.signal(signal.SIGHUP, lambda *_: onair.post(Reload()))
        signal.signal(signal.SIGUSR1, lambda *_: onair.post(Replan()))

        def emergency(request: dict) -> list[int]:
            items = send_emergency(app, [int(i) for i in request["ids"]])  # its nudge: a Replan
            return [item.id for item in items]

        def status(_request: dict) -> dict:
            return station_status(app, onair.device.as_json(), hub.status() if hub else None, onair.problems.as_json(),
                                  onair.clock.as_json())  # fmt: skip

        handlers = {"emergency": emergency, "status": status, "live": onair.live.ask}  # live: scheduler/live.py
        control = ControlServer(home, handlers, (RadioError,), speaking)
        scheduler.start()
        onair.startup()
        try:
            control.start()
        except OSError as err:  # the CLI then works through the database, only slower
            log.error("cannot open the control socket in %s: %s", home, err)
        ticker = Ticker(onair, watcher, watchdog_interval_s())
        ticker.start()
        if companions is not None:
            try:
                companion = companions(app, lambda: status({}))
            except Exception:  # the link to a hub never keeps the station off the air
                log.exception("cannot start the link to the hub")
        sd_notify("READY=1")
        log.info(N_("daemon started for %s (%s)"), app.settings.station.name, home)
        onair.run()
        sd_notify("STOPPING=1")
        log.info(N_("daemon stopped"))
        return 0
    finally:
        if "ticker" in locals():
            ticker.stop()
        if locals().get("companion") is not None:
            companion.stop()
        if "control" in locals():
            control.stop()
        scheduler.shutdown(wait=False)
        if guard is not None:
            guard.close()
        watcher.close()
        if hub is not None:
            hub.close()
        app.close()
        lock.release()
