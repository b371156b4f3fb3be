"""A Document as plain text for the terminal or a .txt file (UTF-8, aligned columns)."""

from __future__ import annotations

import unicodedata

from radio.reports.document import Document, Table, cell_text


def _width(text: str) -> int:
    """Columns a string takes in a terminal (combining marks take none, wide chars two)."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def table_text(table: Table) -> list[str]:
    rows = [[cell_text(v, k) for v, k in zip(row, table.kinds)] for row in table.rows]
    if table.total:
        rows.append([cell_text(v, k) for v, k in zip(table.total, table.kinds)])
    cells = [table.headings] + rows
    widths = [max(_width(r[i]) for r in cells) for i in range(len(table.headings))]
    right = [k not in ("text", "time") for k in table.kinds]
    lines = []
    if table.caption:
        lines.append(table.caption)
    for n, row in enumerate(cells):
        if n == len(cells) - 1 and table.total and n > 0:
            lines.append("  ".join("-" * w for w in widths))
        lines.append("  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not table.rows:
        lines.append(table.empty)
    return lines


def document_text(doc: Document) -> str:
    lines: list[str] = []
    if doc.letterhead:
        left, right = doc.letterhead
        lw = max((_width(s) for s in left), default=0) + 4
        for n in range(max(len(left), len(right))):
            a = left[n] if n < len(left) else ""
            b = right[n] if n < len(right) else ""
            lines.append((_pad(a, lw, False) + b).rstrip())
        lines.append("")
    lines.append(doc.title)
    lines += doc.lines
    for block in doc.blocks:
        lines.append("")
        lines += table_text(block) if isinstance(block, Table) else [block]
    if doc.signatures:
        lines.append("")
        if doc.dateline:
            lines.append(doc.dateline)
        lines.append("    ".join(doc.signatures))
        lines.append("(Ký, ghi rõ họ tên)")
    return "\n".join(lines) + "\n"
