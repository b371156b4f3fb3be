"""Reports: the airtime chart and table for a period, and the downloads that `radio report`
writes (airtime XLSX/CSV, programme report PDF/XLSX, weekly log book PDF/XLSX).

A thin adapter over radio/reports/service.py, the workflow `radio report` calls too: this
page reads the query string and sends back what the service rendered.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.responses import Response

from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _
from radio.reports.service import PERIOD_KINDS, Rendered, ReportService, parse_period
from radio.text import parse_day
from radio.web.core import Ctx, page


ROMAN = ("I", "II", "III", "IV")


def _picked(ctx: Ctx, kind: str) -> str | None:
    """The period code (2026-11, 2026Q4, 2026H2, 2026, 2026-W49) the pickers of *kind* give;
    None when they are empty (the current period). `value` (the download links) is the code itself."""
    if ctx.q("value").strip():
        return ctx.q("value").strip()
    year = ctx.q("year").strip()
    if year and not re.fullmatch(r"\d{4}", year):
        raise RadioError(_("choose a year from the list"))
    if kind == "month":
        return ctx.q("month").strip() or None
    if kind == "week":
        return ctx.q("week").strip() or None
    if kind == "year":
        return year or None
    part = ctx.q("quarter" if kind == "quarter" else "half").strip()
    if not year and not part:
        return None
    if part not in (("1", "2", "3", "4") if kind == "quarter" else ("1", "2")) or not year:
        raise RadioError(_("choose the year and the part of it from the lists"))
    return f"{year}{'Q' if kind == 'quarter' else 'H'}{part}"


def _period(ctx: Ctx, allowed: tuple[str, ...] = PERIOD_KINDS) -> rules.Period:
    kind = ctx.q("kind", "month")
    first = last = None
    if kind == "range":
        try:
            first, last = parse_day(ctx.q("from")), parse_day(ctx.q("to"))
        except ValueError:
            raise RadioError(_("give the first and the last day of the period")) from None
    elif kind not in PERIOD_KINDS:
        raise RadioError(_("choose the kind of period from the list"))
    try:
        return parse_period(kind, _picked(ctx, kind), ctx.app.settings.zone, allowed, first, last)
    except rules.PeriodError as err:
        raise RadioError(str(err)) from None


def period_title(period: rules.Period) -> str:
    """The period in words: tháng 11/2026, quý IV/2026, 6 tháng cuối năm 2026, tuần 49/2026."""
    first = period.first
    if period.kind == "month":
        return _("month {m}/{y}").format(m=first.month, y=first.year)
    if period.kind == "quarter":
        return _("quarter {q}/{y}").format(q=ROMAN[(first.month - 1) // 3], y=first.year)
    if period.kind == "half":
        return (_("first half of {y}") if first.month <= 6 else _("second half of {y}")).format(y=first.year)
    if period.kind == "year":
        return _("year {y}").format(y=first.year)
    if period.kind == "week":
        iso = first.isocalendar()
        return _("week {w}/{y}").format(w=iso[1], y=iso[0])
    return f"{first:%d/%m/%Y} – {period.last:%d/%m/%Y}"


def _query(period: rules.Period) -> str:
    if period.kind == "range":
        return urlencode({"kind": "range", "from": period.first.isoformat(), "to": period.last.isoformat()})
    return urlencode({"kind": period.kind, "value": period.label})


def _file(report: Rendered) -> Response:
    return Response(report.as_bytes(), media_type=report.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{report.filename}"'})  # fmt: skip


def reports_page(ctx: Ctx):
    from radio.reports.document import cell_text

    service = ReportService(ctx.app)
    period = _period(ctx)
    table, total_s = service.airtime_table(period)
    today = service.today()
    this_half = parse_period("half", None, ctx.app.settings.zone, today=today)
    this_week = parse_period("week", None, ctx.app.settings.zone, today=today)
    return ctx.render(
        "reports.html", period=period, table=table, cell_text=cell_text, query=_query(period), total_s=total_s,
        title=period_title(period), kind=period.kind, first=period.first, last=period.last,
        years=list(range(today.year + 1, today.year - 6, -1)), roman=ROMAN,
        this_week=this_week, this_half=this_half, half_query=_query(this_half), week_query=_query(this_week),
        period_title=period_title,
    )  # fmt: skip


def airtime_file(ctx: Ctx):
    fmt = ctx.request.path_params["fmt"]
    service = ReportService(ctx.app)
    if fmt == "png":
        return Response(service.airtime_chart(_period(ctx)).data, media_type="image/png")
    if fmt not in ("csv", "xlsx"):
        return Response("not found", status_code=404)
    return _file(service.airtime(_period(ctx), fmt))


def programme_file(ctx: Ctx):
    fmt = ctx.request.path_params["fmt"]
    if fmt not in ("pdf", "xlsx"):
        return Response("not found", status_code=404)
    return _file(ReportService(ctx.app).programme(_period(ctx, ("half", "year")), fmt))


def logbook_file(ctx: Ctx):
    fmt = ctx.request.path_params["fmt"]
    if fmt not in ("pdf", "xlsx"):
        return Response("not found", status_code=404)
    return _file(ReportService(ctx.app).logbook(_period(ctx, ("week",)), fmt))


def routes() -> list:
    return [
        page("/reports", reports_page),
        page("/reports/airtime.{fmt:str}", airtime_file),
        page("/reports/programme.{fmt:str}", programme_file),
        page("/reports/logbook.{fmt:str}", logbook_file),
    ]
