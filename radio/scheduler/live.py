"""Live on air: a priority level of the on-air loop between emergencies and the schedule.

`radio live start|stop` and the console's microphone reach the daemon through its control
socket (`LiveCommand`); the on-air loop hands them to the ``LiveDesk``, on its own thread,
so live and the loop's other commands never race. The desk owns the live *session* (who
speaks, from where, since when) and puts each of its *segments* on air as an airing of one
LIVE entry (`audio/live_input.py`), through the loop's own `air` — so live reaches the sound
card and every stream, and device trouble, emergencies and stopping treat it as any airing:

- starting: what is on air fades out and is suspended under live (it resumes after, as after
  an emergency); a transmitter that was off is switched on and live starts after the pre-roll;
  during an emergency live waits under the alarm and starts after it;
- an emergency suspends the live segment; after the alarm, live resumes (a new segment) only
  if the session is still on, else the show under it resumes;
- a show due during live does not cut it: it waits under live (a show already waiting there
  is cut, as its hard start would have cut it) and airs once live ends, from its first item;
- a segment that ends by itself (its input silent for [live] no_audio_s: a dropped browser
  link, a capture device gone; or [live] max_minutes) ends the session, with the reason.

The desk is also a listener: each segment's line in the audit log, and its recording
imported into the library as a draft item once it is over (in a thread: an analysis must not
hold the loop). Its as-run row (who, from where, started/ended, seconds, topic) is written
by the as-run writer, as every row is (`asrun_writer.py`, `domain.asrun.live_record`).
"""

from __future__ import annotations

import logging
import os
import stat
import struct
import subprocess
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from radio.audio.events import Ended
from radio.audio.live_input import await_recording, mend_recording
from radio.domain.asrun import AsRunStatus
from radio.domain.live import (
    CONSOLE, LiveBusy, Speaker, busy_message, check_input, check_speaker, ffmpeg_live_input, segment_title,
)  # fmt: skip
from radio.domain.playout import Entry, EntryKind, Outcome
from radio.domain.relay import RelayRules, Resume
from radio.errors import RadioError
from radio.i18n import N_, _, speaking
from radio.scheduler.airing import Airing, AiringState, build_airing
from radio.scheduler.commands import LiveCommand
from radio.scheduler.listener import PlayoutListener
from radio.scheduler.planner import Show, one_off

log = logging.getLogger("radio.daemon")
ANSWER_S = 10.0  # how long a control request waits for the on-air loop
PROBE_S = 2.0  # a capture input that neither fails nor sounds within this: live starts, the feed decides


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(eq=False)
class LiveSession:
    """Someone on air live, from `start` to `stop` (or until a segment ends by itself)."""

    speaker: Speaker
    since: datetime
    airing: Airing | None = None  # its current segment (on air, suspended, or waiting under an alarm)
    segments: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # what a stop names (a stale tab stops only its own)


class LiveDesk(PlayoutListener):
    def __init__(self, onair) -> None:
        self.onair = onair
        self.app = onair.app
        self.session: LiveSession | None = None

    # ---- from the control socket (any thread)
    def ask(self, request: dict) -> object:
        """Hand *request* to the on-air loop and wait for its answer (a capture device is
        tried here first, off the loop: one that cannot be opened is refused in one line)."""
        if request.get("action") == "start":
            with speaking(request.get("languages")):
                session = self.session  # (read only: the loop decides again) busy, or a bad topic, said first
                if session is not None:
                    raise LiveBusy(busy_message(session.speaker, session.since, self.app.settings.zone))
                self.app.taxonomy.resolve(request.get("topic") or self.app.settings.live.topic)
                probe_input(request.get("input") or self.app.settings.live.input)
        answer: Future = Future()
        self.onair.post(LiveCommand(request, answer))
        return answer.result(ANSWER_S)

    # ---- on the on-air thread
    def handle(self, command: LiveCommand) -> None:
        with speaking(command.request.get("languages")):  # answered in the asker's language
            self._handle(command)

    def _handle(self, command: LiveCommand) -> None:
        try:
            action = command.request.get("action")
            if action == "start":
                result = self.start(command.request)
            elif action == "stop":
                result = self.stop(command.request)
            else:
                result = self.status()
            command.answer.set_result(result)
        except Exception as err:  # a RadioError is the user's answer; anything else too, logged
            if not isinstance(err, RadioError):
                log.exception("live request failed")
            command.answer.set_exception(err)

    def status(self) -> dict | None:
        session = self.session
        if session is None:
            return None
        return {"id": session.id, "who": session.speaker.who, "where": session.speaker.where,
                "since": session.since.isoformat(), "topic": session.speaker.topic, "on_air": self.on_air()}  # fmt: skip

    def on_air(self) -> bool:
        return self.session is not None and self.session.airing is not None and self.session.airing is self.onair.current

    def start(self, request: dict) -> dict:
        settings = self.app.settings
        if self.session is not None:
            raise LiveBusy(busy_message(self.session.speaker, self.session.since, settings.zone))
        given = request.get("input") or settings.live.input
        if given == CONSOLE:
            address = f"{CONSOLE}:{self._console_pipe()}"
        elif not given:
            raise RadioError(_("no capture input: give --input alsa:DEVICE or pulse:SOURCE, or set [live] input "
                               "in {config}").format(config=settings.config_path))  # fmt: skip
        else:
            address = check_input(given)
        topic = request.get("topic") or settings.live.topic
        self.app.taxonomy.resolve(topic)  # an unknown topic is refused now, not when the recording is filed
        speaker = Speaker(who=check_speaker(request.get("who")), where=request.get("where") or address, input=address,
                          topic=topic)  # fmt: skip
        self.session = LiveSession(speaker, _now())
        log.info(N_("live: %s from %s"), speaker.who, speaker.where)
        self._go_on_air()
        self._audit(request, "live.start", f"{speaker.who}, {speaker.where}")
        return self.status()

    def stop(self, request: dict) -> dict:
        """End the live session: whoever's (`radio live stop`, the console's button), or with
        the request's ``id`` only that one (a browser's socket closing ends its own, never the
        next speaker's). Audited here, whichever front end asked."""
        session = self.session
        if session is None:
            raise RadioError(_("nobody is on air live"))
        if request.get("id") and request["id"] != session.id:
            log.info(N_("live: a stop for session %s, which is over, refused: %s stays on air"), request["id"],
                     session.speaker.who)  # fmt: skip
            raise RadioError(_("that live session is over already; {who} is on air now").format(who=session.speaker.who))
        self.session = None
        with speaking(None):  # the as-run log speaks the station's language, not the asker's
            reason = request.get("reason") or _("live stopped by {who}").format(who=request.get("who") or session.speaker.who)
        airing = session.airing
        if airing is not None and airing is self.onair.current and airing.playback is not None:
            airing.move(AiringState.CUT, reason)  # its end resumes what it suspended (onair._done)
            airing.playback.interrupt(reason=reason)
        log.info(N_("live over: %s"), reason)
        self._audit(request, "live.stop", f"{session.speaker.who}, {session.speaker.where}")
        return {"who": session.speaker.who, "since": session.since.isoformat(), "segments": session.segments}

    def _audit(self, request: dict, action: str, detail: str) -> None:
        """The audit line of a start or stop, under the asker's account (``user``: the console's
        login, the command line's ``cli:NAME``), written after the air changed: a busy or full
        database delays or loses the line, never the cut."""
        try:
            self.app.audit.record(request.get("user") or request.get("who") or "?", action, detail,
                                  request.get("address"))  # fmt: skip
        except Exception as err:  # noqa: BLE001 - the air is already right; the line is what is lost
            log.error(N_("cannot write the audit line of %s: %s"), action, err)

    def _console_pipe(self):
        """The named pipe the console writes the browser's microphone into (made once, 0600)."""
        path = self.app.settings.station_home.console_microphone
        path.parent.mkdir(mode=0o700, exist_ok=True)
        if path.exists() and not stat.S_ISFIFO(path.stat().st_mode):
            path.unlink()
        if not path.exists():
            os.mkfifo(path, 0o600)
        return path

    def _go_on_air(self) -> None:
        """Put the session's next segment on air, above what is on air now (or under the alarm)."""
        onair, session = self.onair, self.session
        airing = self._segment(session)
        session.airing = airing
        current = onair.current
        if current is not None and current.show.emergency:
            onair.suspended.wait(airing)  # after the alarm (onair._after_show asks `resumes`)
            log.info(N_("live waits for the emergency broadcast to end"))
            return
        if current is not None:
            onair.suspend(current, _("interrupted by a live broadcast"), self.app.settings.playout.fade_out_s)
        at = None
        if not onair.transmitter.powered:  # switched on now, live after its pre-roll
            onair.transmitter.on()
            preroll = self.app.settings.schedule.preroll_s
            at = _now() + timedelta(seconds=preroll) if preroll > 0 else None
        onair.air(airing.show, at=at, airing=airing)

    def _segment(self, session: LiveSession) -> Airing:
        settings = self.app.settings
        start = _now()
        session.segments += 1
        settings.station_home.live_dir.mkdir(mode=0o700, exist_ok=True)
        record = settings.station_home.live_dir / f"{start.strftime('%Y%m%dT%H%M%S')}-{session.segments}.wav"
        rules = RelayRules(no_data_s=settings.live.no_audio_s, silence_s=1e9, silence_dbfs=-200.0, buffer_s=0.1,
                           resume=Resume.NOW)  # only "no audio" ends a voice: a speaker may pause  # fmt: skip
        with speaking(None):  # the as-run log speaks the station's language, not the asker's
            title = segment_title(session.speaker)
        entry = Entry(EntryKind.LIVE, title, session.speaker.input,
                      until=start.timestamp() + settings.live.max_minutes * 60.0, relay=rules,
                      record=str(record) if settings.live.record else None, latency_s=settings.live.latency_s)  # fmt: skip
        show = Show(one_off(start, False, settings.zone))
        return Airing(show, [entry], {}, {0: start}, live=session)

    # ---- hooks of the on-air loop
    def defers(self, show: Show) -> bool:
        """A show due while live is on air waits under it (True); one already waiting is cut."""
        if not self.on_air():
            return False
        name = show.occurrence.slot_name or _("one-off broadcast")
        reason = _("cut by the session '{slot}'").format(slot=name)
        for waiting in self.onair.suspended.take_shows():
            self.onair.not_aired(waiting, AsRunStatus.SKIPPED, reason)
            waiting.move(AiringState.OVER, reason)
        self.onair.suspended.wait_last(build_airing(self.app, show, show.items))
        log.warning(N_("%s due at %s waits under the live segment: it airs when live ends"), name,
                    show.occurrence.start.astimezone(self.app.settings.zone).strftime("%H:%M:%S"))  # fmt: skip
        return True

    def resumes(self, airing: Airing) -> bool:
        """After an emergency: a live segment it suspended goes on as a new one if the session
        is still on (True); otherwise False, and the loop resumes what is under it."""
        session = self.session
        if airing.live is None or session is None or session.airing is not airing:
            return False
        airing.move(AiringState.OVER)
        log.info(N_("live resumes after the emergency"))
        self._go_on_air()
        return True

    def ended(self, airing: Airing) -> None:
        """A live airing's playback is over (stopped, ended by itself, or its device failed)."""
        session = self.session
        if session is not None and session.airing is airing:
            self.session = None
            result = airing.playback.result if airing.playback is not None else None
            failed = [e for e in (result.ended if result is not None else []) if e.status is Outcome.FAILED]
            reason = airing.reason or airing.error or (failed[0].reason if failed else None) or _("its input ended")
            if failed:  # nothing ever came from the input: the operator is told (radio status, On air)
                self.onair.listeners.problem(_("live did not go on air: {reason}").format(reason=reason))
            log.info(N_("live over: %s"), reason)

    # ---- as a listener (the player's event thread)
    def entry_ended(self, airing, event: Ended) -> None:
        if airing.live is None:
            return
        speaker = airing.live.speaker
        detail = f"{speaker.where}: {event.played_s:.1f} s, {event.status}" + (f" ({event.reason})" if event.reason else "")
        self.app.audit.record(speaker.who, "live.segment", detail)
        if event.entry.record:
            threading.Thread(target=self._file_recording, args=[speaker, event], daemon=True,
                             name="radio-live-recording").start()  # fmt: skip

    def recover_recordings(self) -> None:
        """At start-up: recordings left by a crash during live (their WAV header never
        completed) are mended from their size and filed as drafts, in a thread."""
        folder = self.app.settings.station_home.live_dir
        left = sorted(folder.glob("*.wav")) if folder.is_dir() else []
        if left:
            threading.Thread(target=self._recover, args=[left], daemon=True, name="radio-live-recording").start()

    def _recover(self, paths) -> None:
        for path in paths:
            try:
                if path.stat().st_size <= 44:  # killed before its first block: nothing was recorded
                    path.unlink(missing_ok=True)
                    continue
            except OSError as err:  # gone, or not ours to touch: the others are still filed
                log.warning(N_("cannot file the live recording %s: %s"), path, err)
                continue
            try:
                stamp = datetime.strptime(path.stem.split("-")[0], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
            except ValueError:  # not one of ours: left where it is, the others still filed
                log.warning(N_("not a live recording, left alone: %s"), path)
                continue
            try:
                data = mend_recording(str(path))
            except (OSError, struct.error) as err:
                log.error(N_("cannot mend the live recording %s: %s"), path, err)
                continue
            speaker = Speaker(_("unknown (the daemon stopped during live)"), "?", "?", self.app.settings.live.topic)
            ended = Ended(0, Entry(EntryKind.LIVE, "", "?", record=str(path)), stamp, Outcome.INTERRUPTED,
                          data / 2 / self.app.settings.playout.channels / self.app.settings.playout.sample_rate, None)  # fmt: skip
            self._file_recording(speaker, ended)

    def _file_recording(self, speaker: Speaker, event: Ended) -> None:
        """The segment's recording into the library, a draft item (to re-air, or for the sticks)."""
        from pathlib import Path

        from radio.library.importer import ImportOptions

        path = Path(event.entry.record)
        if not path.exists() or event.played_s < 0.5:
            path.unlink(missing_ok=True)
            return
        try:
            await_recording(str(path))  # the segment's end is heard before its feed closes the file
        except FileNotFoundError:  # removed by its feed: only silence came
            return
        except (OSError, struct.error) as err:
            log.error(N_("cannot file the live recording %s: %s"), path, err)
            return
        when = event.at.astimezone(self.app.settings.zone).strftime("%d/%m/%Y %H:%M")
        title = _("Live: {who}, {time}").format(who=speaker.who, time=when)
        try:
            (result,) = self.app.importer(workers=1).run([path], ImportOptions(topic=speaker.topic, title=title,
                                                                                source=speaker.where))  # fmt: skip
        except Exception as err:
            log.error(N_("cannot file the live recording %s: %s"), path, err)
            return
        if result.item is None:
            log.error(N_("cannot file the live recording %s: %s"), path, result.error)
            return
        path.unlink(missing_ok=True)
        log.info(N_("live recording filed as #%s %s (draft)"), result.item.id, result.item.title)


def probe_input(given: str | None) -> None:
    """A capture device (alsa:…, pulse:…) opened for a moment before going on air: one that
    does not exist or cannot be opened is refused now, in one line, before anything is
    suspended (no "on air" over silence). One that opens but is slow to sound goes on: the
    feed ends the segment if nothing ever comes. Other inputs (the console's) are not probed."""
    from radio.media.ffmpeg import ffmpeg_binary

    if not given or given == CONSOLE:
        return
    address = check_input(given)
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-nostats", "-v", "error",
               *ffmpeg_live_input(address), "-t", "0.05", "-f", "null", "-"]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_S)
    except subprocess.TimeoutExpired:
        return  # opened, nothing yet: the feed's rule decides
    except OSError as err:
        raise RadioError(_("cannot try the capture input {input}: {reason}").format(input=address, reason=err)) from None
    if done.returncode != 0:
        from radio.media.listen import reason as ffmpeg_reason

        reason = ffmpeg_reason(done.stderr, address) if done.stderr.strip() else f"exit {done.returncode}"
        raise RadioError(_("the capture input {input} cannot be opened ({reason}): is it plugged in, and is its name "
                           "right? Nothing went on air").format(input=address, reason=reason))  # fmt: skip
