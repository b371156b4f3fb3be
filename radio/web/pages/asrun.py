"""The as-run log (sổ nhật ký): the same rows as `radio log`, filtered by date, topic, status.

A thin adapter over radio/reports/asrun_listing.py, which `radio log` calls too.
"""

from __future__ import annotations

from datetime import datetime

from radio.domain.asrun import AsRunStatus
from radio.errors import RadioError
from radio.i18n import _
from radio.reports.asrun_listing import as_run_log, headings
from radio.text import parse_day
from radio.web.core import Ctx, number, page

PAGE_SIZE = 200
MAX_DAYS = 367  # a year, whichever its first day


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
    topic, status = ctx.q("topic"), ctx.q("status")
    if status not in {s.value for s in AsRunStatus}:
        status = ""
    page_no = number(ctx.q("page"), 10**6) or 1
    listing = as_run_log(app, first, last, topic or None, status or None, (page_no - 1) * PAGE_SIZE, PAGE_SIZE,
                         max_days=MAX_DAYS)  # fmt: skip
    pages = max(1, -(-listing.total // PAGE_SIZE))
    return ctx.render(
        "asrun.html", lines=listing.lines(zone), headings=headings(), total=listing.total, played=listing.played,
        page=page_no, pages=pages,
        filters={"from": first.isoformat(), "to": last.isoformat(), "topic": topic, "status": status},
        topics=app.taxonomy.topics, statuses=list(AsRunStatus),
    )  # fmt: skip


def routes() -> list:
    return [page("/log", log_page)]
