"""Live from the console: a browser's microphone on air (operators and approvers; viewers never).

The browser (static/live.js) captures the microphone (getUserMedia: a secure page, so the
console over HTTPS, or http://127.0.0.1 on the station PC) and sends 16-bit mono PCM at 48 kHz
in 10 ms messages over a WebSocket of the console. This endpoint checks it as every POST is
checked — the session cookie, its user (enabled, current epoch), the role, and the CSRF token
(in the URL: a WebSocket sends no custom header) — and, as WebSockets are not bound by the
same-origin policy, the Origin header, which must be the console's own. It then asks the
daemon to go live with the input ``console`` (scheduler/live.py) and writes what arrives into
the named pipe the live feed's ffmpeg reads (non-blocking: a full pipe drops audio, never
blocks the console). The link closing ends its own live session (never another speaker's); a link that stalls sends nothing, the live
feed fills silence and ends the segment after [live] no_audio_s.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import logging
import os

from starlette.concurrency import run_in_threadpool
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from radio.domain.users import Role
from radio.errors import RadioError
from radio.i18n import _
from radio.web.auth import COOKIE
from radio.web.core import Ctx, _user_for, page

log = logging.getLogger("radio.web")
POLICY = 1008  # WebSocket close code: policy violation (refused before or after accepting)
MAX_MESSAGE = 64 * 1024  # bytes of PCM in one message (10 ms is 960)


def _ask(app, request: dict) -> object:
    from radio.scheduler.control import ask_live

    return ask_live(app.settings.home, request, ["vi"], timeout=15.0)


def _still_on(app, session_id: str) -> bool:
    """Whether this socket's own live session goes on (waiting under an emergency counts)."""
    try:
        status = _ask(app, {"action": "status"})
    except RadioError:
        return False
    return isinstance(status, dict) and status.get("id") == session_id


def same_origin(websocket: WebSocket) -> bool:
    """The Origin the browser sent is this console's own (scheme, host and port)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if not origin or not host:
        return False
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return hmac.compare_digest(origin.lower(), f"{scheme}://{host}".lower())


async def _checked_user(websocket: WebSocket):
    """The user this request is for, or None (after refusing it): the checks of a POST."""
    web = websocket.app.state.web
    session = web.codec.decode(websocket.cookies.get(COOKIE))
    user = await run_in_threadpool(_user_for, web, session)
    token = websocket.query_params.get("csrf", "")
    if not same_origin(websocket) or user is None or not token \
            or not hmac.compare_digest(token.encode(), session.csrf.encode()) \
            or not user.role.allows(Role.OPERATOR):  # fmt: skip
        await websocket.close(code=POLICY)  # before accepting: the browser gets HTTP 403
        return None
    return user


def _open_pipe(path) -> int | None:
    """The pipe's write end once the live feed's reader has it open (None: not yet)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as err:
        if err.errno in (errno.ENXIO, errno.ENOENT):
            return None
        raise


async def microphone(websocket: WebSocket) -> None:
    user = await _checked_user(websocket)
    if user is None:
        return
    app = websocket.app.state.web.radio
    address = websocket.client.host if websocket.client else "?"
    await websocket.accept()
    try:
        answer = await run_in_threadpool(_ask, app, {"action": "start", "input": "console", "who": user.display or user.name,
                                                     "user": user.name, "where": f"console ({address})",
                                                     "address": address})  # fmt: skip
    except RadioError as err:
        await websocket.send_text(json.dumps({"error": str(err)}, ensure_ascii=False))
        await websocket.close(code=POLICY)
        return
    await websocket.send_text(json.dumps({"on_air": answer}, ensure_ascii=False))
    pipe = app.settings.station_home.console_microphone
    fd = None
    reason = _("the browser's link closed")
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if not data:
                if message.get("text") == "stop":
                    reason = _("live stopped by {who}").format(who=user.display or user.name)
                    break
                continue
            if fd is None:
                fd = _open_pipe(pipe)
            if fd is not None and len(data) <= MAX_MESSAGE:
                try:
                    os.write(fd, data)
                except BlockingIOError:
                    pass  # the feed is behind: this audio is dropped, the console never waits
                except BrokenPipeError:  # the segment ended: by itself (no audio for too long), or an emergency
                    os.close(fd)
                    fd = None
                    if not await run_in_threadpool(_still_on, app, answer["id"]):  # over: the browser is told
                        await websocket.send_text(json.dumps({"error": _("live is over")}, ensure_ascii=False))
                        break
    except WebSocketDisconnect:
        pass
    finally:
        if fd is not None:
            os.close(fd)
        try:
            # its own session only: a stale tab closing never ends another speaker's
            await asyncio.shield(run_in_threadpool(_ask, app, {"action": "stop", "id": answer["id"], "reason": reason,
                                                               "who": user.display or user.name,
                                                               "user": user.name, "address": address}))  # fmt: skip
        except RadioError:
            pass  # already over (it ended by itself, or someone stopped it)
    try:
        await websocket.close()
    except (RuntimeError, WebSocketDisconnect):
        pass  # the browser is gone already (it closed first, or its link dropped)


def stop(ctx: Ctx):
    """The console's stop button: ends whoever is live (line in or a browser)."""
    _ask(ctx.app, {"action": "stop", "who": ctx.user.display or ctx.user.name, "user": ctx.user.name,
                   "address": ctx.address})  # audited there  # fmt: skip
    ctx.flash(_("live over"))
    return ctx.redirect("/on-air")


def routes() -> list:
    return [WebSocketRoute("/live/microphone", microphone),
            page("/live/stop", stop, role=Role.OPERATOR, methods=("POST",))]  # fmt: skip
