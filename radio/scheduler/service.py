"""What the CLI and the web console ask of the schedule: slots, the queue, emergencies, status.

One implementation of each request: `radio slot|queue|emergency|status` and the console's
pages both call these, write the same database and nudge the daemon the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from radio.domain.asrun import AsRunStatus
from radio.domain.library import Item, ItemStatus, Priority, why_not_airable
from radio.domain.playout import parse_start
from radio.domain.schedule import (
    Slot, StartRule, format_days, next_occurrence, occurrence_of, overrun_s, parse_days, parse_time_of_day,
    preparation_lead_s,
)  # fmt: skip
from radio.domain.users import MAY_APPROVE, MAY_MANAGE_SLOTS, Role, check_queue_priorities, check_remove_entries, require
from radio.errors import RadioError
from radio.i18n import _, ngettext
from radio.text import format_duration

if TYPE_CHECKING:  # the CLI imports this module: no database layer at import time
    from radio.storage.schedule_repo import QueueEntry


def changed(app) -> None:
    """The schedule changed: a running daemon replans now (it would within 2 s anyway)."""
    from radio.scheduler.station_lock import nudge_daemon

    nudge_daemon(app.settings.home)


@dataclass(frozen=True)
class Queued:
    entries: list[QueueEntry]
    where: str  # "slot 'Bản tin sáng' on 24/11/2026 at 05:30", for the user
    warnings: list[str] = field(default_factory=list)


def add_slot(app, name: str, at: str, days: str = "mon-sun", max_minutes: int | None = None,
             start_kind: str = "hard", jingles: bool = True, relay: str | None = None,
             fallback: Sequence[int] = (), role: Role | None = None) -> Slot:  # fmt: skip
    """A new slot; with *relay* a relay session (the source's code), *fallback* the items
    aired, in order, while that source is dead air. *role*: the caller's (None: the command line)."""
    require(role, MAY_MANAGE_SLOTS, _("only an administrator may change the slots"))
    new = Slot(
        id=0,
        name=name,
        days=parse_days(days),
        start=parse_time_of_day(at),
        max_minutes=max_minutes or app.settings.schedule.max_minutes,
        start_rule=StartRule.parse(start_kind),
        jingles=jingles,
    )
    made = app.schedule.add_slot(dataclasses.replace(new, **_relay_fields(app, relay, fallback)))
    changed(app)
    return made


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()
"""edit_slot: leave the slot's relay or fallback as it is."""


def _relay_fields(app, relay: str | None, fallback: Sequence[int]) -> dict:
    """The relay source (it must exist) and fallback items (they must exist) of a slot."""
    fallback = tuple(int(i) for i in fallback)
    if fallback and not relay:
        raise RadioError(_("fallback items are aired when a relay fails: give the slot a relay source too"))
    if relay:
        relay = app.sources.get(relay.strip()).code
    if fallback:
        app.library.get_many(list(fallback))
    return {"relay": relay or None, "fallback": fallback}


def edit_slot(app, name: str, *, new_name: str | None = None, at: str | None = None, days: str | None = None,
              max_minutes: int | None = None, start_kind: str | None = None, jingles: bool | None = None,
              relay: str | None | _Keep = KEEP, fallback: Sequence[int] | _Keep = KEEP,
              role: Role | None = None) -> Slot:  # fmt: skip
    """Change what is given; *relay* None makes the slot an ordinary one again (its fallback
    goes with it), *fallback* () leaves the relay without fallback items."""
    require(role, MAY_MANAGE_SLOTS, _("only an administrator may change the slots"))
    old = app.schedule.slot_named(name)
    changes = {}
    if new_name:
        changes["name"] = new_name
    if at:
        changes["start"] = parse_time_of_day(at)
    if days:
        changes["days"] = parse_days(days)
    if max_minutes:
        changes["max_minutes"] = max_minutes
    if start_kind:
        changes["start_rule"] = StartRule.parse(start_kind)
    if jingles is not None:
        changes["jingles"] = jingles
    if relay is not KEEP or fallback is not KEEP:
        new_relay = old.relay if relay is KEEP else relay
        new_fallback = () if new_relay is None and fallback is KEEP else old.fallback if fallback is KEEP else fallback
        if new_fallback and not new_relay:
            raise RadioError(_("slot '{name}' relays no source: give it one with --relay before its fallback items")
                             .format(name=old.name))  # fmt: skip
        changes.update(_relay_fields(app, new_relay, new_fallback))
    edited = app.schedule.save_slot(dataclasses.replace(old, **changes))
    changed(app)
    return edited


def remove_slot(app, name: str, role: Role | None = None) -> tuple[Slot, int]:
    """Remove a slot and its queued entries; returns the slot and how many entries went."""
    require(role, MAY_MANAGE_SLOTS, _("only an administrator may change the slots"))
    old = app.schedule.slot_named(name)
    removed = app.schedule.remove_slot(old.id)
    changed(app)
    return old, removed


def _warnings(items: list[Item], day: date, max_s: float | None, already_s: float) -> list[str]:
    out = []
    for item in items:
        reason = why_not_airable(item, day)
        if reason:
            out.append(_("#{id} {title} will not air on {date}: {reason}").format(
                id=item.id, title=item.title, date=day.strftime("%d/%m/%Y"), reason=reason))  # fmt: skip
    over = overrun_s([already_s] + [i.duration_s for i in items], max_s)
    if over > 0:
        out.append(_("the occurrence now runs {over} past its {minutes}-minute cap; the items that do not fit "
                     "will be skipped").format(over=format_duration(over), minutes=int(max_s // 60)))  # fmt: skip
    return out


def not_passed(start: datetime, zone) -> None:
    """Nothing is queued into the past: it would never air, nor be logged."""
    if start < datetime.now(timezone.utc):
        raise RadioError(_("{when} has already passed: queue into a coming broadcast").format(
            when=start.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")))  # fmt: skip


def being_prepared(app, slot, start: datetime) -> None:
    """Refuse to add to a session whose rundown the daemon has already built: the item would
    neither air nor be logged. (An empty session is left open by the daemon: what is queued
    into it late airs late.)"""
    source = app.sources.find(slot.relay) if slot.relay else None
    lead = preparation_lead_s(app.settings.schedule.preroll_s, source.buffer_s if source else 0.0,
                              source.no_data_s if source else 0.0)  # fmt: skip
    if start - datetime.now(timezone.utc) < timedelta(seconds=lead):
        raise RadioError(_("slot '{name}' at {time} is already being prepared for air: queue the item as a one-off "
                           "broadcast (--at) or into a later session").format(
            name=slot.name, time=start.astimezone(app.settings.zone).strftime("%H:%M:%S")))  # fmt: skip


def queue_into_slot(app, item_ids: list[int], slot_name: str, day: date | None = None,
                    priority: Priority | None = None, role: Role | None = None,
                    stations: str | None = None) -> Queued:  # fmt: skip
    """Queue items, in order, into the slot's next occurrence (or that of *day*), as *role*
    may (None: the station's command line); at a hub, with *stations*, sessions for those
    stations at the occurrence's instant (they fetch them)."""
    items = app.library.get_many(item_ids)
    check_queue_priorities(role, priority, [i.priority for i in items])
    zone = app.settings.zone
    the_slot = app.schedule.slot_named(slot_name)
    if day:
        if day.isoweekday() not in the_slot.days:
            raise RadioError(_("slot '{name}' does not air on {date} ({days})").format(
                name=the_slot.name, date=day.strftime("%d/%m/%Y"), days=format_days(the_slot.days)))  # fmt: skip
        occurrence = occurrence_of(the_slot, day, zone)
        not_passed(occurrence.start, zone)
    else:
        occurrence = next_occurrence(the_slot, datetime.now(timezone.utc), zone)
    existing = app.schedule.entries_for(the_slot.id, occurrence.day)
    if existing and not stations:
        being_prepared(app, the_slot, occurrence.start)
    already = sum(i.duration_s for i in app.library.get_many([e.item_id for e in existing])) if existing else 0.0
    entries = app.schedule.enqueue(item_ids, slot_id=the_slot.id, day=occurrence.day, priority=priority,
                                   stations=check_targets(app, stations))  # fmt: skip
    changed(app)
    where = _("slot '{name}' on {date} at {time}").format(
        name=the_slot.name, date=occurrence.day.strftime("%d/%m/%Y"), time=the_slot.start.strftime("%H:%M"))  # fmt: skip
    return Queued(entries, where, _warnings(items, occurrence.day, occurrence.max_s, already))


def check_targets(app, stations: str | None) -> str | None:
    """At a hub, the stations a queue entry is for ("*" or "A,B", see domain/network.py):
    each must be one of the hub's stations."""
    if stations is None or stations == "*":
        return stations
    known = set(app.stations.codes())
    unknown = [c for c in stations.split(",") if c not in known]
    if unknown:
        raise RadioError(_("no station {codes} at this hub (see 'radio hub station list')").format(
            codes=", ".join(unknown)))  # fmt: skip
    return stations


def queue_at(app, item_ids: list[int], at: str, priority: Priority | None = None, role: Role | None = None,
             stations: str | None = None) -> Queued:  # fmt: skip
    """A one-off broadcast at *at* (HH:MM[:SS] today, or an ISO date-time), as *role* may;
    at a hub, with *stations*, a session for those stations (they fetch it)."""
    items = app.library.get_many(item_ids)
    check_queue_priorities(role, priority, [i.priority for i in items])
    zone = app.settings.zone
    instant = parse_start(at, datetime.now(zone), zone).astimezone(timezone.utc)
    not_passed(instant, zone)
    entries = app.schedule.enqueue(item_ids, at=instant, priority=priority, stations=check_targets(app, stations))
    changed(app)
    local = instant.astimezone(zone)
    where = _("a one-off broadcast at {when}").format(when=local.strftime("%d/%m/%Y %H:%M:%S"))
    return Queued(entries, where, _warnings(items, local.date(), None, 0.0))


def approve_and_queue_at(app, item_id: int, at: str, by: str, role: Role | None = None) -> tuple[Item, Queued]:
    """Approve *item_id* (if a draft) and air it at *at*, as one step: the time is checked
    before anything is written, and should queueing still fail the approval is undone, so a
    bad time never leaves a draft approved. Returns the item as approved and where it airs."""
    from radio.library.catalog import approve_items

    zone = app.settings.zone
    not_passed(parse_start(at, datetime.now(zone), zone).astimezone(timezone.utc), zone)
    before = app.library.get(item_id)
    (approved,) = approve_items(app.library, [item_id], by, role=role) if before.status is ItemStatus.DRAFT else (before,)
    try:
        return approved, queue_at(app, [item_id], at, role=role)
    except Exception:
        if approved is not before:
            app.library.save(before)  # still a draft: nothing of the step stays
        raise


def send_emergency(app, item_ids: list[int], stations: str | None = None, role: Role | None = None) -> list[Item]:
    """Air items now, interrupting whatever is on air, as *role* may (the approver's call;
    None: the station's command line). Every item must be airable today. At a hub, with
    *stations*: on air at each of those stations as soon as it hears of it."""
    require(role, MAY_APPROVE, _("only an approver may send an emergency broadcast"))
    items = app.library.get_many(item_ids)
    now = datetime.now(timezone.utc)
    for item in items:
        reason = why_not_airable(item, now.astimezone(app.settings.zone).date())
        if reason:
            raise RadioError(_("#{id} {title} cannot air: {reason}").format(id=item.id, title=item.title, reason=reason))
    app.schedule.enqueue(item_ids, at=now, priority=Priority.EMERGENCY, stations=check_targets(app, stations))
    changed(app)
    return items


def daemon_running(app) -> bool:
    """Whether the broadcast service (the daemon) holds the station now: only then does a
    queued broadcast air at its time."""
    from radio.scheduler.station_lock import daemon_pid

    return daemon_pid(app.settings.home) is not None


def emergency_answer(n: int, running: bool) -> str:
    """What whoever sent *n* emergency items is told: it airs at once only if the daemon runs;
    otherwise it waits in the queue until the service is started, and the answer says so."""
    if running:
        return ngettext("emergency broadcast of {n} item queued: the daemon airs it within a second or two",
                        "emergency broadcast of {n} items queued: the daemon airs them within a second or two",
                        n).format(n=n)  # fmt: skip
    return ngettext("emergency broadcast of {n} item queued, but the broadcast service is NOT running: it will "
                    "NOT air until the service is started (radio daemon, or systemctl start radio)",
                    "emergency broadcast of {n} items queued, but the broadcast service is NOT running: they will "
                    "NOT air until the service is started (radio daemon, or systemctl start radio)",
                    n).format(n=n)  # fmt: skip


def remove_entries(app, entry_ids: list[int], role: Role | None = None) -> int:
    check_remove_entries(role, app.schedule.entry_priorities(entry_ids))
    n = app.schedule.remove_entries(entry_ids)
    changed(app)
    return n


def move_entry(app, entry_id: int, delta: int) -> None:
    """Move a queue entry *delta* places within its occurrence (negative: earlier)."""
    app.schedule.move_entry(entry_id, delta)
    changed(app)


def _iso(moment: datetime | None, zone) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="milliseconds") if moment else None


def station_status(app, device: dict | None = None, streams: list[dict] | None = None,
                   problems: list[dict] | None = None, clock: dict | None = None,
                   recent: list | None = None) -> dict:  # fmt: skip
    """Whether the daemon runs, what is on air, the sound device, the streams and the clock as
    the daemon sees them (device None, the streams as configured, not running, and the clock
    judged here, when not asked of the daemon), the next occurrences, and the problems an
    operator must know about: what the daemon met (parts of shows that could not air), what
    is wrong in the station's settings now (a missing jingle), and the as-run rows of the
    last 24 h that failed (`radio status --json`). *recent*: those rows, if the caller read them."""
    from radio.scheduler.clock_guard import clock_now
    from radio.scheduler.planner import occurrences
    from radio.scheduler.station_lock import daemon_pid

    zone = app.settings.zone
    now = datetime.now(timezone.utc)
    pid = daemon_pid(app.settings.home)
    if recent is None:  # one read for both
        recent = app.as_run.between(now - timedelta(hours=24), now + timedelta(minutes=1))
    playing = [r for r in recent if r.status is AsRunStatus.PLAYING and r.started_at > now - timedelta(hours=6)]
    on_air = playing[-1] if pid and playing else None
    # an occurrence with rows aired already (a clock set back shows it again): not "next"
    coming = [o for o in occurrences(app, now, now + timedelta(days=8))
              if not app.as_run.for_occurrence(o.start, o.slot_id)][:5]  # fmt: skip
    return {
        "daemon": {"running": pid is not None, "pid": pid if pid and pid > 0 else None},
        "on_air": None if on_air is None else {
            "item_id": on_air.item_id, "relay_source": on_air.relay_source, "title": on_air.title,
            "slot": on_air.slot_name,
            "started_at": _iso(on_air.started_at, zone),
            "elapsed_s": round((now - on_air.started_at).total_seconds(), 1),
        },
        "device": device,
        "streams": streams if streams is not None else [
            {"name": s.label, "kind": s.kind, "target": s.target.redacted(), "running": False}
            for s in app.settings.streams
        ],
        "clock": clock if clock is not None else clock_now(app),
        "next": [{"slot": o.slot_name, "start": _iso(o.start, zone), "relay": o.relay} for o in coming],
        "problems": _problems(app, problems or [], recent),
        "hub": hub_link_status(app),
    }  # fmt: skip


def hub_link_status(app) -> dict | None:
    """The station's link to its hub (`radio join`), as the sync last left it; None: no hub.
    Read from the link's files, never the token."""
    import json

    from radio.home import StationHome

    home = StationHome(app.settings.home)
    try:
        link = json.loads(home.hub_link.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        state = json.loads(home.hub_sync_state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    last = state.get("last_sync")
    last = _iso(datetime.fromisoformat(last), app.settings.zone) if last else None
    return {"url": link.get("url"), "station": link.get("station"), "last_sync": last,
            "in_step": state.get("in_step"), "error": state.get("error"), "unacked_rows": app.link.unacked()}  # fmt: skip


def _problems(app, met: list[dict], recent) -> list[dict]:
    """The daemon's problems, the settings' own, and failed rows of the last 24 h; each once."""
    from radio.scheduler.rundown import jingle_problems

    zone = app.settings.zone
    found = list(met)
    found += [{"at": None, "what": text} for text in jingle_problems(app.settings)]
    for row in recent:
        if row.status is AsRunStatus.FAILED:
            found.append({"at": _iso(row.started_at or row.scheduled_at, zone),
                          "what": _("{title} (#{id}) could not air: {reason}").format(
                              title=row.title, id=row.item_id, reason=row.reason or "?")})  # fmt: skip
    seen: set[str] = set()
    return [p for p in found if not (p["what"] in seen or seen.add(p["what"]))]
