"""On air: what plays now and next, the daemon's and the sound device's health, and the
emergency button (the same request as `radio emergency`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from radio.accounts import approver_names
from radio.domain.asrun import AsRunStatus
from radio.domain.library import ItemStatus
from radio.domain.users import Role
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.scheduler import service
from radio.web.core import Ctx, number, page

CHOICES = 300  # the newest approved items offered for an emergency
DRAFTS_SHOWN = 5  # drafts listed with a player on On air; the library lists them all


def _daemon_status(app) -> dict:
    """The status as the running daemon sees it now: the sound device, the clock, the problems
    (empty: no daemon answering)."""
    from radio.scheduler.control import DaemonError, NoDaemon, ask

    try:
        data = ask(app.settings.home, {"cmd": "status"}, timeout=2.0)
    except (NoDaemon, DaemonError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _state(ctx: Ctx) -> dict:
    app = ctx.app
    from radio.scheduler.planner import occurrences, show_for

    daemon = _daemon_status(app)
    now = datetime.now(timezone.utc)
    recent = app.as_run.between(now - timedelta(hours=24), now + timedelta(minutes=1))  # read once, used thrice
    status = service.station_status(app, problems=daemon.get("problems"), clock=daemon.get("clock"),
                                    streams=daemon.get("streams"), recent=recent)  # fmt: skip
    status["device"] = daemon.get("device")
    on_air = status["on_air"]
    if on_air and on_air["item_id"] is not None:
        try:
            item = app.library.get(on_air["item_id"])
            on_air["topic"] = item.topic
            on_air["duration_s"] = item.duration_s
            on_air["remaining_s"] = max(0.0, item.duration_s - on_air["elapsed_s"])
        except NotFoundError:
            pass
    if on_air:
        on_air.setdefault("topic", None)  # a relay segment has no item (the page crashed on one)
    coming = []
    for occurrence in occurrences(app, now, now + timedelta(days=2))[:3]:
        show = show_for(app, occurrence)
        coming.append({"occurrence": occurrence, "items": show.items, "skipped": show.skipped})
    failures = [r for r in recent if r.status is AsRunStatus.FAILED][-3:]
    last = [r for r in recent if r.status is not AsRunStatus.PLAYING][-5:]
    from radio.web.pages.onair_health import relay_health, stream_health

    return {"station_status": status, "on_air": on_air, "coming": coming, "failures": failures, "last": last,
            "relay": relay_health(app, recent, on_air, status["next"]),
            "streams": stream_health(status["streams"], status["daemon"]["running"])}  # fmt: skip


def on_air(ctx: Ctx):
    """The approver's first screen on a phone: how many drafts wait for approval and the
    emergency button at the top, the drafts with a player beside Approve, then the live part."""
    data = _state(ctx)
    if ctx.q("fragment"):  # the 5-s refresh: the approvers' names only when a draft is held back
        held = any(item.status is ItemStatus.DRAFT for c in data["coming"] for item, _why in c["skipped"])
        data["approvers"] = approver_names(ctx.app.users) if held else []
        return ctx.render("onair_live.html", **data)
    data["approvers"] = approver_names(ctx.app.users)
    approved = []
    if ctx.user.role.allows(Role.APPROVER):
        approved = ctx.app.library.list(status=str(ItemStatus.APPROVED), newest_first=True, limit=CHOICES)
    library = ctx.app.library  # the drafts' number, and only the few shown (not every draft read)
    drafts = library.list(status=str(ItemStatus.DRAFT), newest_first=True, limit=DRAFTS_SHOWN)
    return ctx.render("onair.html", approved=approved, drafts=drafts, drafts_count=library.count(status=str(ItemStatus.DRAFT)),
                      **data)  # fmt: skip


def emergency(ctx: Ctx):
    """Two steps, so a slip of the thumb airs nothing: choose, then confirm."""
    ids = [number(v) for v in ctx.f_all("item")]
    if not ids or None in ids:
        raise RadioError(_("choose an item"))
    items = ctx.app.library.get_many(ids)
    if ctx.f("confirm") != "yes":
        return ctx.render("emergency_confirm.html", items=items, running=service.daemon_running(ctx.app))
    sent = service.send_emergency(ctx.app, ids, role=ctx.user.role)
    running = service.daemon_running(ctx.app)
    ctx.audit("emergency", ", ".join(f"#{i.id} {i.title}" for i in sent))
    ctx.flash(service.emergency_answer(len(sent), running), "ok" if running else "error")
    return ctx.redirect("/on-air")


def confirm_clock(ctx: Ctx):
    """The clock checked against a phone: the rows a fast clock wrote ahead no longer hold the
    schedule (the same request as `radio clock confirm`; audited there)."""
    from radio.scheduler.clock_service import confirm_clock as confirm

    done = confirm(ctx.app, ctx.user.name, role=ctx.user.role, address=ctx.address)
    if done["clock"]["held"]:
        ctx.flash(_("the schedule is still held: {reason}").format(reason=done["clock"]["reason"]), "error")
    else:
        ctx.flash(_("clock confirmed right: the schedule resumes"), "ok")
    return ctx.redirect("/on-air")


def routes() -> list:
    return [
        page("/on-air", on_air),
        page("/clock/confirm", confirm_clock, role=Role.APPROVER, methods=("POST",)),
        page("/emergency", emergency, role=Role.APPROVER, methods=("POST",)),
    ]
