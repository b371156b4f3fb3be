"""A Document as an Excel workbook (openpyxl): one formatted sheet the district can open.

Numbers stay numbers (minutes with one decimal, shares as percentages), headings are bold
on a shaded row, the header row is frozen and columns are wide enough to read. Every cell
is written by `_put`: text is always a string cell, never a formula (`reports/cells.py`).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from radio.reports.cells import looks_like_formula
from radio.reports.document import Document, Table

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
NUMBER_FORMATS = {"int": "0", "minutes": "0.0", "share": "0.0%", "duration": "[h]:mm:ss"}


def _put(ws, row: int, col: int, value):
    """The one way a value enters the sheet: text stays text whatever it starts with."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters openpyxl refuses to write
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl stores "=…" as a formula and "#N/A" as an error
        if looks_like_formula(value):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    return cell


def _value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "minutes":
        return round(value / 60.0, 2)
    if kind == "duration":
        return value / 86400.0  # Excel time: a fraction of a day
    return value


def _write_table(ws, row: int, table: Table, widths: dict[int, float]) -> int:
    if table.caption:
        _put(ws, row, 1, table.caption).font = Font(bold=True, italic=True)
        row += 1
    for col, heading in enumerate(table.headings, start=1):
        c = _put(ws, row, col, heading)
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
        c.border = BOX
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths[col] = max(widths.get(col, 8), min(len(heading) + 2, 40))
    row += 1
    body = list(table.rows) + ([table.total] if table.total else [])
    for n, values in enumerate(body):
        is_total = table.total is not None and n == len(body) - 1
        for col, (value, kind) in enumerate(zip(values, table.kinds), start=1):
            c = _put(ws, row, col, _value(value, kind))
            c.border = BOX
            if kind in NUMBER_FORMATS:
                c.number_format = NUMBER_FORMATS[kind]
            else:
                c.alignment = Alignment(wrap_text=True, vertical="top")
            if is_total:
                c.font = Font(bold=True)
            text = "" if value is None else str(value)
            widths[col] = max(widths.get(col, 8), min(len(text) + 2, 60) if kind == "text" else 12)
        row += 1
    if not table.rows:
        _put(ws, row, 1, table.empty).font = Font(italic=True)
        row += 1
    return row


def document_xlsx(doc: Document) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = doc.sheet[:31]
    widths: dict[int, float] = {}
    ncols = max([len(b.headings) for b in doc.blocks if isinstance(b, Table)] or [4])
    row = 1
    if doc.letterhead:
        left, right = doc.letterhead
        half = max(ncols // 2, 1)
        for n in range(max(len(left), len(right))):
            if n < len(left):
                _put(ws, row, 1, left[n]).font = Font(bold=n == 1)
            if n < len(right):
                _put(ws, row, half + 1, right[n]).font = Font(bold=True)
            row += 1
        row += 1
    title = _put(ws, row, 1, doc.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    row += 1
    for line in doc.lines:
        _put(ws, row, 1, line).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        row += 1
    frozen = False
    for block in doc.blocks:
        row += 1
        if isinstance(block, Table):
            if not frozen and len([b for b in doc.blocks if isinstance(b, Table)]) == 1:
                ws.freeze_panes = ws.cell(row + 1 + bool(block.caption), 1)
                frozen = True
            row = _write_table(ws, row, block, widths)
        else:
            _put(ws, row, 1, block).font = Font(bold=True)
            row += 1
    if doc.signatures:
        row += 1
        if doc.dateline:
            _put(ws, row, max(ncols - 2, 1), doc.dateline).font = Font(italic=True)
            row += 1
        step = max(ncols // len(doc.signatures), 1)
        for n, role in enumerate(doc.signatures):
            _put(ws, row, 1 + n * step, role).font = Font(bold=True)
            _put(ws, row + 1, 1 + n * step, "(Ký, ghi rõ họ tên)").font = Font(italic=True)
        row += 2
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

