"""What is on air: one control thread that starts, cuts, resumes and logs shows.

Commands (due occurrences, player endings, changes seen in the database, signals) arrive
on one queue and are handled one at a time, so the on-air state has a single owner.
The player's events are written to the as-run log as they happen (`asrun_log.py`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from radio.audio.events import PlayerBase
from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item
from radio.domain.playout import EntryKind
from radio.domain.schedule import Catchup, Occurrence, StartKind, catch_up, plan_rejoin, plan_start
from radio.i18n import _
from radio.scheduler.airing import Airing, build_airing
from radio.scheduler.asrun_log import AsRunLogging
from radio.scheduler.clock_guard import ClockGuard
from radio.scheduler.planner import Show, occurrences, show_for
from radio.scheduler.transmitter import Transmitter

log = logging.getLogger("radio.daemon")

LEAD_S = 3.0  # the player is started this long before an instant, to open and fill the output
REJOIN_LEAD_S = 0.7  # a rejoin (restart, device back) is placed this far ahead, on the show's timeline
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)  # waits before reopening a sound device in trouble, then every 8 s
HORIZON = timedelta(hours=36)  # occurrences further ahead get their timer at a later replan
LOOKBACK = timedelta(hours=48)  # missed occurrences this far back are logged at start-up


def _now() -> datetime:
    return datetime.now(timezone.utc)


# commands
@dataclass(frozen=True)
class Due:
    occurrence: Occurrence


@dataclass(frozen=True)
class PlaybackDone:
    airing: Airing


@dataclass(frozen=True)
class Cut:
    airing: Airing
    reason: str


@dataclass(frozen=True)
class Retry:
    airing: Airing


@dataclass(frozen=True)
class DeviceHealth:
    """The sound device as the daemon last saw it (shown by `radio status`)."""

    state: str = "ok"  # ok | retrying | unavailable
    since: datetime | None = None
    reason: str | None = None
    attempts: int = 0
    retry_at: datetime | None = None

    def as_json(self) -> dict:
        return {"state": self.state, "since": self.since.isoformat() if self.since else None,
                "reason": self.reason, "attempts": self.attempts,
                "retry_at": self.retry_at.isoformat() if self.retry_at else None}  # fmt: skip


class Replan:
    pass


class Reload:
    pass


class Stop:
    pass


class OnAir(AsRunLogging):
    def __init__(self, app, player: PlayerBase, scheduler=None, reload_settings=None, clock=None) -> None:
        self.app = app
        self.player = player
        self.scheduler = scheduler  # APScheduler: one timer per coming occurrence
        self.reload_settings = reload_settings
        self.commands: queue.Queue = queue.Queue()
        self.current: Airing | None = None
        self.suspended: list[Airing] = []  # interrupted by emergencies, resumed after them (last first)
        self.pending: list[Show] = []  # soft starts waiting for the current item to end
        self.attempted: set = set()  # occurrence keys this process has dealt with
        self.handled: set = set()  # occurrence keys whose Due was handled (never aired twice)
        schedule = lambda: (self.app.settings.schedule.on_air, self.app.settings.schedule.off_air)  # noqa: E731
        self.transmitter = Transmitter(schedule)  # read when used: SIGHUP may change the commands
        self.stopping = False
        self.device = DeviceHealth()
        self.planned_at: datetime | None = None  # the instant of the last replan
        self.clock = clock or ClockGuard(app)  # holds the schedule on a clearly wrong clock (fault 7)
        self.startup_held = False  # start-up's catch-up waits for the clock to be right

    # ---- the loop
    def post(self, command) -> None:
        self.commands.put(command)

    def run(self) -> None:
        while True:
            command = self.commands.get()
            try:
                if isinstance(command, Stop):
                    self._stop()
                    return
                self._handle(command)
            except Exception:  # one bad command must not take the station off air
                log.exception("error while handling %r", command)

    def _handle(self, command) -> None:
        if isinstance(command, Due):
            self._due(command.occurrence)
        elif isinstance(command, PlaybackDone):
            self._done(command.airing)
        elif isinstance(command, Cut):
            if command.airing is self.current and command.airing.playback is not None:
                command.airing.cut_reason = command.reason
                command.airing.playback.interrupt(reason=command.reason)
        elif isinstance(command, Retry):
            self._retry(command.airing)
        elif isinstance(command, Replan):
            self.replan()
        elif isinstance(command, Reload):
            if self.reload_settings:
                self.reload_settings()
            self.replan()

    # ---- planning
    def startup(self, now: datetime | None = None) -> None:
        """After a start (or a crash): close rows left playing, log what was missed, and catch
        up or rejoin what should be on air now."""
        now = now or _now()
        self.app.as_run.close_orphans(_("the daemon stopped while this was on air"))
        if self.clock.held:  # nothing logged missed, caught up or rejoined on a wrong clock
            self.startup_held = True
            self.replan(now)
            return
        was_held, self.startup_held = self.startup_held, False
        window = self.app.settings.schedule.catch_up_minutes * 60
        for occ in occurrences(self.app, now - LOOKBACK, now):
            rows = self.app.as_run.for_occurrence(occ.start, occ.slot_id)
            self.attempted.add(occ.key)
            show = show_for(self.app, occ)
            if rows:  # it was on air (or being rejoined): what is left of it, on its timeline
                self._rejoin(show, rows, now)
                continue
            if catch_up(occ.start, now, window) is Catchup.MISSED and not show.emergency:
                why = _("the schedule was held: the clock was wrong at {time}") if was_held else _(
                    "the daemon was not running at {time}")
                self._log_missed(show, why.format(time=occ.start.astimezone(self.app.settings.zone).strftime("%H:%M")))
            else:
                self.post(Due(occ))
        self.replan(now)

    def replan(self, now: datetime | None = None) -> None:
        """Timers for every coming occurrence, derived afresh from the database.

        An occurrence whose time passed beyond the catch-up window without ever being due
        (the wall clock jumped over it, the PC was suspended) is logged missed, not
        silently dropped; one passed again (the clock set back) is not aired twice.
        """
        now = now or _now()
        if self.startup_held and not self.clock.held:  # the clock was set right: start up now
            self.startup(now)
            return
        lead = timedelta(seconds=max(LEAD_S, self.app.settings.schedule.preroll_s + 1))
        window = timedelta(minutes=self.app.settings.schedule.catch_up_minutes)
        since = min(self.planned_at, now) - window if self.planned_at else now - window
        self.planned_at = now
        if self.scheduler is not None:
            for job in self.scheduler.get_jobs():
                if job.id.startswith("due:"):
                    job.remove()
        for occ in occurrences(self.app, since, now + HORIZON):
            if occ.key in self.attempted or (self.clock.held and not show_for(self.app, occ).emergency):
                continue  # held: neither aired nor logged missed until the clock is right
            fire = occ.start - max(lead, self._relay_lead(occ))
            if occ.start < now - window:
                self.attempted.add(occ.key)
                if not self.app.as_run.for_occurrence(occ.start, occ.slot_id):
                    self._log_missed(show_for(self.app, occ), _("its time passed while the clock jumped"))
            elif fire <= now:
                self.post(Due(occ))
                self.attempted.add(occ.key)
            elif self.scheduler is not None:
                self.scheduler.add_job(
                    self.post, "date", run_date=fire, args=[Due(occ)],
                    id=f"due:{occ.slot_id}:{occ.start.isoformat()}", misfire_grace_time=int(window.total_seconds()),
                )  # fmt: skip

    def _relay_lead(self, occ: Occurrence) -> timedelta:
        """A relay session starts earlier: its source connects and fills its buffer before
        the instant, or is known dead (no data for no_data_s) so the fallback is ready."""
        source = self.app.sources.find(occ.relay) if occ.relay else None
        if source is None:
            return timedelta(0)
        return timedelta(seconds=max(source.no_data_s, source.buffer_s) + 2.0)

    # ---- airing
    def _due(self, occ: Occurrence) -> None:
        if occ.key in self.handled:
            return  # its timer fired while a replan posted it again: it airs once
        if self.clock.held and not show_for(self.app, occ).emergency:
            log.warning("%s: %s at %s not aired", self.clock.held_message(), occ.slot_name or "one-off",
                        occ.start.isoformat())  # fmt: skip
            return
        self.handled.add(occ.key)
        self.attempted.add(occ.key)
        show = show_for(self.app, occ)
        self._log_skipped(show.skipped, occ)
        if not show.items and not occ.relay:
            log.info("nothing to air in %s at %s", occ.slot_name or "one-off", occ.start.isoformat())
            return
        current = self.current
        if show.emergency:
            if current is not None:
                # The alarm starts at once; what was on air fades out under it (a shared
                # device mixes both; an exclusive one opens when the fade is over).
                current.cut_reason = _("interrupted by an emergency broadcast")
                if current.playback is not None:
                    current.playback.interrupt(fade_s=self.app.settings.playout.emergency_fade_s,
                                               reason=current.cut_reason)  # fmt: skip
                self.suspended.append(current)
                self.current = None
            self._air(show, at=None)
            return
        reason = _("cut by the session '{slot}'").format(slot=occ.slot_name or _("one-off broadcast"))
        if current is not None and current.waiting:  # off air, its device being reopened: give way
            current.cut_reason = reason
            self._log_unreached(current, AsRunStatus.SKIPPED, reason)
            self.current = current = None
        if current is None:
            self._air(show, at=occ.start)
            return
        plan = plan_start(occ.start_rule, occ.start, current.busy_until())
        if occ.start_rule.kind is StartKind.HARD:
            # the fade ends as the new show begins
            fade = self.player.fade_s
            delay = (occ.start - _now()).total_seconds() - fade - 0.5
            if delay > 0:
                time.sleep(delay)
            current.cut_reason = reason
            current.playback.interrupt(reason=reason)
            current.playback.wait(10)
            self.current = None
            self._air(show, at=occ.start if occ.start > _now() + timedelta(seconds=0.3) else None)
            return
        # soft or wait:N: after the item on air ends; for wait:N, cut at the limit
        current.cut_reason = reason
        current.playback.stop_after_current(reason)
        self.pending.append(show)
        if occ.start_rule.kind is StartKind.WAIT and plan.cut:
            delay = max(0.0, (plan.at - _now()).total_seconds())
            timer = threading.Timer(delay, self.post, args=[Cut(current, reason)])
            timer.daemon = True
            timer.start()

    def _rundown(self, show: Show, items: list[Item], offset_s: float = 0.0, opening: bool = True) -> Airing:
        return build_airing(self.app, show, items, offset_s, opening)

    def _air(self, show: Show, at: datetime | None, airing: Airing | None = None, join_late: bool = False) -> None:
        airing = airing or self._rundown(show, show.items)
        self.transmitter.on()
        self.current = airing
        airing.waiting = False
        if not airing.timeline_fixed:
            airing.timeline_start = at or _now()
        airing.playback = self.player.start(airing.rundown, at=at, on_event=lambda e: self._on_event(airing, e),
                                            join_late=join_late)  # fmt: skip
        watcher = threading.Thread(target=self._watch, args=[airing], daemon=True, name="radio-watch")
        watcher.start()
        log.info("on air: %s at %s, %d items", show.occurrence.slot_name or "one-off",
                 (at or _now()).isoformat(), len(airing.items))  # fmt: skip

    def _sounding(self) -> None:
        """Audio reached the output: the sound device is fine (again)."""
        if self.device.state != "ok":
            log.info("the sound device plays again (after %d attempts)", self.device.attempts)
            self.device = DeviceHealth()

    def _watch(self, airing: Airing) -> None:
        try:
            airing.playback.wait()
        except Exception as err:  # the device could not be opened at all
            log.error("playback failed: %s", err)
            airing.error = str(err)
        self.post(PlaybackDone(airing))

    def _done(self, airing: Airing) -> None:
        """A playback has ended: log what it never reached, then air what comes next."""
        if any(airing is s for s in self.suspended):
            return  # resumed after the emergency
        result = airing.playback.result if airing.playback is not None else None
        if airing.cut_reason:
            self._log_unreached(airing, AsRunStatus.SKIPPED, airing.cut_reason)
        elif airing.error or (result is not None and result.device_lost):
            trouble = airing.error or result.stopped
            if airing is self.current and not self.stopping:
                self._device_trouble(airing, trouble)
                return
            self._log_unreached(airing, AsRunStatus.FAILED, trouble)
        if airing is not self.current:
            return
        self.current = None
        if self.pending:
            self._air(self.pending.pop(0), at=None)
            return
        self._after_show()

    def _after_show(self) -> None:
        """Nothing on air: resume a show an emergency interrupted, else switch off."""
        while self.suspended:
            suspended = self.suspended.pop()
            rest = suspended.remaining_items()
            if rest or suspended.relay_left(_now()):
                log.info("resuming %s after the emergency", suspended.occurrence.slot_name or "one-off")
                resumed = self._rundown(suspended.show, rest, opening=False)
                resumed.continued = True
                self._air(suspended.show, None, resumed)
                return
        if not self.stopping:
            self._power_off_unless_soon()

    def _rejoin(self, show: Show, rows, now: datetime) -> None:
        """Pick up an occurrence that was on air when the daemon stopped, at the right offset."""
        airing = self._rundown(show, show.items)
        aired_items = [r.item_id for r in rows]
        aired = set()
        for index in sorted(airing.items):  # match rows to rundown positions in order
            if airing.items[index].id in aired_items:
                aired_items.remove(airing.items[index].id)
                aired.add(index)
        if all(index in aired for index in airing.items) and not airing.relay_left(now):
            return  # every item has its row (aired, cut, skipped or missed) and no relay time is left
        first_item = min(airing.items, default=0)
        aired |= set(range(first_item))  # an opening jingle that aired
        airing.timeline_start = min((r.started_at for r in rows if r.started_at), default=show.occurrence.start)
        self.attempted.add(show.occurrence.key)
        self._continue(airing, aired, now, _("the daemon was not running"))

    # ---- device trouble: reopen with backoff, rejoin the show on its timeline
    def _device_trouble(self, airing: Airing, reason: str) -> None:
        """The sound device failed under *airing* (lost, stalled, or would not open): it stays
        the show on air, off air for now, and the device is reopened after a backoff."""
        delay = BACKOFF_S[min(airing.attempt, len(BACKOFF_S) - 1)]
        now = _now()
        since = self.device.since if self.device.state != "ok" else now
        self.device = DeviceHealth("retrying", since, reason, airing.attempt + 1, now + timedelta(seconds=delay))
        airing.waiting = True
        log.warning("sound device trouble: %s; reopening in %.1f s (attempt %d)", reason, delay, airing.attempt + 1)
        timer = threading.Timer(delay, self.post, args=[Retry(airing)])
        timer.daemon = True
        timer.start()

    def _retry(self, airing: Airing) -> None:
        if airing is not self.current or not airing.waiting or self.stopping:
            return  # another show took the air meanwhile, or we are stopping
        now = _now()
        if airing.show.emergency and not airing.accounted():
            airing.timeline_start = now  # an alarm that never sounded starts from its beginning
        aired = airing.accounted()
        reason = _("the sound device was unavailable: {reason}").format(reason=self.device.reason or "")
        self._continue(airing, aired, now, reason, attempt=airing.attempt + 1)

    def _continue(self, airing: Airing, aired: set[int], now: datetime, missed_reason: str, attempt: int = 0) -> None:
        """Air the rest of *airing* from where its timeline is a moment from now: the entry
        that should be on air then, at the right offset. Entries whose whole time passed
        unaired are logged missed. With nothing left, the show is over."""
        at = now + timedelta(seconds=REJOIN_LEAD_S)
        plan = plan_rejoin(airing.durations(), airing.timeline_start or now, at, aired)
        for index in plan.missed:
            if index in airing.items:
                self._log_one(airing, index, AsRunStatus.MISSED, missed_reason)
        rest_indexes = [i for i in sorted(airing.items) if plan.index is not None and i >= plan.index]
        if not rest_indexes and airing.relay_left(at):  # the relay joins live, for the time left
            log.info("rejoining the relay of %s", airing.occurrence.slot_name)
            rejoined = self._rundown(airing.show, [], opening=False)
            rejoined.timeline_start, rejoined.attempt, rejoined.continued = at, attempt, True
            self._air(airing.show, at=at, airing=rejoined)
            return
        if not rest_indexes:
            if airing is self.current:
                self.current = None
                if self.device.state == "retrying":
                    self.device = DeviceHealth("unavailable", self.device.since, self.device.reason, self.device.attempts)
                self._after_show()
            return
        first = rest_indexes[0]
        into = plan.offset_s if plan.index == first else 0.0
        offset = airing.rundown[first].offset_s + into
        start = airing.timeline_start + timedelta(seconds=sum(airing.durations()[:first]) + into)
        log.info("rejoining %s at item %d, %.1f s in", airing.occurrence.slot_name or "one-off", first, offset)
        rejoined = self._rundown(airing.show, [airing.items[i] for i in rest_indexes], offset_s=offset, opening=False)
        # as-run rows keep the planned instants of the original timeline
        first_new = next(i for i, e in enumerate(rejoined.rundown) if e.kind is EntryKind.ITEM)
        shift = airing.planned[first] - rejoined.planned[first_new]
        rejoined.planned = {i: t + shift for i, t in rejoined.planned.items()}
        rejoined.timeline_start, rejoined.attempt, rejoined.continued = start, attempt, True
        if first in aired:  # the item joined already has its row (cut, or aired before a restart)
            rejoined.logged.add(first_new)
        self._air(airing.show, at=max(start, at), airing=rejoined, join_late=True)

    # ---- transmitter power and stopping
    def _power_off_unless_soon(self) -> None:
        """After a show: switch the transmitter off, unless another show starts so soon that
        it would have to be switched on again at once."""
        now = _now()
        soon = timedelta(seconds=2 * self.app.settings.schedule.preroll_s + LEAD_S)
        if not occurrences(self.app, now, now + soon):
            self.transmitter.off()

    def _stop(self) -> None:
        """SIGTERM: fade out what is on air, log it interrupted, power off."""
        self.stopping = True
        if self.current is not None and self.current.playback is not None:
            self.current.playback.interrupt(reason=_("the daemon was stopped"))
            self.current.playback.wait(10)
        self.player.close()
        self.transmitter.off(wait=True)
