"""What is on air: one control thread that starts, cuts, resumes and rejoins shows.

Commands (`commands.py`: due occurrences, playback endings, retries, replans, reload,
stop) arrive on one queue and are handled one at a time, so the on-air state has a single
owner. It is composed of narrow parts, each owning its state:

- the timetable (`timetable.py`): timers, replans, what is due, what was missed;
- device recovery (`device.py`): the sound device's health and the retry backoff;
- the show on air (`airing.py`): an `Airing` with explicit states (on air, cut, suspended
  by an emergency, waiting for the device, over) and what became of each entry;
- listeners (`listener.py`) of named events: the as-run writer (`asrun_writer.py`) and the
  station's problem list (`problems.py`) — they record, the loop decides.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import datetime, timedelta, timezone

from radio.audio.events import Event, PlayerBase, Started
from radio.domain.asrun import AsRunStatus
from radio.domain.schedule import Occurrence, StartKind, plan_start
from radio.i18n import N_, _
from radio.scheduler.airing import Airing, AiringState, build_airing
from radio.scheduler.asrun_writer import AsRunWriter
from radio.scheduler.clock_guard import ClockGuard
from radio.scheduler.commands import Cut, Due, LiveCommand, PlaybackDone, Reload, Replan, Retry, Stop
from radio.scheduler.device import DeviceRecovery
from radio.scheduler.handover import alarm_ends_at, connect_ahead
from radio.scheduler.listener import Listeners
from radio.scheduler.live import LiveDesk
from radio.scheduler.planner import Show, show_for
from radio.scheduler.problems import Problems
from radio.scheduler.rejoin import aired_rows, continuation
from radio.scheduler.rundown import jingle_problems
from radio.scheduler.timetable import LEAD_S, Timetable
from radio.scheduler.transmitter import Transmitter

__all__ = ["OnAir", "Due", "Replan", "Reload", "Stop"]
log = logging.getLogger("radio.daemon")

CUT_OPEN_S = 1.2  # a hard cut's new show opens its output this long before its instant


def _now() -> datetime:
    return datetime.now(timezone.utc)


class OnAir:
    def __init__(self, app, player: PlayerBase, scheduler=None, reload_settings=None, clock=None) -> None:
        self.app = app
        self.player = player
        self.reload_settings = reload_settings
        self.commands: queue.Queue = queue.Queue()
        self.problems = Problems()
        self.listeners = Listeners(AsRunWriter(app), self.problems)
        self.timetable = Timetable(app, scheduler, self.post, self.listeners)
        self.clock = clock or ClockGuard(app)  # holds the schedule on a clearly wrong clock (fault 7)
        self.timetable.holds = self.clock.holds  # held occurrences get no timer and no missed row
        self.startup_held = False  # start-up's catch-up and rejoin wait for the clock to be right
        self.recovery = DeviceRecovery(lambda airing: self.post(Retry(airing)), self.listeners.device_changed)
        schedule = lambda: (self.app.settings.schedule.on_air, self.app.settings.schedule.off_air)  # noqa: E731
        self.transmitter = Transmitter(schedule)  # read when used: SIGHUP may change the commands
        self.current: Airing | None = None
        self.suspended: list[Airing] = []  # interrupted by emergencies, resumed after them (last first)
        self.pending: list[Show] = []  # soft starts waiting for the current item to end
        self.stopping = False
        self.live = LiveDesk(self)  # live on air: above the schedule, below emergencies (live.py)
        self.listeners.add(self.live)

    @property
    def device(self):
        return self.recovery.health

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
            self._done(command.airing, command.resume_at)
        elif isinstance(command, Cut):
            airing = command.airing
            if airing is self.current and airing.playback is not None:
                self._cut(airing, command.reason)
                airing.playback.interrupt(reason=command.reason)
        elif isinstance(command, LiveCommand):
            self.live.handle(command)
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
        """After a start (or a crash): close rows left playing, log what was missed, catch up
        what is still within its window, and rejoin what was on air at its offset — the rest
        of an item the crash cut included, whichever item of the show it was."""
        now = now or _now()
        self.live.recover_recordings()  # a crash during live: its recording is still filed
        for problem in jingle_problems(self.app.settings):
            self.listeners.problem(problem)
        crashed = {row.id for row in self.app.as_run.close_orphans(_("the daemon stopped while this was on air"))}
        if self.clock.held:  # nothing logged missed, caught up or rejoined on a wrong clock
            self.startup_held, self.crashed = True, crashed
            self.replan(now)
            return
        if self.startup_held:  # the clock was set right: what fell due meanwhile was held
            self.startup_held, crashed = False, crashed | self.crashed
            self.timetable.missed_reason = _("the schedule was held: the clock was wrong at {time}")
        for show, rows in self.timetable.startup(now):
            self._rejoin(show, rows, now, crashed)
        self.replan(now)

    def replan(self, now: datetime | None = None) -> None:
        if self.startup_held and not self.clock.held:  # the clock was set right: start up now
            self.startup(now)
            return
        self.timetable.replan(now)

    # ---- airing
    def _due(self, occ: Occurrence) -> None:
        if self.clock.holds(occ):  # the clock is wrong: it neither airs nor counts as handled
            log.warning("%s: %s at %s not aired", self.clock.held_message(), occ.slot_name or "one-off",
                        occ.start.isoformat())  # fmt: skip
            return
        if not self.timetable.first_due(occ):
            return  # its timer fired while a replan posted it again: it airs once
        show = show_for(self.app, occ)
        for item, reason in show.skipped:
            self.listeners.show_not_aired(occ, [item], AsRunStatus.SKIPPED, reason)
        if not show.items and not occ.relay:
            if show.skipped or self.timetable.nothing_to_air(occ):  # (skipped rows: written once)
                log.info(N_("nothing to air in %s at %s"), occ.slot_name or _("one-off broadcast"), occ.start)
            return
        current = self.current
        if show.emergency:
            if current is not None:
                # The alarm starts at once; what was on air fades out under it (a shared
                # device mixes both; an exclusive one opens when the fade is over).
                self._suspend(current)
            self._air(show, at=None)
            return
        if self.live.defers(show):  # live on air: the show waits under it
            return
        reason = _("cut by the session '{slot}'").format(slot=occ.slot_name or _("one-off broadcast"))
        if current is not None and current.state is AiringState.WAITING:  # off air, device being reopened
            current.move(AiringState.CUT, reason)
            self._not_aired(current, AsRunStatus.SKIPPED, reason)
            current.move(AiringState.OVER)
            self.current = current = None
        if current is None:
            self._air(show, at=occ.start)
            return
        connect_ahead(self.app, self.player, show)  # a relay's source, at its lead (handover.py)
        plan = plan_start(occ.start_rule, occ.start, current.busy_until())
        if occ.start_rule.kind is StartKind.HARD:
            self._hard_cut(current, show, reason)
            return
        # soft or wait:N: after the item on air ends; for wait:N, cut at the limit
        self._cut(current, reason)
        current.playback.stop_after_current(reason)
        self.pending.append(show)
        if occ.start_rule.kind is StartKind.WAIT and plan.cut:
            delay = max(0.0, (plan.at - _now()).total_seconds())
            timer = threading.Timer(delay, self.post, args=[Cut(current, reason)])
            timer.daemon = True
            timer.start()

    def _suspend(self, current: Airing, reason: str | None = None, fade_s: float | None = None) -> None:
        """An emergency (or live): what is on air fades out under it and resumes after it (a
        show waiting for its device too); a show already cut by another just ends."""
        reason = reason or _("interrupted by an emergency broadcast")
        fade_s = self.app.settings.playout.emergency_fade_s if fade_s is None else fade_s
        if current.state is AiringState.CUT:
            current.reason = reason
        else:
            current.move(AiringState.SUSPENDED, reason)
            self.suspended.append(current)
        if current.playback is not None:  # a relay's input stays connected for the resume
            current.playback.interrupt(fade_s=fade_s, reason=reason,
                                       keep_input=current.state is AiringState.SUSPENDED)  # fmt: skip
        self.current = None

    @staticmethod
    def _cut(airing: Airing, reason: str) -> None:
        """Another show takes the air from *airing* (now, or at the end of its item)."""
        if airing.state is AiringState.CUT:
            airing.reason = reason
        else:
            airing.move(AiringState.CUT, reason)

    def _hard_cut(self, current: Airing, show: Show, reason: str) -> None:
        """A hard start: the new show goes on air a moment ahead, its first sample on the instant,
        and the old one fades out to end then (waiting for its stream to close first left 0.2
        to 0.4 s of silence). A shared device mixes the fade with the new stream's silence; an
        exclusive one opens the new stream as the old closes (sd_output.py). Whatever the old
        playback does (its device failing included) the new show starts."""
        start = show.occurrence.start
        opening = (start - _now()).total_seconds() - CUT_OPEN_S
        if opening > 0:
            time.sleep(opening)
        self._cut(current, reason)
        self.current = None
        self._air(show, at=start if start > _now() + timedelta(seconds=0.3) else None)
        fade_at = (start - _now()).total_seconds() - self.player.fade_s - self.app.settings.playout.latency_s - 0.1
        if fade_at > 0:
            time.sleep(fade_at)
        try:
            current.playback.interrupt(reason=reason)
        except Exception as err:  # its engine is gone already: the cut show is over anyway
            log.warning("the show cut at %s ended with an error: %s", start.isoformat(), err)

    def _air(self, show: Show, at: datetime | None, airing: Airing | None = None, join_late: bool = False) -> None:
        """Put *airing* (by default all of *show*) on air at *at*. Parts that cannot air are
        reported and left out; a player that fails to start is device trouble, recovered from."""
        if airing is None:
            try:
                airing = build_airing(self.app, show, show.items)
            except Exception as err:  # never a reason to air nothing without a word
                log.exception("cannot build the rundown of %s", show.occurrence.slot_name or "one-off")
                self.listeners.problem(_("{slot} at {time} could not air: {reason}").format(
                    slot=show.occurrence.slot_name or _("one-off broadcast"), reason=err,
                    time=show.occurrence.start.astimezone(self.app.settings.zone).strftime("%H:%M")))  # fmt: skip
                return
        for problem in airing.problems:
            self.listeners.problem(problem)
        self.transmitter.on()
        self.current = airing
        airing.move(AiringState.ON_AIR)
        if not airing.timeline_fixed:
            airing.timeline_start = at or _now()
        try:
            airing.playback = self.player.start(airing.rundown, at=at, on_event=lambda e: self._on_event(airing, e),
                                                join_late=join_late)  # fmt: skip
        except Exception as err:  # the engine or the device would not start: recover like any trouble
            log.error(N_("playback could not start: %s"), err)
            airing.error = str(err) or type(err).__name__
            self.post(PlaybackDone(airing))
            return
        watcher = threading.Thread(target=self._watch, args=[airing], daemon=True, name="radio-watch")
        watcher.start()
        log.info(N_("session %s begins with %d item(s)"), show.occurrence.slot_name or _("one-off broadcast"),
                 len(airing.items))  # fmt: skip

    def _on_event(self, airing: Airing, event: Event) -> None:
        """Runs on the player's event thread: the timeline, then the listeners."""
        if isinstance(event, Started):
            if event.index not in airing.fallbacks:  # (a fallback airs inside the relay's time)
                airing.sounded(event.index, event.at)
                passed = [i for i in sorted(airing.items) if i < event.index and i not in airing.accounted()]
                if passed:  # a late rejoin skipped over whole items
                    self.listeners.entries_not_aired(airing, passed, AsRunStatus.MISSED,
                                                     _("its time passed before it could be joined"))  # fmt: skip
            self.recovery.sounding()
            self.listeners.entry_started(airing, event)
        else:
            self.listeners.entry_ended(airing, event)
            if self.suspended and (ends_at := alarm_ends_at(airing, event)):  # resume on the alarm's end
                self.post(PlaybackDone(airing, resume_at=ends_at))

    def _watch(self, airing: Airing) -> None:
        try:
            airing.playback.wait()
        except Exception as err:  # the device could not be opened at all
            log.error(N_("playback failed: %s"), err)
            airing.error = str(err) or type(err).__name__
        self.post(PlaybackDone(airing))

    def _not_aired(self, airing: Airing, status: AsRunStatus, reason: str) -> None:
        """Items of *airing* that never started get a row saying why, at their planned time."""
        unreached = [i for i in sorted(airing.items) if i not in airing.accounted()]
        if unreached:
            self.listeners.entries_not_aired(airing, unreached, status, reason)

    def _done(self, airing: Airing, resume_at: datetime | None = None) -> None:
        """A playback has ended (or, with *resume_at*, an alarm's last sample is about to sound
        then): log what it never reached, then air what comes next."""
        if airing.state is AiringState.SUSPENDED:
            return  # resumed after the emergency
        if resume_at is not None and (airing is not self.current or airing.state is not AiringState.ON_AIR):
            return  # the alarm was cut or lost meanwhile: its own end decides
        result = airing.playback.result if airing.playback is not None else None
        if airing.state is AiringState.CUT:
            self._not_aired(airing, AsRunStatus.SKIPPED, airing.reason)
        elif airing.error or (result is not None and result.device_lost):
            trouble = airing.error or result.stopped
            if airing is self.current and not self.stopping and airing.state is AiringState.ON_AIR and not airing.live:
                airing.move(AiringState.WAITING, trouble)
                self.recovery.trouble(airing, trouble)
                return
            self._not_aired(airing, AsRunStatus.FAILED, trouble)
        if airing.state is not AiringState.OVER:
            airing.move(AiringState.OVER)
        self.live.ended(airing)
        if airing is not self.current:
            return
        self.current = None
        if self.pending:
            self._air(self.pending.pop(0), at=None)
            return
        self._after_show(resume_at)

    def _after_show(self, at: datetime | None = None) -> None:
        """Nothing on air: resume what an emergency or live interrupted (whole if it never began), else switch off."""
        while self.suspended:
            suspended = self.suspended.pop()
            if self.live.resumes(suspended):  # a live segment an emergency interrupted
                return
            suspended.move(AiringState.OVER)
            if not suspended.accounted() and (suspended.items or suspended.relay_left(_now())):
                self._air(suspended.show, at)  # it never began (waited under live, or cut in its preroll): whole
                return
            rest = suspended.remaining_items()
            if rest or suspended.relay_left(_now()):
                log.info(N_("resuming %s where it was cut"), suspended.occurrence.slot_name or _("one-off broadcast"))
                resumed = build_airing(self.app, suspended.show, rest, opening=False)
                resumed.continued = True
                self._air(suspended.show, at, resumed)
                return
        if not self.stopping:
            self._power_off_unless_soon()

    # ---- rejoining a show on its timeline (after a restart, or the device back)
    def _rejoin(self, show: Show, rows, now: datetime, crashed: set[int]) -> None:
        """Pick up an occurrence that was on air when the daemon stopped, at the right offset.
        An item whose row the crash closed (in *crashed*) is still due for the rest of its time."""
        airing = build_airing(self.app, show, show.items)
        aired = aired_rows(airing, rows)
        cut_by_crash = any(r.id in crashed for r in rows)
        if all(index in aired for index in airing.items) and not cut_by_crash and not airing.relay_left(now):
            return  # every item has its final row (aired, cut, skipped or missed) and no relay time is left
        aired |= set(range(min(airing.items, default=0)))  # an opening jingle that aired
        airing.timeline_start = min((r.started_at for r in rows if r.started_at), default=show.occurrence.start)
        self.timetable.attempted.add(show.occurrence.key)
        self._continue(airing, aired, now, _("the daemon was not running"))

    def _retry(self, airing: Airing) -> None:
        if airing is not self.current or airing.state is not AiringState.WAITING or self.stopping:
            return  # another show took the air meanwhile, or we are stopping
        now = _now()
        if airing.show.emergency and not airing.accounted():
            airing.timeline_start = now  # an alarm that never sounded starts from its beginning
        reason = _("the sound device was unavailable: {reason}").format(reason=self.device.reason or "")
        self._continue(airing, airing.accounted(), now, reason, attempt=airing.attempt + 1)

    def _continue(self, airing: Airing, aired: set[int], now: datetime, missed_reason: str, attempt: int = 0) -> None:
        """Air the rest of *airing* on its timeline (`rejoin.py`); entries whose whole time
        passed unaired are logged missed. With nothing left, the show is over."""
        plan = continuation(self.app, airing, aired, now, attempt)
        if plan.missed:
            self.listeners.entries_not_aired(airing, plan.missed, AsRunStatus.MISSED, missed_reason)
        if airing.state is not AiringState.OVER:
            airing.move(AiringState.OVER)  # a new airing continues it (or nothing is left)
        if plan.airing is None:
            if airing is self.current:
                self.current = None
                self.recovery.gave_up()
                self._after_show()
            return
        log.info(N_("rejoining %s at %s"), airing.occurrence.slot_name or _("one-off broadcast"), plan.at)
        self._air(airing.show, at=plan.at, airing=plan.airing, join_late=plan.join_late)

    # ---- transmitter power and stopping
    def _power_off_unless_soon(self) -> None:
        """After a show: switch the transmitter off, unless another show starts so soon that
        it would have to be switched on again at once."""
        soon = timedelta(seconds=2 * self.app.settings.schedule.preroll_s + LEAD_S)
        if not self.timetable.starts_within(_now(), soon):
            self.transmitter.off()

    def _stop(self) -> None:
        """SIGTERM: fade out what is on air, log it interrupted, power off."""
        self.stopping = True
        if self.current is not None and self.current.playback is not None:
            self.current.playback.interrupt(reason=_("the daemon was stopped"))
            self.current.playback.wait(10)
        self.player.close()
        self.transmitter.off(wait=True)

