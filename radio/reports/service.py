"""The reports' one workflow, whichever front end asks: the period, the figures, the file.

`radio report` and the web console's reports page both call this: they parse nothing
but their own options or query string, and render nothing themselves. A console that
drew its own log book once lacked the spoken notices' texts the CLI's had; here the
log book always carries them, in every format.

Each report returns a ``Rendered``: text formats (table, CSV, JSON) as ``str``, files
(XLSX, PDF, PNG) as ``bytes``, with the file name the console offers for download.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from radio.domain import reports as rules
from radio.errors import RadioError
from radio.i18n import _

PERIOD_KINDS = ("month", "quarter", "half", "year", "week")
AIRTIME_FORMATS = ("table", "csv", "json", "xlsx")
PROGRAMME_FORMATS = ("table", "csv", "json", "xlsx", "pdf")
LOGBOOK_FORMATS = ("table", "json", "xlsx", "pdf")
FILE_FORMATS = ("xlsx", "pdf", "png")  # formats that are files: never printed on a terminal
MEDIA_TYPES = {
    "table": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
}
CHART_TITLE = "Thời lượng phát sóng theo chủ đề"  # report content (Vietnamese), not UI text


@dataclass(frozen=True)
class Rendered:
    data: str | bytes
    fmt: str
    filename: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    def as_bytes(self) -> bytes:
        return self.data.encode("utf-8") if isinstance(self.data, str) else self.data


def current_value(kind: str, today: date) -> str:
    """The period of *kind* that holds *today*, spelled as the user would type it."""
    iso = today.isocalendar()
    return {"month": f"{today:%Y-%m}", "quarter": f"{today.year}Q{(today.month - 1) // 3 + 1}",
            "half": f"{today.year}H{1 if today.month <= 6 else 2}", "year": str(today.year),
            "week": f"{iso[0]}-W{iso[1]:02d}"}[kind]  # fmt: skip


def parse_period(kind: str, value: str | None, zone, allowed: Sequence[str] = PERIOD_KINDS,
                 first: date | None = None, last: date | None = None, today: date | None = None) -> rules.Period:  # fmt: skip
    """The period the user chose: *kind* ``range`` with *first*/*last*, else a value of *kind*
    (None: the current one). Raises rules.PeriodError (a bad value) or RadioError."""
    if kind == "range":
        if first is None or last is None:
            raise RadioError(_("give the first and the last day of the period"))
        return rules.date_range(first, last, zone)
    if kind not in allowed:
        raise RadioError(_("this report is made for a period of kind: {kinds}").format(kinds=", ".join(allowed)))
    if value is None:
        value = current_value(kind, today or datetime.now(zone).date())
    return getattr(rules, f"parse_{kind}")(value, zone)


def _render_document(doc, fmt: str) -> str | bytes:
    if fmt == "pdf":
        from radio.reports.pdf import document_pdf

        return document_pdf(doc)
    if fmt == "xlsx":
        from radio.reports.xlsx import document_xlsx

        return document_xlsx(doc)
    from radio.reports.text import document_text

    return document_text(doc)


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class ReportService:
    """The reports of one station (an open App: its engine, as-run log, library, settings)."""

    def __init__(self, app) -> None:
        self.app = app

    @property
    def zone(self):
        return self.app.settings.zone

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def _station_json(self) -> dict:
        s = self.app.settings.station
        return {"name": s.name, "commune": s.commune, "province": s.province, "timezone": s.timezone}

    # -- airtime

    def airtime_result(self, period: rules.Period, by: Sequence[str] = ("topic",)):
        from radio.reports import airtime as worker

        return worker.airtime(self.app.engine, period, tuple(by) or ("topic",))

    def airtime_table(self, period: rules.Period):
        """The console's on-page table: minutes per topic, and the total seconds."""
        from radio.reports import airtime as worker

        result = self.airtime_result(period)
        return worker.human_table(result, self.app.taxonomy), result.total.seconds

    def airtime(self, period: rules.Period, fmt: str, by: Sequence[str] = ("topic",), result=None) -> Rendered:
        """The airtime report in *fmt* (*result*: the figures, if already computed for *by*)."""
        from radio.reports import airtime as worker

        result, taxonomy = result or self.airtime_result(period, by), self.app.taxonomy
        if fmt == "json":
            data: str | bytes = _json(worker.as_json(result, taxonomy, self._station_json()))
        elif fmt == "csv":
            data = worker.airtime_csv(result, taxonomy)
        else:
            data = _render_document(worker.airtime_document(result, taxonomy, self.app.settings.station), fmt)
        return Rendered(data, fmt, f"thoi-luong-{period.label}.{'txt' if fmt == 'table' else fmt}")

    def airtime_chart(self, period: rules.Period, by_topic=None) -> Rendered:
        """Minutes per topic as a PNG (*by_topic*: an airtime result grouped by topic, if at hand)."""
        from radio.reports import airtime as worker
        from radio.reports import vn
        from radio.reports.chart import topic_chart_png

        if by_topic is None or by_topic.by[0] != "topic":
            by_topic = self.airtime_result(period, ("topic",))
        bars = [(self.app.taxonomy.name(code), s) for code, s in worker.by_topic_minutes(by_topic)]
        png = topic_chart_png(bars, CHART_TITLE, f"{self.app.settings.station.name} — {vn.period_title(period)}")
        return Rendered(png, "png", f"thoi-luong-{period.label}.png")

    # -- the poverty programme

    def programme(self, period: rules.Period, fmt: str) -> Rendered:
        from radio.reports import programme as worker

        result = worker.programme(self.app.engine, period, self.app.taxonomy)
        if fmt == "json":
            data: str | bytes = _json(worker.programme_json(result, self._station_json()))
        elif fmt == "csv":
            data = worker.programme_csv(result)
        else:
            data = _render_document(worker.programme_document(result, self.app.settings.station, self.today()), fmt)
        return Rendered(data, fmt, f"giam-ngheo-{period.label}.{'txt' if fmt == 'table' else fmt}")

    # -- the weekly log book

    def logbook(self, period: rules.Period, fmt: str) -> Rendered:
        """The log book with the text of every spoken notice it aired, in every format."""
        from radio.reports import logbook as worker

        from radio.reports.asrun_listing import emergency_starts

        book = worker.logbook(self.app.as_run.between(period.start, period.end), period,
                              emergency_starts(self.app, period.start, period.end))  # fmt: skip
        notices = self.app.library.notice_texts(worker.notice_ids(book))
        if fmt == "json":
            data: str | bytes = _json(worker.logbook_json(book, self._station_json(), notices))
        else:
            doc = worker.logbook_document(book, self.app.taxonomy, self.app.settings.station, self.today(), notices)
            data = _render_document(doc, fmt)
        return Rendered(data, fmt, f"so-nhat-ky-{period.label}.{'txt' if fmt == 'table' else fmt}")
