"""Logging in and out."""

from __future__ import annotations

from radio.accounts import end_sessions, verify_login
from radio.domain.users import MAX_PASSWORD_LENGTH, Role
from radio.i18n import _
from radio.text import nfc
from radio.web.auth import Refused, new_session
from radio.web.core import Ctx, page, safe_local

UNKNOWN_USER = "?"  # what the audit log records for a name no account has: maybe a password typed there


def login_form(ctx: Ctx):
    if ctx.user is not None:
        return ctx.redirect(safe_local(ctx.q("next", "/on-air")))
    return ctx.render("login.html", next=safe_local(ctx.q("next", "/on-air")), name="")


def _refused_detail(n: int) -> str:
    return f"{n} refused while locked" if n else ""


def login(ctx: Ctx):
    """Counted by the throttle before the password is checked; a locked account or address
    is refused without checking it, and writes one audit row per lock, not one per try."""
    name = nfc(ctx.f("name")).lower()[:64]
    password = ctx.f("password")
    target = safe_local(ctx.f("next", "/on-air"))
    audit_name = name if name and ctx.app.users.exists(name) else UNKNOWN_USER
    keys = ("user:" + name, "addr:" + ctx.address)
    attempt = ctx.web.throttle.begin(*keys)
    if isinstance(attempt, Refused):
        if attempt.first:
            ctx.app.audit.record(audit_name, "login.locked", "", ctx.address)
        ctx.flash(_("too many failed logins: try again in a minute"), "error")
        return ctx.render("login.html", status=429, next=target, name=name)
    usable = name and password and len(password) <= MAX_PASSWORD_LENGTH
    user = verify_login(ctx.app.users, name, password) if usable else None
    if user is None:
        ctx.web.throttle.failed(attempt)
        ctx.app.audit.record(audit_name, "login.failed", _refused_detail(attempt.refused_before), ctx.address)
        ctx.flash(_("wrong user name or password"), "error")
        return ctx.render("login.html", status=401, next=target, name=name if audit_name != UNKNOWN_USER else "")
    ctx.web.throttle.succeeded(attempt, clear=(keys[0],))
    ctx.session = new_session(user.id, user.session_epoch)  # a new token: no session fixation
    ctx.new_cookie = True
    ctx.user = user
    ctx.audit("login", _refused_detail(attempt.refused_before))
    return ctx.redirect(target)


def logout(ctx: Ctx):
    """Ends the session on the server too: the account's epoch moves on, so this cookie (and
    any copy of it, on this device or another) is refused from now on."""
    ctx.audit("logout", "")
    end_sessions(ctx.app.users, ctx.user.name)
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
