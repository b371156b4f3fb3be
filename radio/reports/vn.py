"""Vietnamese wording of reports: dates dd/mm/yyyy, periods, statuses, languages.

These strings are report content (the document an official signs), not UI text, so
they are written here in Vietnamese and never translated.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from radio.domain.reports import Period
from radio.text import format_duration

STATUS = {
    "completed": "Phát trọn",
    "interrupted": "Bị ngắt",
    "playing": "Đang phát",
    "failed": "Lỗi",
    "skipped": "Bỏ qua",
    "missed": "Bị lỡ",
}

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

LANGUAGES = {
    "vi": "Tiếng Việt",
    "tay": "Tiếng Tày",
    "tyz": "Tiếng Tày",
    "nut": "Tiếng Nùng",
    "hmn": "Tiếng H'Mông",
    "blu": "Tiếng H'Mông",
    "dao": "Tiếng Dao",
    "ium": "Tiếng Dao",
    "tha": "Tiếng Thái",
    "blt": "Tiếng Thái",
    "mtq": "Tiếng Mường",
    "km": "Tiếng Khmer",
    "khm": "Tiếng Khmer",
    "en": "Tiếng Anh",
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

NO_SLOT = "Ngoài khung giờ"
HUB_ITSELF = "(đài trung tâm)"  # at a hub: rows of the hub's own airing, not a station's
NO_COMMUNE = "(chưa ghi xã/phường)"  # at a hub: a station not given its commune, or the hub's own rows
NO_SOURCE = "(không ghi nguồn)"
RELAY = "Tiếp sóng"
LOCAL = "Phát tại đài"


def d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def hm(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S") if moment else ""


def language(code: str) -> str:
    return LANGUAGES.get(code, code)


def weekday(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {d(day)}"


def period_title(period: Period) -> str:
    """'Tháng 11/2026', 'Quý IV/2026', '6 tháng cuối năm 2026', 'Năm 2026', 'Tuần 47/2026'…"""
    span = f"từ {d(period.first)} đến {d(period.last)}"
    if period.kind == "month":
        return f"Tháng {period.first.month:02d}/{period.first.year} ({span})"
    if period.kind == "quarter":
        return f"Quý {ROMAN[(period.first.month + 2) // 3]}/{period.first.year} ({span})"
    if period.kind == "half":
        which = "đầu" if period.first.month == 1 else "cuối"
        return f"6 tháng {which} năm {period.first.year} ({span})"
    if period.kind == "year":
        return f"Năm {period.first.year} ({span})"
    if period.kind == "week":
        iso_year, iso_week, _ = period.first.isocalendar()
        return f"Tuần {iso_week}/{iso_year} ({span})"
    return f"Từ ngày {d(period.first)} đến ngày {d(period.last)}"


def minutes(seconds: float) -> str:
    """Minutes with one decimal and a Vietnamese decimal comma: 12,5."""
    return f"{seconds / 60:.1f}".replace(".", ",")


def percent(share: float) -> str:
    return f"{share * 100:.1f}%".replace(".", ",")


def duration(seconds: float | None) -> str:
    return format_duration(seconds)


def signed_on(place: str, day: date) -> str:
    """'Xã X, ngày 05 tháng 12 năm 2026' — the dateline above a signature."""
    where = f"{place}, " if place else ""
    return f"{where}ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
