"""`radio report programme`: what the commune aired and prepared for poverty reduction.

The layout of a report an official hands in: letterhead, title, period, three tables
(airtime per poverty topic, items added to the library, USB packages per hamlet) and a
signature block. Every figure is one SQL aggregate over the period.

Relays (tiếp sóng) are airtime like any other: a relay segment's row carries its source's
topic as aired, so it counts in a poverty topic's seconds (section I) exactly when that
topic is a poverty topic, and always in the period's total airtime. The "Tiếp sóng" lines
show the seconds relayed per source, with the topic they were counted under, so the reader
sees which of them are in the poverty figures; they are not added to them a second time.
A relay segment is an airing, not an item: it never counts in "items aired".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, text

from radio.domain.reports import AIRED, Period
from radio.domain.topics import Taxonomy
from radio.reports import vn
from radio.reports.cells import csv_record
from radio.reports.document import Document, Table, official_letterhead, station_lines
from radio.reports.sql import MOMENT, stamp, stamped_title_sql


@dataclass(frozen=True)
class TopicLine:
    topic: str
    name: str
    items: int  # distinct items aired
    airings: int
    seconds: float


@dataclass(frozen=True)
class LibraryLine:
    topic: str
    name: str
    items: int
    seconds: float


@dataclass(frozen=True)
class HamletLine:
    hamlet: str
    name: str
    packages: int
    items: int
    seconds: float


@dataclass(frozen=True)
class RelayLine:
    source: str  # the source's code
    name: str  # as last aired in the period
    topic: str  # the source's topic as aired
    topic_name: str
    poverty: bool  # whether the topic is a poverty topic (its seconds are in section I)
    airings: int  # relay segments that went on air
    seconds: float


@dataclass(frozen=True)
class ProgrammeReport:
    period: Period
    topics: list[TopicLine]  # every poverty topic, aired or not
    all_seconds: float  # seconds aired on every topic, poverty or not
    library: list[LibraryLine]  # every poverty topic
    library_all: int  # items added on any topic
    usb: list[HamletLine]
    relays: list[RelayLine] = field(default_factory=list)  # per source (and topic) relayed

    @property
    def poverty_seconds(self) -> float:
        return sum(t.seconds for t in self.topics)

    @property
    def relay_seconds(self) -> float:
        return sum(r.seconds for r in self.relays)


def programme(engine: Engine, period: Period, taxonomy: Taxonomy) -> ProgrammeReport:
    bounds = {"start": stamp(period.start), "end": stamp(period.end)}
    aired = ", ".join(f"'{s}'" for s in AIRED)
    poverty = [t for t in taxonomy if t.poverty]
    stamped = stamped_title_sql(engine.dialect.name)  # SQLite at a station, PostgreSQL at a hub
    with engine.connect() as con:
        airtime = {
            r[0]: r[1:]
            for r in con.execute(
                text(
                    f"SELECT topic, COUNT(DISTINCT CASE WHEN status IN ({aired}) THEN item_id END),"
                    f" SUM(CASE WHEN status IN ({aired}) THEN 1 ELSE 0 END), COALESCE(SUM(seconds_played), 0.0) FROM as_run"
                    f" WHERE {MOMENT} >= :start AND {MOMENT} < :end GROUP BY topic"
                ),
                bounds,
            )
        }
        added = {
            r[0]: r[1:]
            for r in con.execute(
                text(
                    "SELECT topic, COUNT(*), COALESCE(SUM(duration_s), 0.0) FROM items"
                    " WHERE added_at >= :start AND added_at < :end GROUP BY topic"
                ),
                bounds,
            )
        }
        usb = [
            HamletLine(r[0], r[1], r[2], int(r[3]), float(r[4]))
            for r in con.execute(
                text(
                    "SELECT hamlet_code, MAX(hamlet_name), COUNT(*), COALESCE(SUM(items), 0), COALESCE(SUM(duration_s), 0.0)"
                    " FROM usb_packages WHERE created_at >= :start AND created_at < :end"
                    " GROUP BY hamlet_code ORDER BY hamlet_code"
                ),
                bounds,
            )
        ]
        relayed = list(
            con.execute(
                text(
                    f"SELECT relay_source, topic, MAX({stamped}), SUM(CASE WHEN status IN ({aired}) THEN 1 ELSE 0 END),"
                    f" COALESCE(SUM(seconds_played), 0.0) FROM as_run"
                    f" WHERE {MOMENT} >= :start AND {MOMENT} < :end AND relay_source IS NOT NULL"
                    f" GROUP BY relay_source, topic ORDER BY relay_source, topic"
                ),
                bounds,
            )
        )
    topics = [
        TopicLine(t.code, t.name, *((int(airtime[t.code][0]), int(airtime[t.code][1] or 0), float(airtime[t.code][2]))
                                    if t.code in airtime else (0, 0, 0.0)))  # fmt: skip
        for t in poverty
    ]
    library = [
        LibraryLine(t.code, t.name, *((int(added[t.code][0]), float(added[t.code][1])) if t.code in added else (0, 0.0)))
        for t in poverty
    ]
    return ProgrammeReport(
        period=period,
        topics=topics,
        all_seconds=sum(float(v[2]) for v in airtime.values()),
        library=library,
        library_all=sum(int(v[0]) for v in added.values()),
        usb=usb,
        relays=[
            RelayLine(code, latest.split("\x1f", 1)[1], topic, taxonomy.name(topic), _is_poverty(taxonomy, topic),
                      int(airings or 0), float(seconds))  # fmt: skip
            for code, topic, latest, airings, seconds in relayed
        ],
    )


def _is_poverty(taxonomy: Taxonomy, code: str) -> bool:
    return any(t.code == code and t.poverty for t in taxonomy)


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def programme_json(report: ProgrammeReport, station: dict) -> dict:
    return {
        "report": "programme",
        "station": station,
        "period": {"from": report.period.first.isoformat(), "to": report.period.last.isoformat(),
                   "label": report.period.label},  # fmt: skip
        "topics": [
            {"topic": t.topic, "topic_name": t.name, "items": t.items, "airings": t.airings,
             "seconds": round(t.seconds, 3), "share": round(_share(t.seconds, report.all_seconds), 6)}  # fmt: skip
            for t in report.topics
        ],
        "library": [{"topic": t.topic, "topic_name": t.name, "items": t.items, "seconds": round(t.seconds, 3)}
                    for t in report.library],  # fmt: skip
        "usb": [{"hamlet": h.hamlet, "hamlet_name": h.name, "packages": h.packages, "items": h.items,
                 "seconds": round(h.seconds, 3)} for h in report.usb],  # fmt: skip
        "relays": [{"source": r.source, "source_name": r.name, "topic": r.topic, "topic_name": r.topic_name,
                    "poverty": r.poverty, "airings": r.airings, "seconds": round(r.seconds, 3),
                    "share": round(_share(r.seconds, report.all_seconds), 6)} for r in report.relays],  # fmt: skip
        "total": {
            "poverty_seconds": round(report.poverty_seconds, 3),
            "all_seconds": round(report.all_seconds, 3),
            "poverty_share": round(_share(report.poverty_seconds, report.all_seconds), 6),
            "poverty_airings": sum(t.airings for t in report.topics),
            "library_items": sum(t.items for t in report.library),
            "library_items_all_topics": report.library_all,
            "usb_packages": sum(h.packages for h in report.usb),
            "relay_seconds": round(report.relay_seconds, 3),
        },
    }


CSV_FIELDS = ("section", "code", "name", "packages", "items", "airings", "seconds", "share", "topic")
"""`topic` is filled on relay lines only (the topic their seconds were counted under)."""


def programme_csv(report: ProgrammeReport) -> str:
    records = [
        {"section": "airtime", "code": t.topic, "name": t.name, "items": t.items, "airings": t.airings,
         "seconds": round(t.seconds, 3), "share": round(_share(t.seconds, report.all_seconds), 6)}
        for t in report.topics
    ] + [
        {"section": "library", "code": t.topic, "name": t.name, "items": t.items, "seconds": round(t.seconds, 3)}
        for t in report.library
    ] + [
        {"section": "usb", "code": h.hamlet, "name": h.name, "packages": h.packages, "items": h.items,
         "seconds": round(h.seconds, 3)}
        for h in report.usb
    ] + [
        {"section": "relay", "code": r.source, "name": r.name, "airings": r.airings, "seconds": round(r.seconds, 3),
         "share": round(_share(r.seconds, report.all_seconds), 6), "topic": r.topic}
        for r in report.relays
    ]  # fmt: skip
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_record(r) for r in records)
    return buf.getvalue()


def programme_document(report: ProgrammeReport, station, today: date) -> Document:
    airtime = Table(
        ["STT", "Chủ đề", "Số tin, bài", "Số lần phát", "Số phút phát", "Tỷ lệ trên tổng thời lượng"],
        ["int", "text", "int", "int", "minutes", "share"],
        [[n, t.name, t.items, t.airings, t.seconds, _share(t.seconds, report.all_seconds)]
         for n, t in enumerate(report.topics, start=1)],  # fmt: skip
        ["", "Cộng", sum(t.items for t in report.topics), sum(t.airings for t in report.topics),
         report.poverty_seconds, _share(report.poverty_seconds, report.all_seconds)],  # fmt: skip
        widths=[0.5, 4, 1.2, 1.2, 1.3, 1.6],
    )
    library = Table(
        ["STT", "Chủ đề", "Số tin, bài mới", "Số phút"],
        ["int", "text", "int", "minutes"],
        [[n, t.name, t.items, t.seconds] for n, t in enumerate(report.library, start=1)],
        ["", "Cộng", sum(t.items for t in report.library), sum(t.seconds for t in report.library)],
        widths=[0.5, 5, 1.5, 1.5],
    )
    usb = Table(
        ["STT", "Mã thôn", "Tên thôn, xóm, bản", "Số gói USB", "Số tin, bài", "Số phút"],
        ["int", "text", "text", "int", "int", "minutes"],
        [[n, h.hamlet, h.name, h.packages, h.items, h.seconds] for n, h in enumerate(report.usb, start=1)],
        ["", "Cộng", "", sum(h.packages for h in report.usb), sum(h.items for h in report.usb),
         sum(h.seconds for h in report.usb)] if report.usb else None,  # fmt: skip
        widths=[0.5, 1.2, 3.5, 1.2, 1.2, 1.2],
        empty="Chưa chuẩn bị gói USB nào trong kỳ.",
    )
    summary = (
        f"Tổng thời lượng phát sóng trong kỳ: {vn.minutes(report.all_seconds)} phút; trong đó tin, bài về giảm nghèo: "
        f"{vn.minutes(report.poverty_seconds)} phút ({vn.percent(_share(report.poverty_seconds, report.all_seconds))})"
        + (f"; tiếp sóng: {vn.minutes(report.relay_seconds)} phút "
           f"({vn.percent(_share(report.relay_seconds, report.all_seconds))})." if report.relays else ".")
    )  # fmt: skip
    relays = Table(
        ["STT", "Tiếp sóng", "Mã nguồn", "Chủ đề", "Số lần tiếp sóng", "Số phút", "Tỷ lệ trên tổng thời lượng"],
        ["int", "text", "text", "text", "int", "minutes", "share"],
        [[n, r.name, r.source, r.topic_name + (" (giảm nghèo)" if r.poverty else ""), r.airings, r.seconds,
          _share(r.seconds, report.all_seconds)] for n, r in enumerate(report.relays, start=1)],  # fmt: skip
        ["", "Cộng", "", "", sum(r.airings for r in report.relays), report.relay_seconds,
         _share(report.relay_seconds, report.all_seconds)] if report.relays else None,  # fmt: skip
        caption="Tiếp sóng đài cấp trên (đã tính trong tổng thời lượng; chỉ tính vào tin, bài về giảm nghèo khi "
                "chủ đề của nguồn là chủ đề giảm nghèo)",
        widths=[0.5, 3, 1.2, 2.2, 1.3, 1.2, 1.6],
        empty="Không tiếp sóng trong kỳ.",
    )  # fmt: skip
    return Document(
        title="BÁO CÁO KẾT QUẢ THÔNG TIN, TUYÊN TRUYỀN VỀ GIẢM NGHÈO TRÊN HỆ THỐNG TRUYỀN THANH",
        lines=[f"Kỳ báo cáo: {vn.period_title(report.period)}"] + station_lines(station),
        blocks=[
            "I. TIN, BÀI VỀ GIẢM NGHÈO ĐÃ PHÁT SÓNG",
            airtime,
            summary,
            relays,
            "II. TIN, BÀI MỚI ĐƯA VÀO THƯ VIỆN",
            library,
            f"Tổng số tin, bài mới trong kỳ (mọi chủ đề): {report.library_all}.",
            "III. GÓI USB CHUẨN BỊ CHO CÁC THÔN, XÓM, BẢN",
            usb,
        ],
        letterhead=official_letterhead(station),
        dateline=vn.signed_on(station.commune, today),
        signatures=["NGƯỜI LẬP BÁO CÁO", "TM. ỦY BAN NHÂN DÂN"],
        sheet="Báo cáo giảm nghèo",
    )
