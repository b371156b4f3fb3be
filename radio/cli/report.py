"""`radio report airtime|programme|logbook`: what was broadcast, for the district, the
poverty programme and the inspectors.

Thin adapters: parse the period and format, run the report worker in radio/reports,
render, write to stdout or to -o FILE.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from radio.cli.base import Group, option
from radio.cli.context import pass_ctx
from radio.cli.params import DATE
from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _
from radio.reports.output import write_file

EXTENSIONS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".pdf": "pdf", ".txt": "table"}


def _station(app) -> dict:
    s = app.settings.station
    return {"name": s.name, "commune": s.commune, "province": s.province, "timezone": s.timezone}


def _today(app) -> date:
    return datetime.now(app.settings.zone).date()


def _period(app, **given) -> rules.Period:
    """Exactly one of --month/--quarter/--half/--year/--week, or --from with --to."""
    first, last = given.pop("from_", None), given.pop("to", None)
    chosen = {k: v for k, v in given.items() if v is not None}
    ranges = first is not None or last is not None
    names = ", ".join("--" + k for k in given) + ", --from/--to"
    if len(chosen) + ranges != 1:
        raise click.UsageError(_("give exactly one period: {options}").format(options=names))
    zone = app.settings.zone
    try:
        if ranges:
            if first is None or last is None:
                raise click.UsageError(_("--from and --to go together"))
            return rules.date_range(first, last, zone)
        (kind, value), = chosen.items()
        parse: Callable = getattr(rules, f"parse_{kind}")
        return parse(value, zone)
    except rules.PeriodError as err:
        raise click.BadParameter(str(err)) from None


def _format(fmt: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    if fmt is None and output is not None:
        fmt = EXTENSIONS.get(output.suffix.lower())
        if fmt not in allowed:
            raise click.UsageError(
                _("cannot tell the format from {name}; give --format ({formats})").format(
                    name=output.name, formats="|".join(allowed)
                )
            )
    fmt = fmt or "table"
    if fmt in ("xlsx", "pdf") and output is None:
        raise RadioError(_("the {format} format is a file: give -o FILE").format(format=fmt))
    return fmt


def _emit(data: str | bytes, output: Path | None) -> None:
    if output is None:
        click.echo(data, nl=False)
        return
    write_file(output, data.encode("utf-8") if isinstance(data, str) else data)
    click.echo(_("Wrote {path}").format(path=output), err=True)


def period_options(*kinds: str):
    helps = {
        "month": "A month: YYYY-MM.",
        "quarter": "A quarter: YYYYQn (e.g. 2026Q4).",
        "half": "A half-year: YYYYH1 or YYYYH2.",
        "year": "A year: YYYY.",
    }

    def decorate(f):
        f = option("--to", "to", type=DATE, help="Last day of the period (with --from).")(f)
        f = option("--from", "from_", type=DATE, help="First day of the period (with --to).")(f)
        for kind in reversed(kinds):
            f = option(f"--{kind}", kind, metavar=kind.upper(), help=helps[kind])(f)
        return f

    return decorate


output_option = option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE."
)


@click.group(cls=Group, help="Reports of what was broadcast: airtime, the poverty programme, the log book.")
def report() -> None:
    pass


@report.command(help="Airings and minutes aired per topic, day, slot, item, language or source.")
@period_options("month", "quarter", "half", "year")
@option("--by", "by", multiple=True, type=click.Choice(rules.GROUP_KEYS),
        help="Group by this (repeat to combine); default: topic.")  # fmt: skip
@option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx"]),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw minutes per topic as a PNG.")
@pass_ctx
def airtime(ctx, month, quarter, half, year, from_, to, by, fmt, output, chart) -> None:
    from radio.reports import airtime as worker
    from radio.reports.text import document_text

    fmt = _format(fmt, output, ("table", "csv", "json", "xlsx"))
    app = ctx.app
    period = _period(app, month=month, quarter=quarter, half=half, year=year, from_=from_, to=to)
    result = worker.airtime(app.engine, period, by)
    station = app.settings.station
    if fmt == "json":
        _emit(json.dumps(worker.as_json(result, app.taxonomy, _station(app)), ensure_ascii=False, indent=2) + "\n",
              output)  # fmt: skip
    elif fmt == "csv":
        _emit(worker.airtime_csv(result, app.taxonomy), output)
    elif fmt == "xlsx":
        from radio.reports.xlsx import document_xlsx

        _emit(document_xlsx(worker.airtime_document(result, app.taxonomy, station)), output)
    else:
        _emit(document_text(worker.airtime_document(result, app.taxonomy, station)), output)
    if chart is not None:
        from radio.reports import vn
        from radio.reports.chart import topic_chart_png

        by_topic = result if result.by[0] == "topic" else worker.airtime(app.engine, period, ("topic",))
        bars = [(app.taxonomy.name(code), s) for code, s in worker.by_topic_minutes(by_topic)]
        png = topic_chart_png(bars, "Thời lượng phát sóng theo chủ đề", f"{station.name} — {vn.period_title(period)}")
        write_file(chart, png)
        click.echo(_("Wrote {path}").format(path=chart), err=True)


@report.command(help="The poverty-reduction programme report: airtime per poverty topic, new items, USB packages.")
@period_options("half", "year")
@option("--format", "fmt", type=click.Choice(["table", "csv", "json", "xlsx", "pdf"]),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@pass_ctx
def programme(ctx, half, year, from_, to, fmt, output) -> None:
    from radio.reports import programme as worker
    from radio.reports.text import document_text

    fmt = _format(fmt, output, ("table", "csv", "json", "xlsx", "pdf"))
    app = ctx.app
    period = _period(app, half=half, year=year, from_=from_, to=to)
    result = worker.programme(app.engine, period, app.taxonomy)
    if fmt == "json":
        _emit(json.dumps(worker.programme_json(result, _station(app)), ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "csv":
        _emit(worker.programme_csv(result), output)
    else:
        doc = worker.programme_document(result, app.settings.station, _today(app))
        _emit(_render(doc, fmt) if fmt != "table" else document_text(doc), output)


def _render(doc, fmt: str) -> bytes:
    if fmt == "pdf":
        from radio.reports.pdf import document_pdf

        return document_pdf(doc)
    from radio.reports.xlsx import document_xlsx

    return document_xlsx(doc)


@report.command(help="The weekly programme log book, printable (PDF or XLSX).")
@option("--week", required=True, metavar="YYYY-Www", help="An ISO week, e.g. 2026-W47.")
@option("--format", "fmt", type=click.Choice(["table", "json", "xlsx", "pdf"]),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@pass_ctx
def logbook(ctx, week, fmt, output) -> None:
    from radio.reports import logbook as worker
    from radio.reports.text import document_text

    fmt = _format(fmt, output, ("table", "json", "xlsx", "pdf"))
    app = ctx.app
    try:
        period = rules.parse_week(week, app.settings.zone)
    except rules.PeriodError as err:
        raise click.BadParameter(str(err), param_hint="--week") from None
    book = worker.logbook(app.as_run.between(period.start, period.end), period)
    notices = app.library.notice_texts(worker.notice_ids(book))
    if fmt == "json":
        _emit(json.dumps(worker.logbook_json(book, _station(app), notices), ensure_ascii=False, indent=2) + "\n", output)
        return
    doc = worker.logbook_document(book, app.taxonomy, app.settings.station, _today(app), notices)
    _emit(_render(doc, fmt) if fmt != "table" else document_text(doc), output)
