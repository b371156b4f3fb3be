"""`radio slot …`, `radio queue …`, `radio emergency`: the schedule, kept in the database.

The daemon notices every change within a second or two; nothing needs restarting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from radio.cli.base import Command, Group, json_option, option, print_json, print_table, warn
from radio.cli.context import pass_ctx
from radio.cli.params import DATE, TEXT
from radio.scheduler import service
from radio.text import format_duration
from radio.domain.library import Priority
from radio.domain.network import parse_targets
from radio.domain.schedule import Slot, format_days
from radio.i18n import _, ngettext

PRIORITY = click.Choice([p.value for p in Priority])


def stations_options(command):
    """--stations / --all: at a hub, the stations a broadcast is for."""
    command = option("--all", "every", is_flag=True, help="At a hub: for every station.")(command)
    return option("--stations", help="At a hub: for these stations, CODE[,CODE…].")(command)


def slot_json(slot: Slot) -> dict:
    return {
        "id": slot.id,
        "name": slot.name,
        "at": slot.start.strftime("%H:%M:%S"),
        "days": format_days(slot.days),
        "max_minutes": slot.max_minutes,
        "start": str(slot.start_rule),
        "jingles": slot.jingles,
        "relay": slot.relay,
        "fallback": list(slot.fallback),
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
@option("--relay", help="Relay this source (its code, see 'radio source list') after the queued items, to the end.")
@option("--fallback", type=int, multiple=True,
        help="An item aired while the relay is dead air; repeat for several, in order. Needs --relay.")  # fmt: skip
@json_option
@pass_ctx
def slot_add(ctx, name, at, days, max_minutes, start_kind, jingles, relay, fallback, as_json) -> None:
    if fallback and not relay:
        raise click.UsageError(_("--fallback goes with --relay"))
    made = service.add_slot(ctx.app, name, at, days, max_minutes, start_kind, jingles, relay=relay, fallback=fallback)
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
             _("yes") if s.jingles else "", _relay_cell(s)] for s in slots]  # fmt: skip
    print_table([_("Name"), _("Time"), _("Days"), _("Max. min"), _("Start"), _("Jingles"), _("Relay")], rows)


def _relay_cell(slot: Slot) -> str:
    """The source a slot relays, and its fallback items: "vov1 (fallback #12, #7)"."""
    if not slot.relay:
        return ""
    if not slot.fallback:
        return slot.relay
    return _("{code} (fallback {items})").format(code=slot.relay, items=", ".join(f"#{i}" for i in slot.fallback))


@slot.command(name="edit", help="Change a slot.")
@click.argument("name", type=TEXT)
@option("--name", "new_name", type=TEXT, help="New name.")
@option("--at", "at", help="New start time.")
@option("--days", help="New days.")
@option("--max-minutes", type=click.IntRange(1, 1440), help="New maximum length.")
@option("--start", "start_kind", help="New start kind: hard, soft or wait:SECONDS.")
@option("--jingles/--no-jingles", default=None, help="Open and close with the station's jingles.")
@option("--relay", help="Relay this source (its code) after the queued items, to the end.")
@option("--no-relay", is_flag=True, help="Relay nothing any more (the fallback items go too).")
@option("--fallback", type=int, multiple=True, help="The items aired while the relay is dead air (replace the list).")
@option("--no-fallback", is_flag=True, help="No fallback items.")
@json_option
@pass_ctx
def slot_edit(ctx, name, new_name, at, days, max_minutes, start_kind, jingles, relay, no_relay, fallback, no_fallback,
              as_json) -> None:  # fmt: skip
    if relay and no_relay:
        raise click.UsageError(_("give either --relay or --no-relay"))
    if fallback and no_fallback:
        raise click.UsageError(_("give either --fallback or --no-fallback"))
    if fallback and no_relay:
        raise click.UsageError(_("--fallback goes with --relay"))
    edited = service.edit_slot(ctx.app, name, new_name=new_name, at=at, days=days, max_minutes=max_minutes,
                               start_kind=start_kind, jingles=jingles,
                               relay=None if no_relay else relay or service.KEEP,
                               fallback=() if no_fallback else fallback or service.KEEP)  # fmt: skip
    if as_json:
        print_json(slot_json(edited))
    else:
        click.echo(_("updated slot '{name}'").format(name=edited.name))


@slot.command(name="remove", help="Remove a slot and what is queued in it (the as-run log keeps its history).")
@click.argument("name", type=TEXT)
@pass_ctx
def slot_remove(ctx, name) -> None:
    old, removed = service.remove_slot(ctx.app, name)
    click.echo(_("removed slot '{name}' ({n} queued entries with it)").format(name=old.name, n=removed))


@click.group(cls=Group, help="The queue: what each slot occurrence airs, and one-off broadcasts.")
def queue() -> None:
    pass


@queue.command(name="add", help="Queue items into a slot's occurrence, or as a one-off broadcast with --at.")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@option("--slot", "slot_name", type=TEXT, help="The slot (its next occurrence, or that of --date).")
@option("--date", "day", type=DATE, help="The date of the slot's occurrence.")
@option("--at", "at", help="One-off broadcast instant: HH:MM[:SS] today or an ISO date-time.")
@option("--priority", type=PRIORITY, help="Override the items' priority for this broadcast.")
@stations_options
@json_option
@pass_ctx
def queue_add(ctx, item_ids, slot_name, day, at, priority, stations, every, as_json) -> None:
    app = ctx.app
    if bool(slot_name) == bool(at):
        raise click.UsageError(_("give either --slot or --at"))
    targets = parse_targets(stations, every)
    if day and not slot_name:
        raise click.UsageError(_("--date goes with --slot"))
    prio = Priority(priority) if priority else None
    if slot_name:
        queued = service.queue_into_slot(app, list(item_ids), slot_name, day, prio, stations=targets)
    else:
        queued = service.queue_at(app, list(item_ids), at, prio, stations=targets)
    for message in queued.warnings:
        warn(message)
    entries, where = queued.entries, queued.where
    if as_json:
        print_json([entry_json(app, e) for e in entries])
    else:
        click.echo(ngettext("queued {n} item into {where}", "queued {n} items into {where}", len(entries)).format(
            n=len(entries), where=where))  # fmt: skip


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
    n = service.remove_entries(ctx.app, list(entry_ids))
    click.echo(ngettext("removed {n} queue entry", "removed {n} queue entries", n).format(n=n))


@click.command(cls=Command, help="Air items now, interrupting whatever is on air (khẩn cấp).")
@click.argument("item_ids", nargs=-1, required=True, type=int)
@stations_options
@pass_ctx
def emergency(ctx, item_ids, stations, every) -> None:
    from radio.cli.daemon import ask_daemon

    targets = parse_targets(stations, every)
    if targets:  # at a hub: each station airs it as soon as it hears of it (within seconds)
        sent = service.send_emergency(ctx.app, list(item_ids), stations=targets)
        click.echo(ngettext("emergency broadcast of {n} item sent to {stations}",
                            "emergency broadcast of {n} items sent to {stations}", len(sent)).format(
            n=len(sent), stations=_("every station") if targets == "*" else targets))  # fmt: skip
        return

    # A running daemon queues it and puts it on air at once; without one, the database here.
    queued = ask_daemon(ctx.home, {"cmd": "emergency", "ids": list(item_ids)}, fallback_safe=False)
    running = queued is not None
    if queued is None:
        queued = service.send_emergency(ctx.app, list(item_ids))
        running = service.daemon_running(ctx.app)
    click.echo(service.emergency_answer(len(queued), running))

