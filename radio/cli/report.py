"""`radio report airtime|programme|logbook`: what was broadcast, for the district, the
poverty programme and the inspectors.

Thin adapters over radio/reports/service.py (the workflow the web console calls too):
read the options, let the service compute and render, write to stdout or to -o FILE.
"""

from __future__ import annotations

from pathlib import Path

import click

from radio.cli.base import Group, option
from radio.cli.context import pass_ctx
from radio.cli.params import DATE
from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _
from radio.reports.output import write_file
from radio.reports.service import (
    AIRTIME_FORMATS,
    LOGBOOK_FORMATS,
    PROGRAMME_FORMATS,
    ReportService,
    parse_period,
)

EXTENSIONS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".pdf": "pdf", ".txt": "table"}


def _period(service: ReportService, **given) -> rules.Period:
    """Exactly one of --month/--quarter/--half/--year/--week, or --from with --to."""
    first, last = given.pop("from_", None), given.pop("to", None)
    chosen = {k: v for k, v in given.items() if v is not None}
    ranges = first is not None or last is not None
    names = ", ".join("--" + k for k in given) + ", --from/--to"
    if len(chosen) + ranges != 1:
        raise click.UsageError(_("give exactly one period: {options}").format(options=names))
    if ranges and (first is None or last is None):
        raise click.UsageError(_("--from and --to go together"))
    (kind, value), = chosen.items() if chosen else (("range", None),)
    try:
        return parse_period(kind, value, service.zone, tuple(given), first, last)
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
@option("--format", "fmt", type=click.Choice(AIRTIME_FORMATS),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw minutes per topic as a PNG.")
@pass_ctx
def airtime(ctx, month, quarter, half, year, from_, to, by, fmt, output, chart) -> None:
    fmt = _format(fmt, output, AIRTIME_FORMATS)
    service = ReportService(ctx.app)
    period = _period(service, month=month, quarter=quarter, half=half, year=year, from_=from_, to=to)
    result = service.airtime_result(period, by)
    _emit(service.airtime(period, fmt, by, result).data, output)
    if chart is not None:
        write_file(chart, service.airtime_chart(period, result).as_bytes())
        click.echo(_("Wrote {path}").format(path=chart), err=True)


@report.command(help="The poverty-reduction programme report: airtime per poverty topic, new items, USB packages.")
@period_options("half", "year")
@option("--format", "fmt", type=click.Choice(PROGRAMME_FORMATS),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@pass_ctx
def programme(ctx, half, year, from_, to, fmt, output) -> None:
    fmt = _format(fmt, output, PROGRAMME_FORMATS)
    service = ReportService(ctx.app)
    period = _period(service, half=half, year=year, from_=from_, to=to)
    _emit(service.programme(period, fmt).data, output)


@report.command(help="The weekly programme log book, printable (PDF or XLSX).")
@option("--week", required=True, metavar="YYYY-Www", help="An ISO week, e.g. 2026-W47.")
@option("--format", "fmt", type=click.Choice(LOGBOOK_FORMATS),
        help="Output format (default: table, or from the -o file name).")  # fmt: skip
@output_option
@pass_ctx
def logbook(ctx, week, fmt, output) -> None:
    fmt = _format(fmt, output, LOGBOOK_FORMATS)
    service = ReportService(ctx.app)
    try:
        period = parse_period("week", week, service.zone, ("week",))
    except rules.PeriodError as err:
        raise click.BadParameter(str(err), param_hint="--week") from None
    _emit(service.logbook(period, fmt).data, output)
