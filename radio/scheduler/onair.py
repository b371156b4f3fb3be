"""What is on air: one control thread that starts, cuts, resumes and rejoins shows.

Commands (`commands.py`: due occurrences, playback endings, retries, replans, reload,
stop) arrive on one queue and are handled one at a time, so the on-air state has a single
owner. It is composed of narrow parts, each owning its state:

- the timetable (`timetable.py`): timers, replans, what is due, what was missed;
- device recovery (`device.py`): the sound device's health and the retry backoff;
- the show on air (`airing.py`): an `Airing` with explicit states (on air, cut, suspended
  by an emergency, waiting for the device, over) and what became of each entry, which the
  loop records there before it tells the listeners;
- the cut rules (`interruptions.py`): a hard cut at an instant, and the stack of what an
  emergency or live suspended, which comes back when the air is free;
- listeners (`listener.py`) of named events: the as-run writer (`asrun_writer.py`) and the
  station's problem list (`problems.py`) — they record, the loop decides.
"""

from __future__ import annotations

import logging
import queue
import threading
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
from radio.scheduler.interruptions import Suspended, hard_cut, resumed
from radio.scheduler.listener import Listeners
from radio.scheduler.live import LiveDesk
from radio.scheduler.planner import Show, show_for
from radio.scheduler.problems import Problems
from radio.scheduler.rejoin import aired_before_crash, continuation
from radio.scheduler.rundown import jingle_problems
from radio.scheduler.timetable import LEAD_S, Timetable
from radio.scheduler.transmitter import Transmitter

__all__ = ["OnAir", "Due", "Replan", "Reload", "Stop"]
log = logging.getLogger("radio.daemon")


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
        self.crashed: set[int] = set()  # rows the start-up closed: their items are due for the rest of their time
        self.recovery = DeviceRecovery(lambda airing: self.post(Retry(airing)), self.listeners.device_changed)
        schedule = lambda: (self.app.settings.schedule.on_air, self.app.settings.schedule.off_air)  # noqa: E731
        self.transmitter = Transmitter(schedule)  # read when used: SIGHUP may change the commands
        self.current: Airing | None = None
        self.suspended = Suspended()  # interrupted by emergencies or live, resumed after them (interruptions.py)
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
                airing.cut(command.reason)
                airing.playback.interrupt(reason=command.reason)
        elif isinstance(command, LiveCommand):
            self.live.handle(command)
        elif isinstance(command, Retry):
            self._retry(command.airing)
        elif isinstance(command, (Replan, Reload)):
            if isinstance(command, Reload) and self.reload_settings:
                self.reload_settings()
            self.clock.check(rows=True)  # a confirmed clock or new rows may lift (or begin) the hold
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
        self.crashed = {row.id for row in self.app.as_run.close_orphans(_("the daemon stopped while this was on air"))}
        self._take_up_schedule(now)

    def _take_up_schedule(self, now: datetime) -> None:
        """Rejoin, catch up or log missed what fell due while the daemon was not running — once
        the clock is right: on a wrong clock nothing is (start-up waits, only alarms air), and
        when the clock is set right it is done then, without closing rows again (an alarm or a
        live segment on air meanwhile keeps its row)."""
        if self.clock.held:
            self.startup_held = True
            self.timetable.replan(now)
            return
        if self.startup_held:  # the clock was set right: what fell due meanwhile was held
            self.startup_held = False
            self.timetable.missed_reason = _("the schedule was held: the clock was wrong at {time}")
        for show, rows in self.timetable.startup(now):
            self._rejoin(show, rows, now, self.crashed)
        self.timetable.replan(now)

    def replan(self, now: datetime | None = None) -> None:
        if self.startup_held and not self.clock.held:  # the clock was set right: start up now
            self._take_up_schedule(now or _now())
            return
        self.timetable.replan(now)

    # ---- airing
    def _due(self, occ: Occurrence) -> None:
        if self.clock.holds(occ):  # the clock is wrong: it neither airs nor counts as handled
            slot = occ.slot_name or "one-off"
            log.warning("%s: %s at %s not aired", self.clock.held_message(), slot, occ.start.isoformat())
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
                self.suspend(current)
            self.air(show, at=None)
            return
        if self.live.defers(show):  # live on air: the show waits under it
            return
        reason = _("cut by the session '{slot}'").format(slot=occ.slot_name or _("one-off broadcast"))
        if current is not None and current.state is AiringState.WAITING:  # off air, device being reopened
            current.move(AiringState.CUT, reason)
            self.not_aired(current, AsRunStatus.SKIPPED, reason)
            current.move(AiringState.OVER)
            self.current = current = None
        if current is None:
            self.air(show, at=occ.start)
            return
        connect_ahead(self.app, self.player, show)  # a relay's source, at its lead (handover.py)
        plan = plan_start(occ.start_rule, occ.start, current.busy_until())
        if occ.start_rule.kind is StartKind.HARD:  # the new show on its instant, the old one fading out then
            self.current = None
            fade_lead_s = self.player.fade_s + self.app.settings.playout.latency_s
            hard_cut(current, occ.start, reason, fade_lead_s, lambda at: self.air(show, at))
            return
        # soft or wait:N: after the item on air ends; for wait:N, cut at the limit
        current.cut(reason)
        current.playback.stop_after_current(reason)
        self.pending.append(show)
        if occ.start_rule.kind is StartKind.WAIT and plan.cut:
            delay = max(0.0, (plan.at - _now()).total_seconds())
            timer = threading.Timer(delay, self.post, args=[Cut(current, reason)])
            timer.daemon = True
            timer.start()

    def suspend(self, current: Airing, reason: str | None = None, fade_s: float | None = None) -> None:
        """An emergency (or live) takes the air: *current* fades out under it and resumes after
        it (a show waiting for its device too); a show already cut by another just ends."""
        reason = reason or _("interrupted by an emergency broadcast")
        fade_s = self.app.settings.playout.emergency_fade_s if fade_s is None else fade_s
        self.suspended.suspend(current, reason, fade_s)
        self.current = None

    def air(self, show: Show, at: datetime | None, airing: Airing | None = None, join_late: bool = False) -> None:
        """Put *airing* (by default all of *show*) on air at *at*. Parts that cannot air are
        reported and left out; a player that fails to start is device trouble, recovered from."""
        if airing is None:
            try:
                airing = build_airing(self.app, show, show.items)
            except Exception as err:  # never a reason to air nothing without a word
                log.exception("cannot build the rundown of %s", show.occurrence.slot_name or "one-off")
                slot = show.occurrence.slot_name or _("one-off broadcast")
                when = show.occurrence.start.astimezone(self.app.settings.zone).strftime("%H:%M")
                problem = _("{slot} at {time} could not air: {reason}")
                self.listeners.problem(problem.format(slot=slot, time=when, reason=err))
                return
        for problem in airing.problems:
            self.listeners.problem(problem)
        self.transmitter.on()
        self.current = airing
        airing.go_on_air(at or _now())
        try:
            on_event = lambda event: self._on_event(airing, event)  # noqa: E731
            airing.playback = self.player.start(airing.rundown, at=at, on_event=on_event, join_late=join_late)
        except Exception as err:  # the engine or the device would not start: recover like any trouble
            log.error(N_("playback could not start: %s"), err)
            airing.failed(err)
            self.post(PlaybackDone(airing))
            return
        threading.Thread(target=self._watch, args=[airing], daemon=True, name="radio-watch").start()
        slot = show.occurrence.slot_name or _("one-off broadcast")
        log.info(N_("session %s begins with %d item(s)"), slot, len(airing.items))

    def _on_event(self, airing: Airing, event: Event) -> None:
        """Runs on the player's event thread: the airing records what became of the entry
        (and the show's timeline), then the listeners hear of it."""
        if isinstance(event, Started):
            airing.started(event.index, event.at)
            # a late rejoin skipped over whole items (a fallback airs inside the relay's time)
            if event.index not in airing.fallbacks and (passed := airing.unaccounted(before=event.index)):
                self.not_aired(airing, AsRunStatus.MISSED, _("its time passed before it could be joined"), passed)
            self.recovery.sounding()
            self.listeners.entry_started(airing, event)
        else:
            airing.ended(event.index, event.status, event.reason)
            self.listeners.entry_ended(airing, event)
            if self.suspended and (ends_at := alarm_ends_at(airing, event)):  # resume on the alarm's end
                self.post(PlaybackDone(airing, resume_at=ends_at))

    def _watch(self, airing: Airing) -> None:
        try:
            airing.playback.wait()
        except Exception as err:  # the device could not be opened at all
            log.error(N_("playback failed: %s"), err)
            airing.failed(err)
        self.post(PlaybackDone(airing))

    def not_aired(self, airing: Airing, status: AsRunStatus, reason: str, indexes: list[int] | None = None) -> None:
        """Entries of *airing* that will never air (by default every item not yet accounted for):
        the airing records it, then the listeners write a row saying why, at its planned time."""
        unreached = airing.unaccounted() if indexes is None else indexes
        if unreached:
            airing.not_aired(unreached)
            self.listeners.entries_not_aired(airing, unreached, status, reason)

    def _done(self, airing: Airing, resume_at: datetime | None = None) -> None:
        """A playback has ended (or, with *resume_at*, an alarm's last sample is about to sound
        then): log what it never reached, then air what comes next."""
        if airing.state is AiringState.SUSPENDED:
            return  # resumed after the emergency
        if resume_at is not None and (airing is not self.current or airing.state is not AiringState.ON_AIR):
            return  # the alarm was cut or lost meanwhile: its own end decides
        result = airing.playback.result if airing.playback is not None else None
        if result is not None and result.underruns and not (airing.relays or airing.live):  # files only: a
            # relay's or a live input's silence is its source's, logged as such; here it is the PC's
            log.warning(N_("the output ran dry %d times during this show: the PC was too busy to decode in time"),
                        result.underruns)  # fmt: skip
        if airing.state is AiringState.CUT:
            self.not_aired(airing, AsRunStatus.SKIPPED, airing.reason)
        elif airing.error or (result is not None and result.device_lost):
            trouble = airing.error or result.stopped
            if airing is self.current and not self.stopping and airing.state is AiringState.ON_AIR and not airing.live:
                airing.move(AiringState.WAITING, trouble)
                self.recovery.trouble(airing, trouble)
                return
            self.not_aired(airing, AsRunStatus.FAILED, trouble)
        if airing.state is not AiringState.OVER:
            airing.move(AiringState.OVER)
        self.live.ended(airing)
        if airing is not self.current:
            return
        self.current = None
        if self.pending:
            self.air(self.pending.pop(0), at=None)
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
                self.air(suspended.show, at)  # it never began (waited under live, or cut in its preroll): whole
                return
            if (rest := resumed(self.app, suspended, _now())) is not None:
                self.air(suspended.show, at, rest)
                return
        if not self.stopping:
            self._power_off_unless_soon()

    # ---- rejoining a show on its timeline (after a restart, or the device back)
    def _rejoin(self, show: Show, rows, now: datetime, crashed: set[int]) -> None:
        """Pick up an occurrence that was on air when the daemon stopped, at the right offset.
        An item whose row the crash closed (in *crashed*) is still due for the rest of its time."""
        airing = build_airing(self.app, show, show.items)
        aired = aired_before_crash(airing, rows, crashed, now)
        if aired is None:
            return  # every item has its final row (aired, cut, skipped or missed) and no relay time is left
        self.timetable.attempted.add(show.occurrence.key)
        self._continue(airing, aired, now, _("the daemon was not running"))

    def _retry(self, airing: Airing) -> None:
        if airing is not self.current or airing.state is not AiringState.WAITING or self.stopping:
            return  # another show took the air meanwhile, or we are stopping
        now = _now()
        if airing.show.emergency and not airing.accounted():
            airing.timeline_from(now)  # an alarm that never sounded starts from its beginning
        reason = _("the sound device was unavailable: {reason}").format(reason=self.device.reason or "")
        self._continue(airing, airing.accounted(), now, reason, attempt=airing.attempt + 1)

    def _continue(self, airing: Airing, aired: set[int], now: datetime, missed_reason: str, attempt: int = 0) -> None:
        """Air the rest of *airing* on its timeline (`rejoin.py`); entries whose whole time
        passed unaired are logged missed. With nothing left, the show is over."""
        plan = continuation(self.app, airing, aired, now, attempt)
        if plan.missed:
            self.not_aired(airing, AsRunStatus.MISSED, missed_reason, plan.missed)
        if airing.state is not AiringState.OVER:
            airing.move(AiringState.OVER)  # a new airing continues it (or nothing is left)
        if plan.airing is None:
            if airing is self.current:
                self.current = None
                self.recovery.gave_up()
                self._after_show()
            return
        log.info(N_("rejoining %s at %s"), airing.occurrence.slot_name or _("one-off broadcast"), plan.at)
        self.air(airing.show, at=plan.at, airing=plan.airing, join_late=plan.join_late)

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

