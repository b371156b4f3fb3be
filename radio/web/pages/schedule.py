"""Schedule: the week's sessions with their queued items and length against the cap; queue,
remove, reorder, one-off broadcasts; slots (admin). Every change goes through
radio.scheduler.service, like `radio slot|queue`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from radio.accounts import approver_names
from radio.domain.library import ItemStatus, Priority
from radio.domain.reports import PeriodError, parse_week
from radio.domain.schedule import parse_time_of_day
from radio.domain.users import Role
from radio.errors import RadioError
from radio.i18n import _, ngettext
from radio.scheduler import service
from radio.text import nfc, parse_day
from radio.web import forms
from radio.web.core import Ctx, number, page
from radio.web.forms import bounded_text

CHOICES = 300  # the newest items offered in the queue form; older ones by id


def _week_start(ctx: Ctx) -> date:
    zone = ctx.app.settings.zone
    text = ctx.q("week")
    if text:
        try:
            return parse_week(text, zone).first
        except PeriodError as err:
            raise RadioError(str(err)) from None
    today = datetime.now(zone).date()
    return today - timedelta(days=today.isoweekday() - 1)


def schedule_page(ctx: Ctx):
    from radio.scheduler.planner import occurrences

    app = ctx.app
    zone = app.settings.zone
    monday = _week_start(ctx)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=7)
    now = datetime.now(timezone.utc)
    days = {monday + timedelta(days=n): [] for n in range(7)}
    found = occurrences(app, start.astimezone(timezone.utc), end.astimezone(timezone.utc))
    # A slot is shown from when it was made: one added today never sat on the week's past days.
    created = {s.id: s.created_at for s in app.schedule.slots()}
    found = [o for o in found if o.slot_id is None or not created.get(o.slot_id) or o.start >= created[o.slot_id]]
    for occ in found:
        if occ.slot_id is not None:
            entries = app.schedule.entries_for(occ.slot_id, occ.day)
        else:
            entries = app.schedule.one_offs_between(occ.start, occ.start + timedelta(microseconds=1))
        items = app.library.get_many([e.item_id for e in entries]) if entries else []
        total = sum(i.duration_s for i in items)
        days.setdefault(occ.start.astimezone(zone).date(), []).append({
            "occurrence": occ, "entries": list(zip(entries, items)), "total_s": total,
            "over": occ.max_s is not None and total > occ.max_s, "past": occ.start < now,
        })  # fmt: skip
    iso = monday.isocalendar()
    prev_monday, next_monday = monday - timedelta(days=7), monday + timedelta(days=7)
    week_code = lambda d: f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}"  # noqa: E731
    queueable = [i for i in app.library.list(newest_first=True, limit=CHOICES) if i.status is not ItemStatus.RETIRED]
    return ctx.render(
        "schedule.html", days=days, today=datetime.now(zone).date(), day_labels=forms.DAY_LABELS,
        week=f"{iso[0]}-W{iso[1]:02d}", prev_week=week_code(prev_monday), next_week=week_code(next_monday),
        slots=app.schedule.slots(), items=queueable, priorities=list(Priority),
        approvers=approver_names(app.users),
    )  # fmt: skip


def _item_ids(ctx: Ctx) -> list[int]:
    ids = [n for v in ctx.f_all("item") if (n := number(v)) is not None]
    for word in ctx.f("ids").replace(",", " ").split():
        found = number(word.lstrip("#"))
        if found is None:
            raise RadioError(_("'{value}' is not an item number").format(value=word))
        ids.append(found)
    if not ids:
        raise RadioError(_("choose an item"))
    return ids


def queue(ctx: Ctx):
    app = ctx.app
    ids = _item_ids(ctx)
    prio_text = ctx.f("priority")
    priority = Priority(prio_text) if prio_text in {p.value for p in Priority} else None
    slot_name, day_text, at = ctx.f("slot"), ctx.f("date").strip(), ctx.f("at").strip()
    if slot_name:
        try:
            day = parse_day(day_text) if day_text else None
        except ValueError:
            raise RadioError(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=day_text)) from None
        queued = service.queue_into_slot(app, ids, slot_name, day, priority, role=ctx.user.role)
    elif at:
        if day_text:
            try:
                at = f"{parse_day(day_text).isoformat()}T{at}"
            except ValueError:
                raise RadioError(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=day_text)) from None
        queued = service.queue_at(app, ids, at, priority, role=ctx.user.role)
    else:
        raise RadioError(_("choose a slot, or a time for a one-off broadcast"))
    ctx.audit("queue.add", f"{', '.join('#' + str(i) for i in ids)} → {queued.where}")
    ctx.flash(ngettext("queued {n} item into {where}", "queued {n} items into {where}", len(queued.entries)).format(
        n=len(queued.entries), where=queued.where))  # fmt: skip
    for message in queued.warnings:
        ctx.flash(message, "warning")
    waiting = [i for i in app.library.get_many(ids) if i.status is ItemStatus.DRAFT]
    if waiting:  # who the operator should ask
        names = "; ".join(approver_names(app.users)) or _("an approver")
        ctx.flash(_("{items}: waiting for approval by {names}").format(
            items=", ".join(f"#{i.id}" for i in waiting), names=names), "warning")  # fmt: skip
    return ctx.redirect(ctx.back("/schedule"))


def remove_entry(ctx: Ctx):
    entry_id = ctx.request.path_params["entry_id"]
    n = service.remove_entries(ctx.app, [entry_id], role=ctx.user.role)
    ctx.audit("queue.remove", f"entry {entry_id}")
    ctx.flash(ngettext("removed {n} queue entry", "removed {n} queue entries", n).format(n=n))
    return ctx.redirect(ctx.back("/schedule"))


def move_entry(ctx: Ctx):
    entry_id = ctx.request.path_params["entry_id"]
    delta = -1 if ctx.f("delta") == "-1" else 1
    service.move_entry(ctx.app, entry_id, delta)
    ctx.audit("queue.move", f"entry {entry_id} {delta:+d}")
    return ctx.redirect(ctx.back("/schedule"))


def _slot_by_id(ctx: Ctx):
    slot_id = ctx.request.path_params["slot_id"]
    for s in ctx.app.schedule.slots():
        if s.id == slot_id:
            return s
    raise RadioError(_("no such slot"))


def _minutes(text: str) -> int | None:
    if not text.strip():
        return None
    minutes = number(text.strip(), 1440)
    if not minutes:
        raise RadioError(_("the maximum length is a number of minutes from 1 to 1440"))
    return minutes


def _slot_fields(ctx: Ctx) -> dict:
    """Every field of the slot form, checked here before anything is stored: the weekday
    boxes, the start-rule select and its seconds, the time, the length cap, the name."""
    name = bounded_text(nfc(ctx.f("name")).strip(), _("Name"), 100)
    if not name:
        raise RadioError(_("give the slot a name"))
    at = ctx.f("at").strip()
    if not at:
        raise RadioError(_("give the slot's starting time"))
    parse_time_of_day(at)
    return {"name": name, "at": at, "days": forms.days_from_form(ctx.f_all("day")),
            "max_minutes": _minutes(ctx.f("max_minutes")), "start": forms.start_from_form(ctx.f("start"), ctx.f("wait_s")),
            "jingles": ctx.f("jingles") == "on"}  # fmt: skip


def _fallback(ctx: Ctx) -> list[int]:
    """The fallback items, as `--fallback 12,7` takes them: numbers in air order."""
    ids = []
    for word in ctx.f("fallback").replace(",", " ").split():
        found = number(word.lstrip("#"))
        if found is None:
            raise RadioError(_("'{value}' is not an item number").format(value=word))
        ids.append(found)
    return ids


def _relay_changes(ctx: Ctx) -> dict:
    """The relay and fallback of an edit form; a form without those fields changes neither."""
    if ctx.form is None or "relay" not in ctx.form:
        return {}
    return {"relay": ctx.f("relay").strip() or None, "fallback": _fallback(ctx)}


def slot_add(ctx: Ctx):
    f = _slot_fields(ctx)
    made = service.add_slot(ctx.app, f["name"], f["at"], f["days"], f["max_minutes"], f["start"], f["jingles"],
                            relay=ctx.f("relay").strip() or None, fallback=_fallback(ctx),
                            role=ctx.user.role)  # fmt: skip
    ctx.audit("slot.add", f"{made.name} {made.start.strftime('%H:%M')}")
    ctx.flash(_("added slot '{name}'").format(name=made.name))
    return ctx.redirect("/schedule/slots")


def slot_edit(ctx: Ctx):
    old = _slot_by_id(ctx)
    f = _slot_fields(ctx)
    edited = service.edit_slot(ctx.app, old.name, new_name=f["name"], at=f["at"], days=f["days"],
                               max_minutes=f["max_minutes"], start_kind=f["start"], jingles=f["jingles"],
                               role=ctx.user.role, **_relay_changes(ctx))  # fmt: skip
    ctx.audit("slot.edit", edited.name)
    ctx.flash(_("updated slot '{name}'").format(name=edited.name))
    return ctx.redirect("/schedule/slots")


def slot_remove(ctx: Ctx):
    old = _slot_by_id(ctx)
    old, n = service.remove_slot(ctx.app, old.name, role=ctx.user.role)
    ctx.audit("slot.remove", f"{old.name} ({n})")
    ctx.flash(_("removed slot '{name}' ({n} queued entries with it)").format(name=old.name, n=n))
    return ctx.redirect("/schedule/slots")


def slots_page(ctx: Ctx):
    return ctx.render("slots.html", slots=ctx.app.schedule.slots(), default_max=ctx.app.settings.schedule.max_minutes,
                      max_wait=forms.MAX_WAIT_S, sources=ctx.app.sources.all())  # fmt: skip


def routes() -> list:
    return [
        page("/schedule", schedule_page),
        page("/schedule/queue", queue, role=Role.OPERATOR, methods=("POST",)),
        page("/schedule/entries/{entry_id:int}/remove", remove_entry, role=Role.OPERATOR, methods=("POST",)),
        page("/schedule/entries/{entry_id:int}/move", move_entry, role=Role.OPERATOR, methods=("POST",)),
        page("/schedule/slots", slots_page),
        page("/schedule/slots/add", slot_add, role=Role.ADMIN, methods=("POST",)),
        page("/schedule/slots/{slot_id:int}/edit", slot_edit, role=Role.ADMIN, methods=("POST",)),
        page("/schedule/slots/{slot_id:int}/remove", slot_remove, role=Role.ADMIN, methods=("POST",)),
    ]
