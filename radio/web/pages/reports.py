"""Reports: the airtime chart and table for a period, and the downloads that `radio report`
writes (airtime XLSX/CSV, programme report PDF/XLSX, weekly log book PDF/XLSX).

A thin adapter over radio/reports/service.py, the workflow `radio report` calls too: this
page reads the query string and sends back what the service rendered.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _
from radio.reports.service import PERIOD_KINDS, Rendered, ReportService, current_value, parse_period
from radio.text import parse_day
from radio.web.core import Ctx, page


def _period(ctx: Ctx, allowed: tuple[str, ...] = PERIOD_KINDS) -> rules.Period:
    kind = ctx.q("kind", "month")
    first = last = None
    if kind == "range":
        try:
            first, last = parse_day(ctx.q("from")), parse_day(ctx.q("to"))
        except ValueError:
            raise RadioError(_("give the first and the last day of the period")) from None
    try:
        return parse_period(kind, ctx.q("value").strip() or None, ctx.app.settings.zone, allowed, first, last)
    except rules.PeriodError as err:
        raise RadioError(str(err)) from None


def _file(report: Rendered) -> Response:
    return Response(report.as_bytes(), media_type=report.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{report.filename}"'})  # fmt: skip


def reports_page(ctx: Ctx):
    from radio.reports.document import cell_text

    service = ReportService(ctx.app)
    period = _period(ctx)
    table, total_s = service.airtime_table(period)
    query = urlencode({k: ctx.q(k) for k in ("kind", "value", "from", "to") if ctx.q(k)})
    today = service.today()
    return ctx.render(
        "reports.html", period=period, table=table, cell_text=cell_text, query=query,
        kind=ctx.q("kind", "month"), value=ctx.q("value"), first=ctx.q("from"), last=ctx.q("to"),
        this_week=current_value("week", today), this_half=current_value("half", today), total_s=total_s,
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
