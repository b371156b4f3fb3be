"""The timetable: one timer for every coming occurrence, derived afresh from the database.

A timer fires a little before its instant (the output must open, a relay's source fill
its buffer) and posts *Due* to the on-air loop. An occurrence is due once per process,
whatever the clock does; one whose time passed beyond the catch-up window without ever
being due (the clock jumped, the PC was suspended, the daemon was not running) is logged
missed, not silently dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from radio.domain.asrun import AsRunStatus
from radio.domain.schedule import PLAYER_LEAD_S, Catchup, Occurrence, catch_up, preparation_lead_s
from radio.i18n import _
from radio.scheduler.commands import Due
from radio.scheduler.planner import occurrences, show_for

LEAD_S = PLAYER_LEAD_S
HORIZON = timedelta(hours=36)  # occurrences further ahead get their timer at a later replan
LOOKBACK = timedelta(hours=48)  # missed occurrences this far back are logged at start-up


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Timetable:
    """*post* sends a command to the on-air loop; *listeners* hear about missed shows."""

    def __init__(self, app, scheduler, post, listeners) -> None:
        self.app = app
        self.scheduler = scheduler  # APScheduler: one date job per coming occurrence
        self.post = post
        self.listeners = listeners
        self.attempted: set = set()  # occurrence keys this process has dealt with
        self.handled: set = set()  # occurrence keys whose Due was handled (never aired twice)
        self.planned_at: datetime | None = None  # the instant of the last replan
        self.empty: set = set()  # occurrence keys that came due with nothing in them
        self.holds = lambda occ: False  # the clock guard's: a held occurrence is left for later
        self.missed_reason = _("the daemon was not running at {time}")  # at start-up

    def first_due(self, occ: Occurrence) -> bool:
        """Whether this Due is the occurrence's first (a replan may post it again)."""
        if occ.key in self.handled:
            return False
        self.handled.add(occ.key)
        self.attempted.add(occ.key)
        return True

    def nothing_to_air(self, occ: Occurrence) -> bool:
        """*occ* came due with nothing in it: it is left open, so that items queued into it
        after its timer fired (an operator queueing at the last second) still air, late,
        at the next replan; True the first time (it is logged once)."""
        self.handled.discard(occ.key)
        self.attempted.discard(occ.key)
        first = occ.key not in self.empty
        self.empty.add(occ.key)
        return first

    def startup(self, now: datetime) -> list:
        """After a start (or a crash): the occurrences of the last 48 h with rows (on air, or
        being rejoined, when the daemon stopped) are returned as (show, rows) to rejoin; those
        without rows are aired late within the catch-up window, logged missed beyond it."""
        window = self.app.settings.schedule.catch_up_minutes * 60
        rejoin = []
        for occ in occurrences(self.app, now - LOOKBACK, now):
            if occ.key in self.attempted:
                continue  # this process dealt with it (an alarm aired while start-up waited for the clock)
            rows = self.app.as_run.for_occurrence(occ.start, occ.slot_id)
            self.attempted.add(occ.key)
            show = show_for(self.app, occ)
            if rows:
                rejoin.append((show, rows))
            elif catch_up(occ.start, now, window) is Catchup.MISSED and not show.emergency:
                self._missed(show, self.missed_reason.format(
                    time=occ.start.astimezone(self.app.settings.zone).strftime("%H:%M")))  # fmt: skip
            else:
                self.post(Due(occ))
        return rejoin

    def replan(self, now: datetime | None = None) -> None:
        """Timers for every coming occurrence; what the clock jumped over is logged missed;
        what it passes again (set back) is not aired twice."""
        now = now or _now()
        lead = timedelta(seconds=preparation_lead_s(self.app.settings.schedule.preroll_s))
        window = timedelta(minutes=self.app.settings.schedule.catch_up_minutes)
        since = min(self.planned_at, now) - window if self.planned_at else now - window
        self.planned_at = now
        if self.scheduler is not None:
            for job in self.scheduler.get_jobs():
                if job.id.startswith("due:"):
                    job.remove()
        for occ in occurrences(self.app, since, now + HORIZON):
            if occ.key in self.attempted or self.holds(occ):
                continue
            fire = occ.start - max(lead, self.relay_lead(occ))
            if occ.start < now - window:
                self.attempted.add(occ.key)
                if not self.app.as_run.for_occurrence(occ.start, occ.slot_id):
                    self._missed(show_for(self.app, occ), _("its time passed while the clock jumped"))
            elif fire <= now:
                self.post(Due(occ))
                self.attempted.add(occ.key)
            elif self.scheduler is not None:
                self.scheduler.add_job(
                    self.post, "date", run_date=fire, args=[Due(occ)],
                    id=f"due:{occ.slot_id}:{occ.start.isoformat()}", misfire_grace_time=int(window.total_seconds()),
                )  # fmt: skip

    def relay_lead(self, occ: Occurrence) -> timedelta:
        """A relay session starts earlier: its source connects and fills its buffer before
        the instant, or is known dead (no data for no_data_s) so the fallback is ready."""
        source = self.app.sources.find(occ.relay) if occ.relay else None
        if source is None:
            return timedelta(0)
        return timedelta(seconds=preparation_lead_s(0.0, source.buffer_s, source.no_data_s))

    def starts_within(self, now: datetime, span: timedelta) -> bool:
        return bool(occurrences(self.app, now, now + span))

    def _missed(self, show, reason: str) -> None:
        occ = show.occurrence
        self.listeners.show_not_aired(occ, show.items, AsRunStatus.MISSED, reason)
        for item, why in show.skipped:
            self.listeners.show_not_aired(occ, [item], AsRunStatus.SKIPPED, why)
