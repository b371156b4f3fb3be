"""Reports: the airtime chart and table for a period, and the downloads that `radio report`
writes (airtime XLSX/CSV, programme report PDF/XLSX, weekly log book PDF/XLSX), made by the
same workers in radio/reports."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from starlette.responses import Response

from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _
from radio.text import parse_day
from radio.web.core import Ctx, page

KINDS = ("month", "quarter", "half", "year", "week")
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "png": "image/png",
}


def _period(ctx: Ctx, allowed: tuple[str, ...] = KINDS) -> rules.Period:
    zone = ctx.app.settings.zone
    kind, value = ctx.q("kind", "month"), ctx.q("value").strip()
    try:
        if kind == "range":
            try:
                first, last = parse_day(ctx.q("from")), parse_day(ctx.q("to"))
            except ValueError:
                raise RadioError(_("give the first and the last day of the period")) from None
            return rules.date_range(first, last, zone)
        if kind not in allowed:
            raise RadioError(_("this report is made for a period of kind: {kinds}").format(kinds=", ".join(allowed)))
        if not value:
            now = datetime.now(zone).date()
            iso = now.isocalendar()
            value = {"month": f"{now:%Y-%m}", "quarter": f"{now.year}Q{(now.month - 1) // 3 + 1}",
                     "half": f"{now.year}H{1 if now.month <= 6 else 2}", "year": str(now.year),
                     "week": f"{iso[0]}-W{iso[1]:02d}"}[kind]  # fmt: skip
        return getattr(rules, f"parse_{kind}")(value, zone)
    except rules.PeriodError as err:
        raise RadioError(str(err)) from None


def _file(data: bytes, fmt: str, name: str) -> Response:
    return Response(data, media_type=TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def reports_page(ctx: Ctx):
    from radio.reports import airtime as worker
    from radio.reports.document import cell_text

    app = ctx.app
    period = _period(ctx)
    result = worker.airtime(app.engine, period, ("topic",))
    table = worker.human_table(result, app.taxonomy)
    query = urlencode({k: ctx.q(k) for k in ("kind", "value", "from", "to") if ctx.q(k)})
    zone = app.settings.zone
    now = datetime.now(zone).date()
    iso = now.isocalendar()
    return ctx.render(
        "reports.html", period=period, table=table, cell_text=cell_text, query=query,
        kind=ctx.q("kind", "month"), value=ctx.q("value"), first=ctx.q("from"), last=ctx.q("to"),
        this_week=f"{iso[0]}-W{iso[1]:02d}", this_half=f"{now.year}H{1 if now.month <= 6 else 2}",
        total_s=result.total.seconds,
    )  # fmt: skip


def airtime_file(ctx: Ctx):
    from radio.reports import airtime as worker

    app = ctx.app
    fmt = ctx.request.path_params["fmt"]
    period = _period(ctx)
    result = worker.airtime(app.engine, period, ("topic",))
    name = f"thoi-luong-{period.label}.{fmt}"
    if fmt == "csv":
        return _file(worker.airtime_csv(result, app.taxonomy).encode("utf-8"), fmt, name)
    if fmt == "xlsx":
        from radio.reports.xlsx import document_xlsx

        return _file(document_xlsx(worker.airtime_document(result, app.taxonomy, app.settings.station)), fmt, name)
    if fmt == "png":
        from radio.reports import vn
        from radio.reports.chart import topic_chart_png

        bars = [(app.taxonomy.name(code), s) for code, s in worker.by_topic_minutes(result)]
        png = topic_chart_png(bars, "Thời lượng phát sóng theo chủ đề",
                              f"{app.settings.station.name} — {vn.period_title(period)}")  # fmt: skip
        return Response(png, media_type=TYPES["png"])
    return Response("not found", status_code=404)


def _render(doc, fmt: str) -> bytes:
    if fmt == "pdf":
        from radio.reports.pdf import document_pdf

        return document_pdf(doc)
    from radio.reports.xlsx import document_xlsx

    return document_xlsx(doc)


def programme_file(ctx: Ctx):
    from radio.reports import programme as worker

    app = ctx.app
    fmt = ctx.request.path_params["fmt"]
    if fmt not in ("pdf", "xlsx"):
        return Response("not found", status_code=404)
    period = _period(ctx, ("half", "year"))
    result = worker.programme(app.engine, period, app.taxonomy)
    doc = worker.programme_document(result, app.settings.station, datetime.now(app.settings.zone).date())
    return _file(_render(doc, fmt), fmt, f"giam-ngheo-{period.label}.{fmt}")


def logbook_file(ctx: Ctx):
    from radio.reports import logbook as worker

    app = ctx.app
    fmt = ctx.request.path_params["fmt"]
    if fmt not in ("pdf", "xlsx"):
        return Response("not found", status_code=404)
    period = _period(ctx, ("week",))
    book = worker.logbook(app.as_run.between(period.start, period.end), period)
    doc = worker.logbook_document(book, app.taxonomy, app.settings.station, datetime.now(app.settings.zone).date())
    return _file(_render(doc, fmt), fmt, f"so-nhat-ky-{period.label}.{fmt}")


def routes() -> list:
    return [
        page("/reports", reports_page),
        page("/reports/airtime.{fmt:str}", airtime_file),
        page("/reports/programme.{fmt:str}", programme_file),
        page("/reports/logbook.{fmt:str}", logbook_file),
    ]
