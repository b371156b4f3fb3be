"""Users (admin only): the same accounts as `radio user`, and the audit log."""

from __future__ import annotations

from radio import accounts
from radio.domain.users import Role
from radio.errors import RadioError
from radio.i18n import _
from radio.web.core import Ctx, page


def users_page(ctx: Ctx):
    return ctx.render("users.html", users=ctx.app.users.list(), roles=list(Role), audit=ctx.app.audit.recent(100))


def _role(ctx: Ctx) -> Role:
    try:
        return Role(ctx.f("role"))
    except ValueError:
        raise RadioError(_("choose a role")) from None


def add(ctx: Ctx):
    if ctx.f("password") != ctx.f("password2"):
        raise RadioError(_("the two passwords differ"))
    user = accounts.add_user(ctx.app.users, ctx.app.audit, ctx.user.name, ctx.f("name"), _role(ctx),
                             ctx.f("display") or None, ctx.f("password"), ctx.address)  # fmt: skip
    ctx.flash(_("added user '{name}' ({role}, {display})").format(name=user.name, role=user.role, display=user.display))
    return ctx.redirect("/users")


def change(ctx: Ctx):
    name = ctx.request.path_params["name"]
    what = ctx.f("action")
    app = ctx.app
    if what == "passwd":
        if ctx.f("password") != ctx.f("password2"):
            raise RadioError(_("the two passwords differ"))
        accounts.set_password(app.users, app.audit, ctx.user.name, name, ctx.f("password"), ctx.address)
        ctx.flash(_("password of '{name}' changed").format(name=name))
    elif what in ("disable", "enable"):
        accounts.set_disabled(app.users, app.audit, ctx.user.name, name, what == "disable", ctx.address)
        ctx.flash(_("disabled user '{name}'").format(name=name) if what == "disable"
                  else _("enabled user '{name}'").format(name=name))  # fmt: skip
    elif what == "role":
        accounts.set_role(app.users, app.audit, ctx.user.name, name, _role(ctx), ctx.f("display") or None, ctx.address)
        ctx.flash(_("updated user '{name}'").format(name=name))
    else:
        raise RadioError(_("bad request"))
    return ctx.redirect("/users")


def routes() -> list:
    return [
        page("/users", users_page, role=Role.ADMIN),
        page("/users/add", add, role=Role.ADMIN, methods=("POST",)),
        page("/users/{name}/change", change, role=Role.ADMIN, methods=("POST",)),
    ]
