"""The as-run log (sổ nhật ký): the same rows as `radio log`, filtered by date, topic, status."""

from __future__ import annotations

from datetime import datetime, timedelta

from radio.domain.asrun import AsRunStatus
from radio.errors import RadioError
from radio.i18n import _
from radio.text import parse_day
from radio.web.core import Ctx, number, page

PAGE_SIZE = 200


def _day(text: str, default):
    if not text:
        return default
    try:
        return parse_day(text)
    except ValueError:
        raise RadioError(_("'{value}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)").format(value=text)) from None


def log_page(ctx: Ctx):
    app = ctx.app
    zone = app.settings.zone
    first = _day(ctx.q("from"), datetime.now(zone).date())
    last = _day(ctx.q("to"), first)
    if last < first:
        raise RadioError(_("the last day is before the first"))
    if (last - first).days > 366:
        raise RadioError(_("choose at most a year"))
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    topic, status = ctx.q("topic"), ctx.q("status")
    if status not in {s.value for s in AsRunStatus}:
        status = ""
    page_no = number(ctx.q("page"), 10**6) or 1
    shown, total, played = app.as_run.page(start, end, topic or None, status or None,
                                           (page_no - 1) * PAGE_SIZE, PAGE_SIZE)  # fmt: skip
    pages = max(1, -(-total // PAGE_SIZE))
    return ctx.render(
        "asrun.html", rows=shown, total=total, played=played, page=page_no, pages=pages,
        filters={"from": first.isoformat(), "to": last.isoformat(), "topic": topic, "status": status},
        topics=app.taxonomy.topics, statuses=list(AsRunStatus),
    )  # fmt: skip


def routes() -> list:
    return [page("/log", log_page)]
