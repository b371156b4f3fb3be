"""Relay sources (nguồn tiếp sóng): add, test (what was heard, and how loud), edit, remove.

The same requests as `radio source add|test|edit|remove` (scheduler/relay_service.py), which
check the roles. A source's password is never sent back: the page shows the address
without it, the form's password field is always empty, and leaving it empty keeps the old one.
"""

from __future__ import annotations

import math

from radio.domain.relay import Resume, without_password
from radio.domain.users import MAY_MANAGE_SOURCES, MAY_TEST_SOURCES, Role
from radio.errors import RadioError
from radio.i18n import _
from radio.scheduler import relay_service as service
from radio.web.core import Ctx, page

TEST_SECONDS = 5.0  # as `radio source test` by default


def _number(ctx: Ctx, name: str, label: str) -> float | None:
    text = ctx.f(name).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise RadioError(_("'{value}' is not a number ({field})").format(value=ctx.f(name), field=label))
    return value


def _settings(ctx: Ctx) -> dict:
    resume = ctx.f("resume")
    return {
        "topic": ctx.f("topic").strip() or None,
        "buffer_s": _number(ctx, "buffer_s", _("Buffer (s)")),
        "no_data_s": _number(ctx, "no_data_s", _("Nothing received for (s)")),
        "silence_s": _number(ctx, "silence_s", _("Silence for (s)")),
        "silence_dbfs": _number(ctx, "silence_dbfs", _("Silence level (dBFS)")),
        "resume": resume if resume in {r.value for r in Resume} else None,
    }


def _render(ctx: Ctx, tested=None, status: int = 200):
    app = ctx.app
    slots = app.schedule.slots()
    sources = [
        {"source": s, "address": without_password(s.url), "form": service.source_form(s),
         "relayed_by": [slot.name for slot in slots if slot.relay == s.code]}
        for s in app.sources.all()
    ]  # fmt: skip
    return ctx.render(
        "sources.html", status=status, sources=sources, tested=tested, topics=app.taxonomy.topics,
        may_manage=ctx.user.role.allows(MAY_MANAGE_SOURCES), may_test=ctx.user.role.allows(MAY_TEST_SOURCES),
        resumes=list(Resume),
    )  # fmt: skip


def sources_page(ctx: Ctx):
    return _render(ctx)


def add(ctx: Ctx):
    made = service.add_source(ctx.app, ctx.f("code").strip(), ctx.f("url").strip(), ctx.f("name"),
                              password=ctx.f("password") or None, role=ctx.user.role, **_settings(ctx))  # fmt: skip
    ctx.audit("source.add", made.code)
    ctx.flash(_("added source {code}: {name}").format(code=made.code, name=made.name))
    return ctx.redirect("/sources")


def edit(ctx: Ctx):
    code = ctx.request.path_params["code"]
    edited = service.edit_source(ctx.app, code, name=ctx.f("name").strip() or None, url=ctx.f("url").strip() or None,
                                 password=ctx.f("password") or None, role=ctx.user.role, **_settings(ctx))  # fmt: skip
    ctx.audit("source.edit", edited.code)
    ctx.flash(_("updated source {code}").format(code=edited.code))
    return ctx.redirect("/sources")


def remove(ctx: Ctx):
    old = service.remove_source(ctx.app, ctx.request.path_params["code"], role=ctx.user.role)
    ctx.audit("source.remove", old.code)
    ctx.flash(_("removed source {code}").format(code=old.code))
    return ctx.redirect("/sources")


def test(ctx: Ctx):
    """Listen for a few seconds, then show what was heard beside the source."""
    result = service.test_source(ctx.app, ctx.request.path_params["code"], TEST_SECONDS, role=ctx.user.role)
    ctx.audit("source.test", f"{result.source.code} {'ok' if result.ok else 'failed'}")
    return _render(ctx, tested=result)


def routes() -> list:
    return [
        page("/sources", sources_page),
        page("/sources/add", add, role=Role.ADMIN, methods=("POST",)),
        page("/sources/{code}/edit", edit, role=Role.ADMIN, methods=("POST",)),
        page("/sources/{code}/remove", remove, role=Role.ADMIN, methods=("POST",)),
        page("/sources/{code}/test", test, role=Role.OPERATOR, methods=("POST",)),
    ]
