"""Notices (thông báo): type one, see the words it will be spoken as, listen to it, save it as
a draft; an approver approves it and airs it now or at a time.

One code path with the CLI: the words are `radio tts normalize` (tts.service.spoken_words),
the preview is `radio tts say` (tts.service.say), the draft is `radio announce`
(tts.service.create_notice); approving is `radio library approve` (library.catalog) and airing
is `radio queue add --at` (scheduler.service.queue_at). The services check the roles.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timedelta

from starlette.responses import Response

from radio.domain.library import ItemStatus, Priority
from radio.domain.users import MAY_APPROVE, MAY_WRITE_NOTICES, Role, priorities_for
from radio.errors import NotFoundError, RadioError
from radio.i18n import _, ngettext
from radio.library.catalog import approve_items
from radio.scheduler import service as schedule
from radio.text import nfc, parse_day
from radio.tts import service as tts
from radio.web.core import Ctx, page

LISTED = 30  # the newest notices shown
PREVIEWS_KEPT_S = 3600  # a preview is for listening now; older ones are deleted
NOW_LEAD_S = 2  # "air now": a one-off broadcast this many seconds ahead, so the daemon plans it
_PREVIEW = re.compile(r"^[0-9]+-[A-Za-z0-9_-]{16,64}\.wav$")


def _previews(ctx: Ctx):
    folder = ctx.app.settings.station_home.tts_previews_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _form(ctx: Ctx) -> dict:
    """The compose form's fields as typed (or as the station's defaults on a fresh page)."""
    settings = ctx.app.settings.tts
    if ctx.form is None:
        return {"text": "", "title": "", "topic": "", "voice": settings.voice, "repeat": str(settings.repeat),
                "chime": "", "priority": "normal", "source": ""}  # fmt: skip
    return {name: nfc(ctx.f(name)) for name in ("text", "title", "topic", "voice", "repeat", "chime", "priority",
                                                "source")}  # fmt: skip


def _listed(ctx: Ctx) -> list:
    found = [i for i in ctx.app.library.list(newest_first=True, limit=500)
             if i.notice_text is not None and i.status is not ItemStatus.RETIRED]  # fmt: skip
    return found[:LISTED]


def _render(ctx: Ctx, form: dict, spoken: str | None = None, preview: str | None = None, status: int = 200):
    app = ctx.app
    return ctx.render(
        "notices.html", status=status, form=form, spoken=spoken, preview=preview, notices=_listed(ctx),
        topics=app.taxonomy.topics, voices=tts.VOICES, repeats=range(1, tts.MAX_REPEAT + 1),
        priorities=[p for p in priorities_for(ctx.user.role) if p is not Priority.EMERGENCY],
        may_write=ctx.user.role.allows(MAY_WRITE_NOTICES), may_approve=ctx.user.role.allows(MAY_APPROVE),
        today=datetime.now(app.settings.zone).date().isoformat(),
    )  # fmt: skip


def notices_page(ctx: Ctx):
    return _render(ctx, _form(ctx))


def _repeat(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) == 1 else None


def _chime(text: str) -> str | None:
    return tts.NO_CHIME if text == tts.NO_CHIME else None  # never a path or an item from a form


def _voice(text: str) -> str | None:
    return text if text in tts.VOICES else None


def compose(ctx: Ctx):
    """One form, three buttons: see the words, listen, save as a draft."""
    app = ctx.app
    form = _form(ctx)
    action = ctx.f("do")
    if action == "save":
        priority = Priority(form["priority"]) if form["priority"] in {p.value for p in Priority} else Priority.NORMAL
        _rendering, result = tts.create_notice(
            app, form["text"], topic=form["topic"], title=form["title"], voice=_voice(form["voice"]),
            repeat=_repeat(form["repeat"]), chime=_chime(form["chime"]), source=form["source"] or None,
            priority=priority, role=ctx.user.role,
        )  # fmt: skip
        item = result.item
        ctx.audit("notice.add", f"#{item.id} {item.title}")
        if result.duplicate:
            ctx.flash(_("this notice is already in the library as #{id}").format(id=item.id), "warning")
        else:
            ctx.flash(_("saved notice #{id} {title} as a draft: an approver must approve it before it airs").format(
                id=item.id, title=item.title))  # fmt: skip
        return ctx.redirect(f"/notices#notice-{item.id}")
    try:
        spoken = tts.spoken_words(form["text"], app.lexicon, app.settings.tts.max_chars)
    except RadioError as err:
        ctx.flash(str(err), "error")
        return _render(ctx, form, status=422)
    preview = None
    if action == "listen":
        preview = _make_preview(ctx, form)
    return _render(ctx, form, spoken=spoken, preview=preview)


def _make_preview(ctx: Ctx, form: dict) -> str:
    """The notice rendered as it will air (chime, readings), to a file only this user may fetch."""
    folder = _previews(ctx)
    cutoff = time.time() - PREVIEWS_KEPT_S
    for old in folder.glob("*.wav"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    name = f"{ctx.user.id}-{secrets.token_urlsafe(18)}.wav"
    app = ctx.app
    tts.say(app.settings, app.lexicon, form["text"], folder / name, voice=_voice(form["voice"]),
            repeat=_repeat(form["repeat"]) or app.settings.tts.repeat, chime=_chime(form["chime"]))  # fmt: skip
    return name


def preview(ctx: Ctx):
    """A preview, to its own user only; the name is a random token, never a path."""
    name = ctx.request.path_params["name"]
    if not _PREVIEW.match(name) or not name.startswith(f"{ctx.user.id}-"):
        raise NotFoundError(_("not found"))
    path = _previews(ctx) / name
    try:
        if path.is_symlink():  # only a file the console wrote there, never what a link points to
            raise OSError(name)
        data = path.read_bytes()
    except OSError:
        raise NotFoundError(_("this preview is gone: listen again")) from None
    return Response(data, media_type="audio/wav", headers={"Cache-Control": "no-store"})


def _when(ctx: Ctx) -> str | None:
    """The instant the approver chose (None: approve only), checked before anything is written."""
    zone = ctx.app.settings.zone
    when = ctx.f("when")
    if when == "now":
        return (datetime.now(zone) + timedelta(seconds=NOW_LEAD_S)).replace(microsecond=0).isoformat()
    if when != "at":
        return None
    clock = ctx.f("at").strip()
    try:
        day = parse_day(ctx.f("date").strip()) if ctx.f("date").strip() else datetime.now(zone).date()
    except ValueError:
        raise RadioError(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=ctx.f("date"))) from None
    if not clock:
        raise RadioError(_("give the time it airs (HH:MM)"))
    return f"{day.isoformat()}T{clock}"


def air(ctx: Ctx):
    """Approve (a draft) and air: now, at a time, or not yet (approve only). A bad time
    leaves the draft as it was (the service checks it before approving)."""
    app = ctx.app
    item = app.library.get(ctx.request.path_params["item_id"])
    if item.notice_text is None:
        raise NotFoundError(_("#{id} is not a notice").format(id=item.id))
    was_draft = item.status is ItemStatus.DRAFT
    at = _when(ctx)
    queued = None
    if at is None:
        if was_draft:
            (item,) = approve_items(app.library, [item.id], ctx.user.display, role=ctx.user.role)
    else:
        item, queued = schedule.approve_and_queue_at(app, item.id, at, ctx.user.display, role=ctx.user.role)
    if was_draft:
        ctx.audit("item.approve", f"#{item.id} {item.title}")
        ctx.flash(_("approved #{id} {title} (by {name})").format(id=item.id, title=item.title, name=item.approved_by))
    if queued is None:
        return ctx.redirect(f"/notices#notice-{item.id}")
    ctx.audit("queue.add", f"#{item.id} → {queued.where}")
    ctx.flash(ngettext("queued {n} item into {where}", "queued {n} items into {where}", 1).format(n=1, where=queued.where))
    for message in queued.warnings:
        ctx.flash(message, "warning")
    if not schedule.daemon_running(app):
        ctx.flash(_("the broadcast service is NOT running: nothing airs until it is started"), "error")
    return ctx.redirect(f"/notices#notice-{item.id}")


def routes() -> list:
    return [
        page("/notices", notices_page),
        page("/notices", compose, role=Role.OPERATOR, methods=("POST",), name="notices-compose"),
        page("/notices/preview/{name}", preview, role=Role.OPERATOR),
        page("/notices/{item_id:int}/air", air, role=Role.APPROVER, methods=("POST",)),
    ]
