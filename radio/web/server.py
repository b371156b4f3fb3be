"""The console's ASGI application and the process that serves it (uvicorn, one process)."""

from __future__ import annotations

import mimetypes
import os
import socket
import sys
from datetime import datetime

from itsdangerous import URLSafeSerializer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from radio.errors import RadioError
from radio.i18n import _, ngettext
from radio.text import format_duration
from radio.web.auth import SessionCodec, Throttle, load_secret
from radio.web.core import SECURITY_HEADERS, STATIC_DIR, TEMPLATES_DIR, SecurityHeaders, Web
from radio.web.imports import ImportGate

ASSETS = ("style.css", "app.js", "favicon.svg", "pages.css", "live.js", "live-worklet.js")


def _templates(app):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from radio.domain.library import PRIORITY_LABELS, STATUS_LABELS
    from radio.domain.asrun import AS_RUN_STATUS_LABELS
    from radio.domain.users import ROLE_LABELS
    from radio.web import forms

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip
    zone = app.settings.zone

    def local(moment: datetime | str | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        if isinstance(moment, str):  # an ISO instant from the daemon's status
            moment = datetime.fromisoformat(moment)
        return moment.astimezone(zone).strftime(fmt) if moment else ""

    env.globals.update(
        _=_, ngettext=ngettext, station=app.settings.station,
        priority_label=lambda p: _(PRIORITY_LABELS[p]), status_label=lambda s: _(STATUS_LABELS[s]),
        asrun_label=lambda s: _(AS_RUN_STATUS_LABELS[s]), role_label=lambda r: _(ROLE_LABELS[r]),
        topic_name=app.taxonomy.name, language_name=forms.language_name, language_choices=forms.language_choices,
        weekdays=forms.WEEKDAYS, days_label=forms.days_label, day_codes=forms.day_codes,
        start_choices=forms.START_CHOICES, start_label=forms.start_label, audit_label=forms.audit_label,
        pc_now=lambda: datetime.now(zone),
    )  # fmt: skip
    env.filters.update(duration=format_duration, local=local)
    return env


def _assets() -> dict[str, tuple[bytes, str]]:
    """The console's own files, read once: served by name from this fixed list only."""
    out = {}
    for name in ASSETS:
        data = (STATIC_DIR / name).read_bytes()
        out[name] = (data, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return out


def create_app(radio_app) -> Starlette:
    from radio.web import pages

    settings = radio_app.settings
    secret = load_secret(settings.home)
    web = Web(
        radio=radio_app,
        codec=SessionCodec(secret, settings.web.session_hours * 3600),
        flash=URLSafeSerializer(secret, salt="radio-flash"),
        throttle=Throttle(),
        templates=_templates(radio_app),
        max_upload_bytes=settings.web.max_upload_mb * 1024 * 1024,
        imports=ImportGate(settings.library.parallel_analyses),
    )
    assets = _assets()

    async def asset(request):
        found = assets.get(request.path_params["name"])
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        data, media_type = found
        headers = dict(SECURITY_HEADERS, **{"Cache-Control": "public, max-age=3600"})
        return Response(data, media_type=media_type, headers=headers)

    async def root(request):
        return RedirectResponse("/on-air", status_code=303)

    routes = [Route("/", root), Route("/static/{name}", asset), *pages.routes()]
    asgi = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    asgi.state.web = web
    return asgi


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise _cannot_listen(host, port, err) from None
    # Not listening yet (`_listen`): no connection is taken before the app (its signing key
    # included) is ready.
    sock.set_inheritable(True)
    return sock


def _listen(sock: socket.socket, host: str, port: int) -> None:
    """Listen, or say why not in one line: another console that bound the same port at the
    same instant (both bind with SO_REUSEADDR; only one may listen)."""
    try:
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise _cannot_listen(host, port, err) from None


def _cannot_listen(host: str, port: int, err: OSError) -> RadioError:
    return RadioError(_("cannot listen on {host}:{port}: {reason}").format(host=host, port=port,
                                                                         reason=err.strerror or err))  # fmt: skip


def _fewer_malloc_arenas() -> None:
    """Requests run in a thread pool; glibc gives each thread its own malloc arena, which
    grows the console's memory for nothing on a 4 GB PC. Two arenas are plenty."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def serve(radio_app, host: str, port: int, https: bool = False) -> int:
    """Serve the console until SIGTERM/SIGINT. Pages are in Vietnamese whatever the locale."""
    _fewer_malloc_arenas()
    import uvicorn

    QuietServer = _quiet_server_class()
    sock = _bind(host, port)
    asgi = create_app(radio_app)
    if not radio_app.users.list():
        print(_("radio web: no users yet: add one with 'radio user add NAME --role admin'"), file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    tls = {}
    if https:  # the station's own certificate (web/tls.py): phones give the microphone to secure pages only
        from radio.web.tls import ensure_certificate

        cert, key = ensure_certificate(radio_app.settings.home, host)
        tls = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    scheme = "https" if https else "http"
    _listen(sock, host, port)
    print(_("radio web: listening on {scheme}://{address}/").format(scheme=scheme, address=f"{shown}:{port}"),
          file=sys.stderr, flush=True)  # fmt: skip
    os.environ["LANGUAGE"] = "vi"  # the pages; what was said on the terminal above is in the operator's language
    from radio.web.guard import GuardedH11Protocol

    # No limit_concurrency: uvicorn's answers 503 to everyone once it is reached; the guard
    # closes slow and surplus connections instead (see radio/web/guard.py).
    config = uvicorn.Config(
        asgi, log_level="warning", access_log=False, lifespan="off", server_header=False, date_header=False,
        proxy_headers=False, timeout_keep_alive=5, limit_concurrency=None, http=GuardedH11Protocol,
        ws="websockets-sansio", ws_max_size=1 << 16, ws_ping_interval=5.0, ws_ping_timeout=10.0, **tls,
    )  # fmt: skip
    QuietServer(config).run(sockets=[sock])
    return 0


def _quiet_server_class():
    import asyncio

    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn wakes up ten times a second to refresh its Date header and check for exit;
        the console sends no Date header, so once a second is enough: an idle console costs
        the broadcast PC next to nothing."""

        async def main_loop(self) -> None:
            await self.on_tick(0)
            while not self.should_exit:
                await asyncio.sleep(1.0)

    return QuietServer
