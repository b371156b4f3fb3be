"""Logging in and out."""

from __future__ import annotations

from radio.accounts import verify_login
from radio.domain.users import Role
from radio.i18n import _
from radio.text import nfc
from radio.web.auth import new_session
from radio.web.core import Ctx, page, safe_local


def login_form(ctx: Ctx):
    if ctx.user is not None:
        return ctx.redirect(safe_local(ctx.q("next", "/on-air")))
    return ctx.render("login.html", next=safe_local(ctx.q("next", "/on-air")), name="")


def login(ctx: Ctx):
    name = nfc(ctx.f("name")).lower()[:64]
    password = ctx.f("password")[:1024]
    target = safe_local(ctx.f("next", "/on-air"))
    keys = ("user:" + name, "addr:" + ctx.address)
    wait = ctx.web.throttle.locked_for(*keys)
    if wait > 0:
        ctx.app.audit.record(name or "-", "login.locked", "", ctx.address)
        ctx.flash(_("too many failed logins: try again in a minute"), "error")
        return ctx.render("login.html", status=429, next=target, name=name)
    user = verify_login(ctx.app.users, name, password) if name and password else None
    if user is None:
        ctx.web.throttle.failed(*keys)
        ctx.app.audit.record(name or "-", "login.failed", "", ctx.address)
        ctx.flash(_("wrong user name or password"), "error")
        return ctx.render("login.html", status=401, next=target, name=name)
    ctx.web.throttle.succeeded(keys[0])
    ctx.session = new_session(user.id, user.session_epoch)  # a new token: no session fixation
    ctx.new_cookie = True
    ctx.user = user
    ctx.audit("login", "")
    return ctx.redirect(target)


def logout(ctx: Ctx):
    ctx.audit("logout", "")
    ctx.session = new_session()
    ctx.new_cookie = True
    ctx.user = None
    return ctx.redirect("/login")


def routes() -> list:
    return [
        page("/login", login_form, role=None),
        page("/login", login, role=None, methods=("POST",)),
        page("/logout", logout, role=Role.VIEWER, methods=("POST",)),
    ]
