"""`radio report programme`: what the commune aired and prepared for poverty reduction.

The layout of a report an official hands in: letterhead, title, period, three tables
(airtime per poverty topic, items added to the library, USB packages per hamlet) and a
signature block. Every figure is one SQL aggregate over the period.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from radio.domain.reports import AIRED, Period
from radio.domain.topics import Taxonomy
from radio.reports import vn
from radio.reports.document import Document, Table, official_letterhead, station_lines
from radio.reports.sql import MOMENT, stamp


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
class ProgrammeReport:
    period: Period
    topics: list[TopicLine]  # every poverty topic, aired or not
    all_seconds: float  # seconds aired on every topic, poverty or not
    library: list[LibraryLine]  # every poverty topic
    library_all: int  # items added on any topic
    usb: list[HamletLine]

    @property
    def poverty_seconds(self) -> float:
        return sum(t.seconds for t in self.topics)


def programme(engine: Engine, period: Period, taxonomy: Taxonomy) -> ProgrammeReport:
    bounds = {"start": stamp(period.start), "end": stamp(period.end)}
    aired = ", ".join(f"'{s}'" for s in AIRED)
    poverty = [t for t in taxonomy if t.poverty]
    with engine.connect() as con:
        airtime = {
            r[0]: r[1:]
            for r in con.execute(
                text(
                    f"SELECT topic, COUNT(DISTINCT CASE WHEN status IN ({aired}) THEN item_id END),"
                    f" SUM(status IN ({aired})), TOTAL(seconds_played) FROM as_run"
                    f" WHERE {MOMENT} >= :start AND {MOMENT} < :end GROUP BY topic"
                ),
                bounds,
            )
        }
        added = {
            r[0]: r[1:]
            for r in con.execute(
                text(
                    "SELECT topic, COUNT(*), TOTAL(duration_s) FROM items"
                    " WHERE added_at >= :start AND added_at < :end GROUP BY topic"
                ),
                bounds,
            )
        }
        usb = [
            HamletLine(r[0], r[1], r[2], int(r[3]), float(r[4]))
            for r in con.execute(
                text(
                    "SELECT hamlet_code, MAX(hamlet_name), COUNT(*), TOTAL(items), TOTAL(duration_s)"
                    " FROM usb_packages WHERE created_at >= :start AND created_at < :end"
                    " GROUP BY hamlet_code ORDER BY hamlet_code"
                ),
                bounds,
            )
        ]
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
    )


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
        "total": {
            "poverty_seconds": round(report.poverty_seconds, 3),
            "all_seconds": round(report.all_seconds, 3),
            "poverty_share": round(_share(report.poverty_seconds, report.all_seconds), 6),
            "poverty_airings": sum(t.airings for t in report.topics),
            "library_items": sum(t.items for t in report.library),
            "library_items_all_topics": report.library_all,
            "usb_packages": sum(h.packages for h in report.usb),
        },
    }


CSV_FIELDS = ("section", "code", "name", "packages", "items", "airings", "seconds", "share")


def programme_csv(report: ProgrammeReport) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    for t in report.topics:
        w.writerow({"section": "airtime", "code": t.topic, "name": t.name, "items": t.items, "airings": t.airings,
                    "seconds": round(t.seconds, 3), "share": round(_share(t.seconds, report.all_seconds), 6)})  # fmt: skip
    for t in report.library:
        w.writerow({"section": "library", "code": t.topic, "name": t.name, "items": t.items,
                    "seconds": round(t.seconds, 3)})  # fmt: skip
    for h in report.usb:
        w.writerow({"section": "usb", "code": h.hamlet, "name": h.name, "packages": h.packages, "items": h.items,
                    "seconds": round(h.seconds, 3)})  # fmt: skip
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
        f"{vn.minutes(report.poverty_seconds)} phút ({vn.percent(_share(report.poverty_seconds, report.all_seconds))})."
    )
    return Document(
        title="BÁO CÁO KẾT QUẢ THÔNG TIN, TUYÊN TRUYỀN VỀ GIẢM NGHÈO TRÊN HỆ THỐNG TRUYỀN THANH",
        lines=[f"Kỳ báo cáo: {vn.period_title(report.period)}"] + station_lines(station),
        blocks=[
            "I. TIN, BÀI VỀ GIẢM NGHÈO ĐÃ PHÁT SÓNG",
            airtime,
            summary,
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
