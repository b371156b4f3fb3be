"""Text that a spreadsheet must show, never run: the one rule for every CSV and XLSX cell.

A title, source, slot or hamlet name is typed by an operator (or read from a file's
tags). Written as it is, "=HYPERLINK(…)" or "@SUM(…)" becomes a live formula when the
district opens the report in Excel or LibreOffice (OWASP: CSV injection). Only text is
treated: numbers stay numbers, so a negative number is still a number.

- CSV has no cell types: text that a spreadsheet would read as a formula gets a leading
  apostrophe, which Excel and LibreOffice show as the start of plain text (OWASP's advice).
- XLSX has cell types: every text cell is written as a string (openpyxl would otherwise
  store "=…" as a formula and "#N/A" as an error) and marked with Excel's quote prefix, so
  the text shows exactly as typed and stays text when someone edits the cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
"""What makes a spreadsheet read a cell as a formula (and the full-width forms an IME types)."""


def looks_like_formula(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_STARTS


def csv_cell(value: Any) -> Any:
    """*value* as a CSV field a spreadsheet shows as text; anything not text is unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A csv.DictWriter row with every text field made inert."""
    return {key: csv_cell(value) for key, value in record.items()}
