"""`radio report airtime`: airings and seconds played per group, summed by SQLite."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from radio.domain.reports import (
    STATUSES,
    Group,
    Period,
    Tally,
    check_by,
    rollup_serves,
    sort_groups,
    total,
    with_shares,
)
from radio.domain.topics import Taxonomy
from radio.reports import vn
from radio.reports.cells import csv_record
from radio.reports.document import Document, Table, station_lines
from radio.reports.sql import MOMENT, local_day_sql, stamp, stamped_title_sql

COMMUNE_OF = "(SELECT s.commune FROM stations s WHERE s.code = {table}.station)"
"""At a hub: the commune or ward the row's station serves (`hub station add|edit --commune`);
none for the hub's own rows and for a station not given one."""

KEY_COLUMNS = {  # --by value -> (SQL expressions, machine column names, Vietnamese headings)
    "topic": (("topic",), ("topic",), ("Chủ đề",)),
    "day": ((None,), ("day",), ("Ngày",)),
    "slot": (("slot_name",), ("slot",), ("Khung giờ",)),
    "item": (("item_id", "title"), ("item_id", "title"), ("Mã", "Tin bài")),
    "language": (("language",), ("language",), ("Ngôn ngữ",)),
    "source": (("CASE WHEN relay_source IS NULL THEN source END", "relay_source"), ("source", "relay_source"),
               ("Nguồn", "Hình thức")),
    "station": (("station",), ("station",), ("Đài",)),  # at a hub: the station that aired it
    "commune": ((COMMUNE_OF.format(table="as_run"),), ("commune",), ("Xã/phường",)),  # at a hub: the station's
}
"""`--by source`: where the airtime came from. A relay segment's source is the station it
relayed (code, and its name as last aired in the period); any other row was played from the
station's own library and keeps the item's source as aired (who supplied it; none for the
station's own productions). Local rows are neither excluded nor lumped together: the district
asks a commune how much it relayed from VOV and the province *and* what it aired itself, so
every second stays in the table (shares add up to the whole airtime), each line says whether
it was relayed or aired at the station, and the existing split of local airtime by supplier
(which `--by source` gave before relays existed) is kept."""

LATEST_RELAY_NAME = (
    "MAX(MAX(CASE WHEN relay_source IS NOT NULL THEN {stamped} END)) OVER (PARTITION BY relay_source)"
)
"""A relayed source's name as last aired in the whole period (not per group: a source renamed
mid-month stays one name on every line), in the same GROUP BY: a window over the groups.
Stamps have a fixed width, so the greatest 'moment<US>name' is the latest segment's."""


@dataclass(frozen=True)
class AirtimeReport:
    period: Period
    by: tuple[str, ...]
    groups: list[Group]
    total: Tally


def airtime(engine: Engine, period: Period, by: Sequence[str] = ("topic",), use_rollup: bool = True) -> AirtimeReport:
    """Group the as-run rows of *period* by *by*: one SQL GROUP BY over (keys, status), over
    the daily rollup when it holds those keys for the period's days (the same figures, read
    from thousands of rows instead of millions), else over the rows themselves."""
    by = check_by(by)
    sql, params, width = (_rollup_sql if use_rollup and rollup_serves(period, by) else _rows_sql)(
        period, by, engine.dialect.name)
    counts: dict[tuple, dict[str, int]] = {}
    seconds: dict[tuple, dict[str, float]] = {}
    with engine.connect() as con:
        for row in con.execute(text(sql), params):
            key = tuple(row[:width])
            if "day" in by:
                at = _key_index(by, "day")
                key = key[:at] + (date.fromisoformat(key[at]),) + key[at + 1 :]
            if "source" in by and key[(at := _key_index(by, "source")) + 1] is not None:
                key = key[:at] + (row[width + 3].split("\x1f", 1)[1],) + key[at + 1 :]
            status = row[width]
            counts.setdefault(key, {})[status] = int(row[width + 1])  # a bigint SUM is numeric in PostgreSQL
            seconds.setdefault(key, {})[status] = float(row[width + 2])
    groups = sort_groups(with_shares(Group(k, Tally.of(counts[k], seconds[k])) for k in counts), by)
    return AirtimeReport(period, by, groups, total(groups))


def _rows_sql(period: Period, by: tuple[str, ...], dialect: str) -> tuple[str, dict, int]:
    exprs: list[str] = []
    for b in by:
        for e in KEY_COLUMNS[b][0]:
            exprs.append(local_day_sql(MOMENT, period, period.zone, dialect) if e is None else e)
    keys = ", ".join(f"{e} AS k{n}" for n, e in enumerate(exprs))
    group = ", ".join(f"k{n}" for n in range(len(exprs)))
    stamped = stamped_title_sql(dialect)
    relay_name = f", {LATEST_RELAY_NAME.format(stamped=stamped)}" if "source" in by else ""
    sql = (
        f"SELECT {keys}, status, COUNT(*), COALESCE(SUM(seconds_played), 0.0){relay_name} FROM as_run "
        f"WHERE {MOMENT} >= :start AND {MOMENT} < :end GROUP BY {group}, status"
    )
    return sql, {"start": stamp(period.start), "end": stamp(period.end)}, len(exprs)


ROLLUP_COLUMNS = {"station": "NULLIF(station, '')", "commune": COMMUNE_OF.format(table="as_run_daily"), "day": "day",
                  "topic": "topic", "language": "language"}  # fmt: skip
"""The rollup's column for each `--by` key it holds ('' is how it keeps a home's own rows)."""


def _rollup_sql(period: Period, by: tuple[str, ...], dialect: str) -> tuple[str, dict, int]:
    keys = ", ".join(f"{ROLLUP_COLUMNS[b]} AS k{n}" for n, b in enumerate(by))
    group = ", ".join(f"k{n}" for n in range(len(by)))
    sql = (
        f"SELECT {keys}, status, SUM(airings), COALESCE(SUM(seconds), 0.0) FROM as_run_daily "
        f"WHERE day >= :first AND day <= :last GROUP BY {group}, status"
    )
    return sql, {"first": period.first.isoformat(), "last": period.last.isoformat()}, len(by)


def _key_index(by: Sequence[str], name: str) -> int:
    n = 0
    for b in by:
        if b == name:
            return n
        n += len(KEY_COLUMNS[b][1])
    raise KeyError(name)


def by_topic_minutes(report: AirtimeReport) -> list[tuple[str, float]]:
    """(topic code, seconds) per topic, from a report grouped by topic first."""
    out: dict[str, float] = {}
    at = _key_index(report.by, "topic")
    for g in report.groups:
        out[g.key[at]] = out.get(g.key[at], 0.0) + g.tally.seconds
    return sorted(out.items(), key=lambda kv: -kv[1])


# --- the report as columns: machine (CSV/JSON) and human (table/XLSX) -------------------

TALLY_FIELDS = ("airings", "seconds", "share") + tuple(
    f for s in STATUSES for f in ((s, f"{s}_seconds") if s not in ("skipped", "missed") else (s,))
)
"""Stable column names after the key columns, in CSV and JSON alike."""


def key_fields(by: Sequence[str]) -> list[str]:
    fields = []
    for b in by:
        fields += KEY_COLUMNS[b][1]
        if b == "topic":
            fields.append("topic_name")
    return fields


def tally_fields(tally: Tally, share: float | None) -> dict:
    out: dict = {"airings": tally.airings, "seconds": round(tally.seconds, 3)}
    if share is not None:
        out["share"] = round(share, 6)
    for s in STATUSES:
        out[s] = tally.count(s)
        if s not in ("skipped", "missed"):
            out[f"{s}_seconds"] = round(tally.seconds_of(s), 3)
    return out


def group_record(report: AirtimeReport, group: Group, taxonomy: Taxonomy) -> dict:
    record: dict = {}
    values = iter(group.key)
    for b in report.by:
        for name in KEY_COLUMNS[b][1]:
            value = next(values)
            record[name] = value.isoformat() if isinstance(value, date) else value
        if b == "topic":
            record["topic_name"] = taxonomy.name(record["topic"])
    record.update(tally_fields(group.tally, group.share))
    return record


def as_json(report: AirtimeReport, taxonomy: Taxonomy, station: dict) -> dict:
    return {
        "report": "airtime",
        "station": station,
        "period": {
            "from": report.period.first.isoformat(),
            "to": report.period.last.isoformat(),
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "by": list(report.by),
        "groups": [group_record(report, g, taxonomy) for g in report.groups],
        "total": tally_fields(report.total, 1.0 if report.total.seconds > 0 else 0.0),
    }


def human_key(b: str, values: tuple, taxonomy: Taxonomy) -> list:
    if b == "topic":
        return [taxonomy.name(values[0])]
    if b == "day":
        return [vn.weekday(values[0])]
    if b == "slot":
        return [values[0] or vn.NO_SLOT]
    if b == "item":
        return [values[0] if values[0] is not None else "", values[1]]
    if b == "language":
        return [vn.language(values[0])]
    if b == "station":
        return [values[0] or vn.HUB_ITSELF]
    if b == "commune":
        return [values[0] or vn.NO_COMMUNE]
    name, relay = values
    if relay is not None:
        return [f"{name} ({relay})", vn.RELAY]
    return [name or vn.NO_SOURCE, vn.LOCAL]


def human_table(report: AirtimeReport, taxonomy: Taxonomy) -> Table:
    key_headings = [h for b in report.by for h in KEY_COLUMNS[b][2]]
    show_playing = report.total.count("playing") > 0
    stats = [
        ("Số lần phát", "int", lambda t, s: t.airings),
        ("Số phút phát", "minutes", lambda t, s: t.seconds),
        ("Tỷ lệ", "share", lambda t, s: s),
        ("Phút phát trọn", "minutes", lambda t, s: t.seconds_of("completed")),
        ("Phút bị ngắt", "minutes", lambda t, s: t.seconds_of("interrupted")),
    ]
    if show_playing:
        stats.append(("Đang phát", "int", lambda t, s: t.count("playing")))
    stats += [
        ("Lỗi", "int", lambda t, s: t.count("failed")),
        ("Bỏ qua", "int", lambda t, s: t.count("skipped")),
        ("Bị lỡ", "int", lambda t, s: t.count("missed")),
    ]
    rows = []
    for g in report.groups:
        keys, values = [], iter(g.key)
        for b in report.by:
            keys += human_key(b, tuple(next(values) for _ in KEY_COLUMNS[b][1]), taxonomy)
        rows.append(keys + [f(g.tally, g.share) for _, _, f in stats])
    share = 1.0 if report.total.seconds > 0 else 0.0
    total_row = ["Tổng cộng"] + [""] * (len(key_headings) - 1) + [f(report.total, share) for _, _, f in stats]
    return Table(
        key_headings + [h for h, _, _ in stats],
        ["text"] * len(key_headings) + [k for _, k, _ in stats],
        rows,
        total_row,
    )


BY_TITLE = {"topic": "chủ đề", "day": "ngày", "slot": "khung giờ", "item": "tin bài", "language": "ngôn ngữ",
            "source": "nguồn", "station": "đài", "commune": "xã/phường"}  # fmt: skip


def airtime_document(report: AirtimeReport, taxonomy: Taxonomy, station) -> Document:
    return Document(
        title="BÁO CÁO THỜI LƯỢNG PHÁT SÓNG",
        lines=station_lines(station)
        + [
            f"Kỳ báo cáo: {vn.period_title(report.period)}",
            "Thống kê theo " + ", ".join(BY_TITLE[b] for b in report.by),
        ],
        blocks=[human_table(report, taxonomy)],
        landscape=True,
        sheet="Thời lượng phát sóng",
    )


def airtime_csv(report: AirtimeReport, taxonomy: Taxonomy) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=key_fields(report.by) + list(TALLY_FIELDS), lineterminator="\n")
    writer.writeheader()
    for g in report.groups:
        writer.writerow(csv_record(group_record(report, g, taxonomy)))
    return buf.getvalue()
