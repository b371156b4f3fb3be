"""The console's request pipeline: session → user → CSRF → role → handler, in that order,
for every route; one place, so no page can forget a check.

Handlers are plain functions that receive a `Ctx` and run in Starlette's thread pool (the
services and repositories they call are synchronous). A `RadioError` raised by a service
becomes a message on the page (after a form: shown on the page the user came from).
"""

from __future__ import annotations

import hmac
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from radio.domain.users import Role, User
from radio.errors import ForbiddenError, NotFoundError, RadioError
from radio.i18n import _
from radio.web.auth import COOKIE, Session, SessionCodec, Throttle, new_session

FLASH_COOKIE = "radio_flash"
SECURITY_HEADERS = {
    # Every asset is served by the console itself: no CDN, no inline script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


MAX_ID = 2**62  # ids and numbers from a request past this are not ours (SQLite's integers are 64-bit)


def number(text: str, limit: int = MAX_ID) -> int | None:
    """An ASCII decimal number up to *limit*, else None (never int()'s errors on '²' or 10**5000)."""
    if not (0 < len(text) <= 19) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= limit else None


class SecurityHeaders:
    """ASGI middleware: every answer carries the security headers, Starlette's own 404/405 and
    error pages included; a header the handler set itself (the media CSP) is kept."""

    def __init__(self, app) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _v in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in self.raw if k not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Web:
    """What every request shares: the station, the session codec, the throttle, the templates."""

    radio: Any  # radio.app.App
    codec: SessionCodec
    flash: URLSafeSerializer
    throttle: Throttle
    templates: Any  # jinja2.Environment
    max_upload_bytes: int
    imports: Any = None  # radio.web.imports.ImportGate: uploads analysed at once, and waiting
    jobs: dict = field(default_factory=dict)


@dataclass
class Ctx:
    request: Request
    web: Web
    session: Session
    user: User | None
    form: FormData | None = None
    new_cookie: bool = False
    flashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def app(self):
        return self.web.radio

    @property
    def address(self) -> str:
        return self.request.client.host if self.request.client else "?"

    def q(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def f(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def f_all(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if isinstance(v, str)] if self.form is not None else []

    def audit(self, action: str, detail: str = "") -> None:
        self.app.audit.record(self.user.name if self.user else "-", action, detail, self.address)

    def flash(self, message: str, kind: str = "ok") -> None:
        self.flashes.append((kind, message))

    def render(self, template: str, status: int = 200, **context) -> HTMLResponse:
        page = self.web.templates.get_template(template)
        html = page.render(
            user=self.user, csrf=self.session.csrf, path=self.request.url.path, flashes=self._take_flashes(),
            request=self.request, role=Role, hub_role=self.app.settings.station_home.hub_config.exists(), **context,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    def _take_flashes(self) -> list[tuple[str, str]]:
        kept = read_flash(self.request, self.web.flash)
        self._clear_flash = bool(kept)
        shown, self.flashes = kept + self.flashes, []
        return shown

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(safe_local(url), status_code=303)

    def back(self, default: str | None = None) -> str:
        """Where a form came from: its `back` field, else the page that sent it (same host
        only), else *default*; always a path on this console."""
        if self.f("back"):
            return safe_local(self.f("back"))
        referer = urlsplit(self.request.headers.get("referer", ""))
        if referer.path and referer.netloc == self.request.headers.get("host"):
            return safe_local(referer.path + ("?" + referer.query if referer.query else ""))
        return safe_local(default or "/")


def safe_local(url: str) -> str:
    """Only paths on this console: never another host (no open redirect)."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url or any(ord(c) < 32 for c in url):
        return "/"
    return url


def read_flash(request: Request, serializer: URLSafeSerializer) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        return [(str(k), str(m)) for k, m in serializer.loads(raw)][:10]
    except (BadSignature, TypeError, ValueError):
        return []


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "text/html")


def _finish(ctx: Ctx, response: Response) -> Response:
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    response.headers.setdefault("Cache-Control", "no-store")
    secure = ctx.request.url.scheme == "https"
    if ctx.new_cookie:
        response.set_cookie(value=ctx.web.codec.encode(ctx.session), **ctx.web.codec.cookie_header_args(secure))
    if ctx.flashes:
        response.set_cookie(FLASH_COOKIE, ctx.web.flash.dumps(ctx.flashes[:10]), path="/", httponly=True,
                            samesite="strict", secure=secure, max_age=120)  # fmt: skip
    elif getattr(ctx, "_clear_flash", False) or (FLASH_COOKIE in ctx.request.cookies and isinstance(response, HTMLResponse)):
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response


def _deny(ctx: Ctx, status: int, message: str) -> Response:
    if ctx.request.method == "GET" and "text/html" in ctx.request.headers.get("accept", ""):
        return ctx.render("error.html", status=status, message=message)
    return PlainTextResponse(message, status_code=status)


def _user_for(web: Web, session: Session | None) -> User | None:
    if session is None or not session.user_id:
        return None
    user = web.radio.users.get(session.user_id)
    if user is None or user.disabled or user.session_epoch != session.epoch:
        return None
    return user


def page(path: str, handler: Callable, role: Role | None = Role.VIEWER, methods: tuple[str, ...] = ("GET",),
         form: bool = True, files: int = 0, name: str | None = None) -> Route:  # fmt: skip
    """A route whose every request goes through the checks. *role* None: open to anyone
    (the login page); *form* False: the handler reads the body itself (uploads)."""
    is_async = inspect.iscoroutinefunction(handler)

    async def endpoint(request: Request) -> Response:
        web: Web = request.app.state.web
        session = web.codec.decode(request.cookies.get(COOKIE))
        user = await run_in_threadpool(_user_for, web, session)
        fresh = session is None or (session.user_id and user is None)
        if fresh:
            session = new_session()
        ctx = Ctx(request, web, session, user, new_cookie=bool(fresh))
        if role is not None and user is None:
            if _wants_html(request):
                return _finish(ctx, ctx.redirect("/login?next=" + quote(request.url.path + (
                    "?" + request.url.query if request.url.query else ""), safe="")))  # fmt: skip
            return _finish(ctx, PlainTextResponse(_("log in first"), status_code=401))
        if request.method not in ("GET", "HEAD"):
            if form:
                try:
                    ctx.form = await request.form(max_files=files, max_fields=200, max_part_size=64 * 1024)
                except Exception:  # a malformed or oversized form
                    return _finish(ctx, PlainTextResponse(_("bad request"), status_code=400))
            token = request.headers.get("x-csrf-token") or (ctx.f("csrf") if ctx.form is not None else "")
            if fresh or not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
                return _finish(ctx, _deny(ctx, 403, _("the form has expired: reload the page and try again")))
        if role is not None and not user.role.allows(role):
            return _finish(ctx, _deny(ctx, 403, _("your account may not do this")))
        if any(isinstance(v, int) and v > MAX_ID for v in request.path_params.values()):
            return _finish(ctx, _deny(ctx, 404, _("not found")))
        try:
            response = await handler(ctx) if is_async else await run_in_threadpool(handler, ctx)
        except ForbiddenError as err:
            if request.headers.get("x-requested-with") == "fetch":
                response = JSONResponse({"error": str(err)}, status_code=403)
            else:
                response = _deny(ctx, 403, str(err))
        except NotFoundError as err:
            if request.method == "GET":
                response = ctx.render("error.html", status=404, message=str(err))
            else:
                ctx.flash(str(err), "error")
                response = ctx.redirect(ctx.back())
        except RadioError as err:
            if request.method == "GET":
                response = ctx.render("error.html", status=400, message=str(err))
            elif request.headers.get("x-requested-with") == "fetch":
                response = JSONResponse({"error": str(err)}, status_code=422)
            else:
                ctx.flash(str(err), "error")
                response = ctx.redirect(ctx.back())
        return _finish(ctx, response)

    return Route(path, endpoint, methods=list(methods), name=name)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str), status_code=status,
                    media_type="application/json")  # fmt: skip


TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
