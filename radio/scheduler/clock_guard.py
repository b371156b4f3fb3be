"""The PC's clock as the daemon and `radio status` see it, and the gate that holds the
schedule while it is clearly wrong (the rule: `domain/clock.py`).

Facts are read without D-Bus (a broadcast PC may run without systemd-timedated, the daemon
in a container): the kernel's own synchronisation flag through adjtimex(2) — STA_UNSYNC
clear and a maximum error under 16 s, the same test systemd's ``NTPSynchronized`` makes —
and ``timedatectl show -p NTPSynchronized`` only where adjtimex cannot be called; neither
working is "unknown". The system's zone is the TZ variable or /etc/localtime's target.

The on-air loop asks ``ClockGuard.allows(emergency)`` before it airs or logs anything
scheduled; the ticker re-evaluates every 1.5 s and records each jump it sees. Emergencies
air whatever the clock says: an alarm cannot wait for someone to set the clock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from radio.domain.clock import ClockFacts, ClockState, ClockVerdict, judge, trusted_newest
from radio.i18n import N_, _

log = logging.getLogger("radio.daemon")

STA_UNSYNC = 0x0040
TIME_ERROR = 5
MAX_ERROR_US = 16_000_000
ROWS_EVERY_S = 10.0  # the newest as-run instant is read again this often (it changes when we write)
TIMEDATECTL_EVERY_S = 60.0


class _Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("time_sec", ctypes.c_long), ("time_usec", ctypes.c_long), ("tick", ctypes.c_long),
                ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
                ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
                ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("reserved", ctypes.c_int * 11)]  # fmt: skip


def _adjtimex_synchronised() -> bool | None:
    """The kernel's verdict (modes 0: read only, no privilege needed); None if unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        timex = _Timex()
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return state != TIME_ERROR and not timex.status & STA_UNSYNC and timex.maxerror < MAX_ERROR_US


def _timedatectl_synchronised() -> bool | None:
    if shutil.which("timedatectl") is None:
        return None
    try:
        done = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                              text=True, timeout=5)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.strip()
    return {"yes": True, "no": False}.get(value) if done.returncode == 0 else None


def ntp_synchronised() -> bool | None:
    """Whether a time source keeps the clock right: True, False, or None (cannot tell)."""
    found = _adjtimex_synchronised()
    return found if found is not None else _timedatectl_synchronised()


def system_zone() -> tuple[str | None, timedelta]:
    """The system's time zone name (TZ, else /etc/localtime's target) and its UTC offset now."""
    offset = timedelta(seconds=time.localtime().tm_gmtoff)
    name = os.environ.get("TZ", "").lstrip(":") or None
    if name is None:
        try:
            target = str(Path("/etc/localtime").resolve())
            name = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else None
        except OSError:
            name = None
    return name, offset


def gather(app, now: datetime, synchronised: bool | None, newest_row: datetime | None) -> ClockFacts:
    zone = app.settings.zone
    name, offset = system_zone()
    return ClockFacts(now=now, newest_row=newest_row, synchronised=synchronised, station_zone=str(zone),
                      station_offset=now.astimezone(zone).utcoffset() or timedelta(0), system_zone=name,
                      system_offset=offset)  # fmt: skip


def clock_json(verdict: ClockVerdict, zone: str, last_jump: dict | None = None) -> dict:
    """The "clock" object of `radio status --json`."""
    return {"state": str(verdict.state), "synchronised": verdict.synchronised, "timezone": zone, "offset_s": None,
            "held": verdict.held, "reason": verdict.reason, "last_jump": last_jump}  # fmt: skip


def newest_trusted(app) -> datetime | None:
    """The newest as-run instant the clock must not be before (an operator's confirmation
    discounts the rows written before it: domain/clock.trusted_newest)."""
    confirmation = app.clock_confirmations.latest()
    after = confirmation.last_row_id if confirmation else 0
    return trusted_newest(confirmation, app.as_run.newest_moment(after_id=after))


def clock_now(app) -> dict:
    """The clock's state as a process without the daemon sees it (`radio status`, the console)."""
    now = datetime.now(timezone.utc)
    verdict = judge(gather(app, now, ntp_synchronised(), newest_trusted(app)))
    return clock_json(verdict, str(app.settings.zone))


class ClockGuard:
    """The daemon's view of the clock: checked every tick, asked before anything scheduled airs."""

    def __init__(self, app, synchronised=ntp_synchronised) -> None:
        self.app = app
        self._synchronised = synchronised
        self._lock = threading.Lock()
        self._rows_read_at = -1e9
        self._newest_row: datetime | None = None
        self.last_jump: dict | None = None
        self.verdict: ClockVerdict = ClockVerdict(ClockState.OK, None)
        self.check()

    def check(self, now: datetime | None = None, rows: bool = False) -> bool:
        """Judge the clock again (the as-run log re-read every ROWS_EVERY_S, or at once with
        *rows*); log a change of state. True when the schedule's hold began or ended."""
        now = now or datetime.now(timezone.utc)
        with self._lock:
            if rows or time.monotonic() - self._rows_read_at > ROWS_EVERY_S:
                try:
                    self._newest_row = newest_trusted(self.app)
                except Exception as err:  # a busy or full database: judge on what was read before
                    log.error("cannot read the newest as-run row: %s", err)
                self._rows_read_at = time.monotonic()
            before = self.verdict
            self.verdict = verdict = judge(gather(self.app, now, self._synchronised(), self._newest_row))
        if verdict.state is not before.state or (verdict.reasons and verdict.reasons != before.reasons):
            if verdict.held:
                log.error(N_("schedule held: the clock is wrong (%s); only emergencies air until it is set right"),
                          verdict.reason)  # fmt: skip
            elif before.held:
                log.warning(N_("the clock looks right again: the schedule resumes (%s)"), verdict.reason or verdict.state)
            elif verdict.reasons:
                log.warning(N_("the PC's clock: %s"), verdict.reason)
        return verdict.held != before.held

    @property
    def held(self) -> bool:
        return self.verdict.held

    def allows(self, emergency: bool = False) -> bool:
        """Whether a show may air (and be logged) on this clock: emergencies always may."""
        return emergency or not self.verdict.held

    def holds(self, occ) -> bool:
        """Whether *occ* must wait for the clock to be set right (an emergency never does)."""
        from radio.scheduler.planner import show_for

        return self.verdict.held and not show_for(self.app, occ).emergency

    def jumped(self, step_s: float, at: datetime | None = None) -> None:
        at = at or datetime.now(timezone.utc)
        self.last_jump = {"at": at.astimezone(self.app.settings.zone).isoformat(timespec="seconds"),
                          "step_s": round(step_s, 1)}  # fmt: skip

    def held_message(self) -> str:
        return _("schedule held: the clock is wrong ({reason})").format(reason=self.verdict.reason)

    def as_json(self) -> dict:
        return clock_json(self.verdict, str(self.app.settings.zone), self.last_jump)
