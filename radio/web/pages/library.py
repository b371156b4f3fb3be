"""Library: search and filter, upload (through the importer), listen, edit, approve, retire."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool

from radio.accounts import approver_names
from radio.domain.library import ItemStatus, Priority
from radio.domain.library import AUDIO_SUFFIXES
from radio.domain.users import Role, check_priority, priorities_for
from radio.errors import ForbiddenError, RadioError
from radio.i18n import _
from radio.library.catalog import approve_items, edit_item, retire_items
from radio.library.importer import ImportOptions
from radio.text import fold_ascii, nfc, parse_day
from radio.web.core import Ctx, json_response, number, page
from radio.web.forms import bounded_text, language_from_form
from radio.web.imports import Busy

PAGE_SIZE = 50
DRAFTS_SHOWN = 50


def _int(text: str, default: int = 1) -> int:
    return number(text, 10**8) or default


def library_page(ctx: Ctx):
    app = ctx.app
    topic, status, language, text = ctx.q("topic"), ctx.q("status"), ctx.q("language"), nfc(ctx.q("q"))
    if status and status not in {s.value for s in ItemStatus}:
        status = ""
    code = app.taxonomy.resolve(topic).code if topic else None
    found = app.library.index(topic=code, status=status or None, language=language or None)
    if text:
        needle = fold_ascii(text)
        found = [f for f in found if needle in fold_ascii(f"{f[1]} {f[2] or ''} {f[3]} #{f[0]}")]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(_int(ctx.q("page")), pages)
    ids = [f[0] for f in found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
    shown = app.library.get_many(ids) if ids else []
    # Drafts first, each with its player beside Approve: the approver's work, above the upload form.
    drafts = app.library.list(status=str(ItemStatus.DRAFT), newest_first=True, limit=DRAFTS_SHOWN)
    return ctx.render(
        "library.html", items=shown, total=len(found),
        absent={i.id for i in shown if not app.media.path(i.media_path).is_file()},  # a hub item not fetched yet
        page=number, pages=pages, drafts=drafts,
        approvers=approver_names(app.users),
        filters={"topic": topic, "status": status, "language": language, "q": text},
        topics=app.taxonomy.topics, statuses=list(ItemStatus), priorities=priorities_for(ctx.user.role),
        max_upload_mb=app.settings.web.max_upload_mb,
    )  # fmt: skip


def item_page(ctx: Ctx):
    app = ctx.app
    item = app.library.get(ctx.request.path_params["item_id"])
    offered = [p for p in Priority if p in priorities_for(ctx.user.role) or p is item.priority]
    return ctx.render("item.html", item=item, topics=app.taxonomy.topics, priorities=offered,
                      slots=app.schedule.slots(), media_path=app.media.path(item.media_path),
                      approvers=approver_names(app.users))  # fmt: skip


def _optional_day(text: str, label: str):
    if not text.strip():
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise RadioError(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=text)) from None


def edit(ctx: Ctx):
    app = ctx.app
    item_id = ctx.request.path_params["item_id"]
    priority = ctx.f("priority")
    if priority and priority not in {p.value for p in Priority}:
        raise RadioError(_("choose a priority from the list"))
    before = app.library.get(item_id)
    item = edit_item(
        app.library, app.taxonomy, item_id,
        title=ctx.f("title") if ctx.f("title").strip() else None, topic=ctx.f("topic") or None,
        language=language_from_form(ctx.f("language"), before.language) if ctx.f("language") else None,
        source=bounded_text(ctx.f("source"), _("Source"), 200), priority=Priority(priority) if priority else None,
        valid_from=_optional_day(ctx.f("valid_from"), "valid_from"),
        valid_until=_optional_day(ctx.f("valid_until"), "valid_until"), role=ctx.user.role,
    )  # fmt: skip
    ctx.audit("item.edit", f"#{item.id} {item.title}")
    ctx.flash(_("updated #{id} {title}").format(id=item.id, title=item.title))
    if before.status is ItemStatus.APPROVED and item.status is ItemStatus.DRAFT:
        ctx.flash(_("#{id} needs a new approval before it airs again").format(id=item.id), "warning")
    return ctx.redirect(f"/library/{item.id}")


def _ids(ctx: Ctx) -> list[int]:
    ids = [n for v in ctx.f_all("item") if (n := number(v)) is not None]
    if "item_id" in ctx.request.path_params:
        ids = [ctx.request.path_params["item_id"]]
    if not ids:
        raise RadioError(_("choose an item"))
    return ids


def approve(ctx: Ctx):
    """Recorded under the logged-in approver's display name, now."""
    items = approve_items(ctx.app.library, _ids(ctx), ctx.user.display, role=ctx.user.role)
    for item in items:
        ctx.audit("item.approve", f"#{item.id} {item.title}")
        ctx.flash(_("approved #{id} {title} (by {name})").format(id=item.id, title=item.title, name=item.approved_by))
    return ctx.redirect(ctx.back("/library"))


def retire(ctx: Ctx):
    items = retire_items(ctx.app.library, _ids(ctx))
    for item in items:
        ctx.audit("item.retire", f"#{item.id} {item.title}")
        ctx.flash(_("retired #{id} {title}").format(id=item.id, title=item.title))
    return ctx.redirect(ctx.back("/library"))


def upload_name(header: str) -> str:
    """The uploaded file's own name, reduced to a plain file name: never a path."""
    name = nfc(unquote(header or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name[:150] or "upload"


def _import_one(app, path: Path, options: ImportOptions):
    (result,) = app.importer(workers=1).run([path], options)
    return result


async def upload(ctx: Ctx):
    """One file per request, the raw body streamed to disk (the browser sends the files one
    after the other, showing each one's progress), then the library's own importer."""
    app = ctx.app
    request = ctx.request
    name = upload_name(request.headers.get("x-file-name", ""))
    cap = ctx.web.max_upload_bytes
    too_big = _("{name}: larger than {mb} MB").format(name=name, mb=app.settings.web.max_upload_mb)
    length = request.headers.get("content-length", "")
    declared = number(length)
    if length and (declared is None or declared > cap):
        return json_response({"name": name, "error": too_big}, status=413)
    if Path(name).suffix.lower() not in AUDIO_SUFFIXES:  # as `radio library add` walks a folder
        return json_response({"name": name, "error": _("not an audio file name (.mp3, .wav, .m4a, …)")}, status=422)
    q = request.query_params
    try:
        topic = app.taxonomy.resolve(q.get("topic", "")).code
        language = language_from_form(q.get("language") or "vi")
        title = bounded_text(nfc(q.get("title", "")).strip(), _("Title")) or None
        source = bounded_text(nfc(q.get("source", "")).strip(), _("Source"), 200) or None
        priority = Priority(q.get("priority") or "normal")
        check_priority(ctx.user.role, priority)
    except ValueError:
        return json_response({"name": name, "error": _("bad request")}, status=400)
    except ForbiddenError as err:
        return json_response({"name": name, "error": str(err)}, status=403)
    except RadioError as err:
        return json_response({"name": name, "error": str(err)}, status=422)
    options = ImportOptions(topic=topic, language=language, title=title, source=source, priority=priority)
    try:
        async with ctx.web.imports.admit():
            return await _receive_and_import(ctx, name, options)
    except Busy:
        busy = _("{name}: the console is busy analysing other files; send it again in a minute").format(name=name)
        return json_response({"name": name, "error": busy}, status=503)


async def _receive_and_import(ctx: Ctx, name: str, options: ImportOptions):
    """The body to disk, then the importer when the gate gives this upload its turn."""
    app, request, cap = ctx.app, ctx.request, ctx.web.max_upload_bytes
    too_big = _("{name}: larger than {mb} MB").format(name=name, mb=app.settings.web.max_upload_mb)
    app.media.incoming_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="web-", dir=app.media.incoming_dir))
    try:
        path = folder / name
        size = 0
        with open(path, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    return json_response({"name": name, "error": too_big}, status=413)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        async with ctx.web.imports.turn():
            result = await run_in_threadpool(_import_one, app, path, options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.error:
        await run_in_threadpool(ctx.audit, "item.reject", f"{name}: {result.error}")
        return json_response({"name": name, "error": result.error}, status=422)
    item = result.item
    if not result.duplicate:
        await run_in_threadpool(ctx.audit, "item.add", f"#{item.id} {item.title}")
    return json_response({"name": name, "id": item.id, "title": item.title, "duplicate": result.duplicate,
                          "duration_s": item.duration_s, "status": str(item.status)})  # fmt: skip


def routes() -> list:
    return [
        page("/library", library_page),
        page("/library/upload", upload, role=Role.OPERATOR, methods=("POST",), form=False),
        page("/library/approve", approve, role=Role.APPROVER, methods=("POST",)),
        page("/library/{item_id:int}", item_page),
        page("/library/{item_id:int}/edit", edit, role=Role.OPERATOR, methods=("POST",)),
        page("/library/{item_id:int}/approve", approve, role=Role.APPROVER, methods=("POST",)),
        page("/library/{item_id:int}/retire", retire, role=Role.OPERATOR, methods=("POST",)),
    ]
