"""A report as a printable document: letterhead, title, lines, tables, signature block.

Each report builds one Document; the text, XLSX and PDF renderers draw any Document, so
the three human formats always hold the same content. Cell values stay typed (seconds,
shares, counts) and each renderer formats them for its medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from radio.reports import vn

KINDS = ("text", "int", "minutes", "share", "duration", "time")


@dataclass(frozen=True)
class Table:
    headings: list[str]
    kinds: list[str]  # one of KINDS per column
    rows: list[list]
    total: list | None = None
    caption: str | None = None
    widths: list[float] | None = None  # relative column widths for PDF
    empty: str = "Không có dữ liệu trong kỳ."


@dataclass(frozen=True)
class Document:
    title: str
    lines: list[str] = field(default_factory=list)  # under the title: station, period
    blocks: list = field(default_factory=list)  # str (a heading or paragraph) or Table
    letterhead: tuple[list[str], list[str]] | None = None  # (left, right) above the title
    dateline: str | None = None  # "Xã …, ngày … tháng … năm …" above the signatures
    signatures: list[str] = field(default_factory=list)  # roles, one column each
    landscape: bool = False
    sheet: str = "Báo cáo"


def cell_text(value, kind: str) -> str:
    """A cell as text in Vietnamese conventions (decimal comma, dd/mm/yyyy, m:ss)."""
    if value is None or value == "":
        return ""
    if kind == "minutes":
        return vn.minutes(value)
    if kind == "share":
        return vn.percent(value)
    if kind == "duration":
        return vn.duration(value)
    return str(value)


def station_lines(station) -> list[str]:
    """'Đài truyền thanh xã …' and where it is, from the [station] settings."""
    place = ", ".join(p for p in (station.commune, station.province) if p)
    return [f"{station.name}" + (f" — {place}" if place else "")]


def official_letterhead(station) -> tuple[list[str], list[str]]:
    left = [f"UBND {station.commune.upper()}" if station.commune else "UBND XÃ", station.name.upper()]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    return left, right
