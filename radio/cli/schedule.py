"""`radio slot …`, `radio queue …`, `radio emergency`: the schedule, kept in the database.

The daemon notices every change within a second or two; nothing needs restarting.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import click

from radio.cli.base import Command, Group, json_option, option, print_json, print_table, warn
from radio.cli.context import pass_ctx
from radio.cli.params import DATE, TEXT
from radio.text import format_duration
from radio.domain.library import Priority, why_not_airable
from radio.domain.playout import parse_start
from radio.domain.schedule import (
    Slot, StartRule, format_days, next_occurrence, occurrence_of, overrun_s, parse_days, parse_time_of_day,
)  # fmt: skip
from radio.errors import RadioError
from radio.i18n import _, ngettext

PRIORITY = click.Choice([p.value for p in Priority])


def _changed(ctx) -> None:
    """The schedule changed: a running daemon replans now (it would within 2 s anyway)."""
    from radio.scheduler.station_lock import nudge_daemon

    nudge_daemon(ctx.home)


def slot_json(slot: Slot) -> dict:
    return {
        "id": slot.id,
        "name": slot.name,
        "at": slot.start.strftime("%H:%M:%S"),
        "days": format_days(slot.days),
        "max_minutes": slot.max_minutes,
        "start": str(slot.start_rule),
        "jingles": slot.jingles,
    }


@click.group(cls=Group, help="Broadcast slots (khung giờ phát): named, recurring sessions.")
def slot() -> None:
    pass


@slot.command(name="add", help="Add a recurring slot.")
@click.argument("name", type=TEXT)
@option("--at", "at", required=True, help="Start time, HH:MM[:SS] in station time.")
@option("--days", default="mon-sun", show_default=True, help="Days: mon-sun, mon-fri, mon,wed,fri …")
@option("--max-minutes", type=click.IntRange(1, 1440), help="Maximum length (default: radio.toml [schedule] max_minutes).")
@option("--start", "start_kind", default="hard", show_default=True, help="Start kind: hard, soft or wait:SECONDS.")
@option("--jingles/--no-jingles", default=True, show_default=True, help="Open and close with the station's jingles.")
@json_option
@pass_ctx
def slot_add(ctx, name, at, days, max_minutes, start_kind, jingles, as_json) -> None:
    app = ctx.app
    new = Slot(
        id=0,
        name=name,
        days=parse_days(days),
        start=parse_time_of_day(at),
        max_minutes=max_minutes or app.settings.schedule.max_minutes,
        start_rule=StartRule.parse(start_kind),
        jingles=jingles,
    )
    made = app.schedule.add_slot(new)
    _changed(ctx)
    if as_json:
        print_json(slot_json(made))
    else:
        click.echo(_("added slot '{name}' at {at} ({days}, at most {minutes} min, {start})").format(
            name=made.name, at=made.start.strftime("%H:%M:%S"), days=format_days(made.days),
            minutes=made.max_minutes, start=made.start_rule))  # fmt: skip


@slot.command(name="list", help="List the slots.")
@json_option
@pass_ctx
def slot_list(ctx, as_json) -> None:
    slots = ctx.app.schedule.slots()
    if as_json:
        print_json([slot_json(s) for s in slots])
        return
    if not slots:
        click.echo(_("No slots yet: add one with 'radio slot add'."))
        return
    rows = [[s.name, s.start.strftime("%H:%M:%S"), format_days(s.days), s.max_minutes, str(s.start_rule),
             _("yes") if s.jingles else ""] for s in slots]  # fmt: skip
    print_table([_("Name"), _("Time"), _("Days"), _("Max. min"), _("Start"), _("Jingles")], rows)


@slot.command(name="edit", help="Change a slot.")
@click.argument("name", type=TEXT)
@option("--name", "new_name", type=TEXT, help="New name.")
@option("--at", "at", help="New start time.")
@option("--days", help="New days.")
@option("--max-minutes", type=click.IntRange(1, 1440), help="New maximum length.")
@option("--start", "start_kind", help="New start kind: hard, soft or wait:SECONDS.")
@option("--jingles/--no-jingles", default=None, help="Open and close with the station's jingles.")
@json_option
@pass_ctx
def slot_edit(ctx, name, new_name, at, days, max_minutes, start_kind, jingles, as_json) -> None:
    app = ctx.app
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
    edited = app.schedule.save_slot(dataclasses.replace(old, **changes))
    _changed(ctx)
    if as_json:
        print_json(slot_json(edited))
    else:
        click.echo(_("updated slot '{name}'").format(name=edited.name))


@slot.command(name="remove", help="Remove a slot and what is queued in it (the as-run log keeps its history).")
@click.argument("name", type=TEXT)
@pass_ctx
def slot_remove(ctx, name) -> None:
    app = ctx.app
    old = app.schedule.slot_named(name)
    removed = app.schedule.remove_slot(old.id)
    _changed(ctx)
    click.echo(_("removed slot '{name}' ({n} queued entries with it)").format(name=old.name, n=removed))


@click.group(cls=Group, help="The queue: what each slot occurrence airs, and one-off broadcasts.")
def queue() -> None:
    pass


def _queue_warnings(app, items, day: date, max_s: float | None, already_s: float) -> None:
    for item in items:
        reason = why_not_airable(item, day)
        if reason:
            warn(_("#{id} {title} will not air on {date}: {reason}").format(
                id=item.id, title=item.title, date=day.strftime("%d/%m/%Y"), reason=reason))  # fmt: skip
    over = overrun_s([already_s] + [i.duration_s for i in items], max_s)
    if over > 0:
        warn(_("the occurrence now runs {over} past its {minutes}-minute cap; the items that do not fit "
               "will be skipped").format(over=format_duration(over), minutes=int(max_s // 60)))  # fmt: skip


@queue.command(name="add", help="Queue items into a slot's occurrence, or as a one-off broadcast with --at.")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@option("--slot", "slot_name", type=TEXT, help="The slot (its next occurrence, or that of --date).")
@option("--date", "day", type=DATE, help="The date of the slot's occurrence.")
@option("--at", "at", help="One-off broadcast instant: HH:MM[:SS] today or an ISO date-time.")
@option("--priority", type=PRIORITY, help="Override the items' priority for this broadcast.")
@json_option
@pass_ctx
def queue_add(ctx, item_ids, slot_name, day, at, priority, as_json) -> None:
    app = ctx.app
    if bool(slot_name) == bool(at):
        raise click.UsageError(_("give either --slot or --at"))
    if day and not slot_name:
        raise click.UsageError(_("--date goes with --slot"))
    items = app.library.get_many(list(item_ids))
    zone = app.settings.zone
    prio = Priority(priority) if priority else None
    if slot_name:
        the_slot = app.schedule.slot_named(slot_name)
        if day:
            if day.isoweekday() not in the_slot.days:
                raise RadioError(_("slot '{name}' does not air on {date} ({days})").format(
                    name=the_slot.name, date=day.strftime("%d/%m/%Y"), days=format_days(the_slot.days)))  # fmt: skip
            occurrence = occurrence_of(the_slot, day, zone)
            _not_passed(occurrence.start, zone)
        else:
            occurrence = next_occurrence(the_slot, datetime.now(timezone.utc), zone)
        existing = app.schedule.entries_for(the_slot.id, occurrence.day)
        already = sum(i.duration_s for i in app.library.get_many([e.item_id for e in existing])) if existing else 0.0
        entries = app.schedule.enqueue(list(item_ids), slot_id=the_slot.id, day=occurrence.day, priority=prio)
        _changed(ctx)
        _queue_warnings(app, items, occurrence.day, occurrence.max_s, already)
        where = _("slot '{name}' on {date} at {time}").format(
            name=the_slot.name, date=occurrence.day.strftime("%d/%m/%Y"), time=the_slot.start.strftime("%H:%M"))  # fmt: skip
    else:
        instant = parse_start(at, datetime.now(zone), zone).astimezone(timezone.utc)
        _not_passed(instant, zone)
        entries = app.schedule.enqueue(list(item_ids), at=instant, priority=prio)
        _changed(ctx)
        local = instant.astimezone(zone)
        _queue_warnings(app, items, local.date(), None, 0.0)
        where = _("a one-off broadcast at {when}").format(when=local.strftime("%d/%m/%Y %H:%M:%S"))
    if as_json:
        print_json([entry_json(app, e) for e in entries])
    else:
        click.echo(ngettext("queued {n} item into {where}", "queued {n} items into {where}", len(entries)).format(
            n=len(entries), where=where))  # fmt: skip


def _not_passed(start: datetime, zone) -> None:
    """Nothing is queued into the past: it would never air, nor be logged."""
    if start < datetime.now(timezone.utc):
        raise RadioError(_("{when} has already passed: queue into a coming broadcast").format(
            when=start.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")))  # fmt: skip


def entry_json(app, entry) -> dict:
    zone = app.settings.zone
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "slot_id": entry.slot_id,
        "date": entry.occurrence_date.isoformat() if entry.occurrence_date else None,
        "at": entry.at.astimezone(zone).isoformat() if entry.at else None,
        "position": entry.position,
        "priority": str(entry.priority) if entry.priority else None,
    }


@queue.command(name="list", help="What is queued for a day (default: today and the coming week).")
@option("--date", "day", type=DATE, help="Only this day.")
@json_option
@pass_ctx
def queue_list(ctx, day, as_json) -> None:
    app = ctx.app
    zone = app.settings.zone
    today = datetime.now(zone).date()
    first, last = (day, day) if day else (today, today + timedelta(days=7))
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    entries = app.schedule.entries_between(first, last, start, end)
    slots = {s.id: s for s in app.schedule.slots()}
    items = {i.id: i for i in app.library.get_many(sorted({e.item_id for e in entries}))} if entries else {}
    if as_json:
        out = []
        for e in entries:
            data = entry_json(app, e)
            data["slot"] = slots[e.slot_id].name if e.slot_id in slots else None
            data["title"] = items[e.item_id].title
            data["duration_s"] = items[e.item_id].duration_s
            out.append(data)
        print_json(out)
        return
    if not entries:
        click.echo(_("Nothing queued."))
        return
    rows = []
    for e in entries:
        item = items[e.item_id]
        if e.slot_id is not None:
            s = slots[e.slot_id]
            when = f"{e.occurrence_date.strftime('%d/%m/%Y')} {s.start.strftime('%H:%M')} {s.name}"
        else:
            when = e.at.astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")
        rows.append([e.id, when, item.id, item.title, format_duration(item.duration_s),
                     _(str(e.priority or item.priority))])  # fmt: skip
    print_table([_("Entry"), _("When"), _("Item"), _("Title"), _("Length"), _("Priority")], rows)


@queue.command(name="remove", help="Remove queue entries (by the entry ids 'radio queue list' shows).")
@click.argument("entry_ids", nargs=-1, required=True, type=int)
@pass_ctx
def queue_remove(ctx, entry_ids) -> None:
    n = ctx.app.schedule.remove_entries(list(entry_ids))
    _changed(ctx)
    click.echo(ngettext("removed {n} queue entry", "removed {n} queue entries", n).format(n=n))


@click.command(cls=Command, help="Air items now, interrupting whatever is on air (khẩn cấp).")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@pass_ctx
def emergency(ctx, item_ids) -> None:
    from radio.cli.daemon import ask_daemon

    # A running daemon queues it and puts it on air at once; without one, the database here.
    queued = ask_daemon(ctx.home, {"cmd": "emergency", "ids": list(item_ids)}, fallback_safe=False)
    if queued is None:
        from radio.scheduler.actions import queue_emergency

        queued = queue_emergency(ctx.app, list(item_ids))
        _changed(ctx)
    click.echo(ngettext("emergency broadcast of {n} item queued: the daemon airs it within a second or two",
                        "emergency broadcast of {n} items queued: the daemon airs them within a second or two",
                        len(queued)).format(n=len(queued)))  # fmt: skip

