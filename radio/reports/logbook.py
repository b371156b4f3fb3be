"""`radio report logbook`: the weekly programme log book (sổ nhật ký chương trình phát thanh).

Per day, per occurrence of a slot (or one-off broadcast): when it started and ended, and
each item with title, topic, source, duration, approver and status, as the as-run log
recorded them at air time; under each occurrence, the text of the spoken notices it aired
(an item's notice text is bound to its audio and never edited, so the library's copy is
what was said). Printable as PDF or XLSX, with a signature block.

A relay segment (tiếp sóng) is a line like an item's: "Tiếp sóng <source name>" as the
title, the source's code as its source, no approver (what a higher station broadcasts is
not approved by the commune); the fallback items played while the relay was dead air are
ordinary lines with their reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from radio.domain.asrun import AsRunEntry
from radio.domain.reports import AIRED, Period, local_day
from radio.domain.topics import Taxonomy
from radio.reports import vn
from radio.reports.document import Document, Table, official_letterhead, station_lines


@dataclass(frozen=True)
class Occurrence:
    day: date
    slot: str | None
    scheduled: datetime  # the occurrence's scheduled start (UTC)
    entries: list[AsRunEntry]
    emergency: bool = False  # an emergency broadcast (khẩn cấp)

    @property
    def started(self) -> datetime | None:
        return min((e.started_at for e in self.entries if e.started_at), default=None)

    @property
    def ended(self) -> datetime | None:
        return max((e.ended_at for e in self.entries if e.ended_at), default=None)

    @property
    def seconds(self) -> float:
        return sum(e.seconds_played for e in self.entries)


@dataclass(frozen=True)
class LogBook:
    period: Period
    days: list[tuple[date, list[Occurrence]]]  # every day of the week, in order


def logbook(entries: Iterable[AsRunEntry], period: Period, emergencies: frozenset[datetime] = frozenset()) -> LogBook:
    """Group the week's rows (in time order) by local day and occurrence; *emergencies*: the
    starts of the emergency broadcasts (radio.reports.asrun_listing.emergency_starts)."""
    occurrences: dict[tuple, list[AsRunEntry]] = {}
    for e in entries:
        occurrences.setdefault((e.occurrence_start, e.slot_id, e.slot_name), []).append(e)
    by_day: dict[date, list[Occurrence]] = {d: [] for d in period.days()}
    for (start, _slot_id, slot_name), rows in sorted(occurrences.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        day = local_day(start, period.zone)
        if day in by_day:
            emergency = any(r.emergency for r in rows) or (_slot_id is None and start in emergencies)
            by_day[day].append(Occurrence(day, slot_name, start, rows, emergency))
    return LogBook(period, list(by_day.items()))


def _title(e: AsRunEntry) -> str:
    return f"{vn.RELAY} {e.title}" if e.relay_source is not None else e.title


def _source(e: AsRunEntry) -> str:
    return e.relay_source if e.relay_source is not None else e.source or ""


def _status(e: AsRunEntry) -> str:
    label = vn.STATUS.get(str(e.status), str(e.status))
    return f"{label} ({e.reason})" if e.reason else label


def notice_ids(book: LogBook) -> list[int]:
    """The item ids the week aired, to look their notice texts up."""
    return sorted({e.item_id for _, occs in book.days for o in occs for e in o.entries if e.item_id is not None})


def _notice_lines(occ: Occurrence, notices: Mapping[int, str]) -> list[str]:
    lines, seen = [], set()
    for n, e in enumerate(occ.entries, start=1):
        text = notices.get(e.item_id) if e.item_id is not None else None
        if text and e.item_id not in seen and str(e.status) in AIRED:
            seen.add(e.item_id)
            lines.append(f"Nội dung thông báo (mục {n}, «{e.title}»): " + " ".join(text.split()))
    return lines


def logbook_document(
    book: LogBook, taxonomy: Taxonomy, station, today: date, notices: Mapping[int, str] | None = None
) -> Document:
    notices = notices or {}
    zone = book.period.zone
    blocks: list = []
    for day, occurrences in book.days:
        if not occurrences:
            blocks.append(f"{vn.weekday(day)}: không phát sóng.")
            continue
        blocks.append(vn.weekday(day))
        for occ in occurrences:
            name = "Phát khẩn cấp" if occ.emergency else occ.slot or "Phát ngoài khung giờ"
            caption = (
                f"{name} — theo lịch {vn.hm(occ.scheduled, zone)}; bắt đầu {vn.hm(occ.started, zone) or '—'},"
                f" kết thúc {vn.hm(occ.ended, zone) or '—'}; tổng thời lượng {vn.duration(occ.seconds)}"
            )
            rows = [
                [
                    n,
                    vn.hm(e.started_at or e.scheduled_at, zone),
                    vn.hm(e.ended_at, zone),
                    _title(e),
                    taxonomy.name(e.topic),
                    _source(e),
                    e.seconds_played,
                    e.approved_by or "",
                    _status(e),
                ]
                for n, e in enumerate(occ.entries, start=1)
            ]
            blocks.append(
                Table(
                    ["STT", "Bắt đầu", "Kết thúc", "Tên tin, bài", "Chủ đề", "Nguồn", "Thời lượng", "Người duyệt",
                     "Trạng thái"],  # fmt: skip
                    ["int", "time", "time", "text", "text", "text", "duration", "text", "text"],
                    rows,
                    caption=caption,
                    widths=[0.5, 1.1, 1.1, 4.2, 2.4, 1.8, 1.1, 2, 1.8],
                )
            )
            blocks += _notice_lines(occ, notices)
    rows = [e for _, occs in book.days for o in occs for e in o.entries]
    aired = [e for e in rows if str(e.status) in AIRED]
    total = sum(e.seconds_played for e in rows)
    relayed = [e for e in rows if e.relay_source is not None]
    blocks.append(
        f"Tổng cộng trong tuần: {len(rows)} lượt ghi sổ, trong đó {len(aired)} lượt phát sóng;"
        f" thời lượng phát {vn.duration(total)}"
        + (f", trong đó tiếp sóng {vn.duration(sum(e.seconds_played for e in relayed))}." if relayed else ".")
    )
    return Document(
        title="SỔ NHẬT KÝ CHƯƠNG TRÌNH PHÁT THANH",
        lines=[vn.period_title(book.period)] + station_lines(station),
        blocks=blocks,
        letterhead=official_letterhead(station),
        dateline=vn.signed_on(station.commune, today),
        signatures=["NGƯỜI TRỰC MÁY", "PHỤ TRÁCH ĐÀI", "LÃNH ĐẠO UBND DUYỆT"],
        landscape=True,
        sheet="Sổ nhật ký",
    )


def logbook_json(book: LogBook, station: dict, notices: Mapping[int, str] | None = None) -> dict:
    notices = notices or {}

    def t(moment):
        return moment.isoformat() if moment else None

    return {
        "report": "logbook",
        "station": station,
        "period": {"from": book.period.first.isoformat(), "to": book.period.last.isoformat(),
                   "label": book.period.label},  # fmt: skip
        "days": [
            {
                "day": day.isoformat(),
                "occurrences": [
                    {
                        "slot": o.slot,
                        "emergency": o.emergency,
                        "scheduled": t(o.scheduled),
                        "started": t(o.started),
                        "ended": t(o.ended),
                        "seconds": round(o.seconds, 3),
                        "items": [
                            {"as_run_id": e.id, "item_id": e.item_id, "title": e.title, "topic": e.topic,
                             "source": e.source, "relay_source": e.relay_source, "started": t(e.started_at), "ended": t(e.ended_at),
                             "seconds": e.seconds_played, "approved_by": e.approved_by, "status": str(e.status),
                             "reason": e.reason, "notice_text": notices.get(e.item_id)}  # fmt: skip
                            for e in o.entries
                        ],
                    }
                    for o in occs
                ],
            }
            for day, occs in book.days
        ],
    }
