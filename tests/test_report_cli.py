"""`radio report …` over a real station database: SQL totals equal the rows, periods in
local time, and every format (table, CSV, JSON, XLSX, PNG, PDF) keeps the Vietnamese."""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image

from radio.app import open_app
from radio.domain import reports as rules
from radio.domain.asrun import AsRunStatus
from radio.domain.relay import Source
from radio.reports.airtime import airtime
from radio.reports.chart import HEIGHT, WIDTH

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
APPROVER = "Chủ tịch UBND xã"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=HCM)


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    """One station with three approved items of different topics, languages and sources."""
    from tests.conftest import Radio, make_tone

    tmp = tmp_path_factory.mktemp("report")
    radio = Radio(tmp / "home")
    assert radio("init").exit_code == 0
    radio.add(make_tone(tmp / "a.wav", seconds=1.0, freq=440), topic="chinh-sach", title="Bản tin giảm nghèo tháng 11",
              source="UBND huyện")  # fmt: skip
    radio.add(make_tone(tmp / "b.wav", seconds=1.0, freq=550), topic="y-te", title="Phòng chống sốt xuất huyết",
              language="hmn")  # fmt: skip
    radio.add(make_tone(tmp / "c.wav", seconds=1.0, freq=660), topic="nong-nghiep", title="Lịch thời vụ",
              source="Trạm khuyến nông")  # fmt: skip
    app = open_app(radio.home)
    for source in SOURCES.values():
        app.sources.add(source)
    yield radio, app
    app.close()


SOURCES = {
    "vov1": Source("vov1", "VOV1", "https://stream.example/vov1.m3u8"),  # topic: tiep-song (not poverty)
    "tinh": Source("tinh", "Đài PT-TH tỉnh", "https://stream.example/tinh", topic="chinh-sach"),
}


def record(app, item_id, status, at, seconds=0.0, slot="Buổi sáng", occurrence=None, reason=None):
    item = app.library.get(item_id)
    aired = status not in ("skipped", "missed")
    return app.as_run.record(
        item,
        status=AsRunStatus(status),
        occurrence_start=occurrence or at,
        scheduled_at=at,
        slot_name=slot,
        slot_id=None,
        started_at=at if aired else None,
        ended_at=at + timedelta(seconds=seconds) if aired else None,
        seconds_played=seconds,
        reason=reason,
    )


def relay(app, source, status, at, seconds=0.0, slot="Tiếp sóng sáng", occurrence=None, reason=None):
    """A relay segment as the playout writes it: a 'playing' row when it starts, then finish()."""
    source = SOURCES[source] if isinstance(source, str) else source
    aired = status not in ("skipped", "missed")
    entry = app.as_run.record_relay(
        source, status=AsRunStatus.PLAYING if aired else AsRunStatus(status), occurrence_start=occurrence or at,
        scheduled_at=at, slot_name=slot, started_at=at if aired else None, reason=None if aired else reason,
    )  # fmt: skip
    if aired and status != "playing":
        app.as_run.finish(entry.id, AsRunStatus(status), at + timedelta(seconds=seconds), seconds, reason)
    (row,) = [e for e in app.as_run.for_occurrence(occurrence or at, None) if e.id == entry.id]
    return row


def fact(entry) -> rules.AsRunFact:
    return rules.AsRunFact(
        moment=entry.started_at or entry.scheduled_at, status=str(entry.status), seconds=entry.seconds_played,
        topic=entry.topic, language=entry.language, source=entry.source, slot=entry.slot_name,
        item_id=entry.item_id, title=entry.title, relay_source=entry.relay_source,
    )  # fmt: skip


_months = itertools.count(0, 3)  # every third month from 2100 on: examples never share a period


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3, "vov1", "tinh", "vov1-renamed"]),
            st.sampled_from(rules.STATUSES),
            st.integers(-2 * 86400, 33 * 86400),  # seconds from the local start of the month
            st.integers(0, 3600 * 1000).map(lambda ms: ms / 1000),
            st.sampled_from([None, "Buổi sáng", "Buổi chiều"]),
        ),
        max_size=20,
    ),
    by=st.lists(st.sampled_from(rules.GROUP_KEYS), max_size=2),
)
def test_sql_totals_equal_the_sums_over_the_rows(station, rows, by):
    _, app = station
    n = next(_months)
    period = rules.month(2100 + n // 12, n % 12 + 1, HCM)
    entries = []
    for what, status, offset, seconds, slot in rows:
        seconds = 0.0 if status in ("skipped", "missed") else seconds
        at = period.start + timedelta(seconds=offset)
        if isinstance(what, int):
            entries.append(record(app, what, status, at, seconds, slot))
        else:  # a relay segment; VOV1 renamed at some moment of the month
            source = Source("vov1", "VOV1 — Đài TNVN", "https://x/vov1") if what == "vov1-renamed" else SOURCES[what]
            entries.append(relay(app, source, status, at, seconds, slot))
    by = rules.check_by(by)
    report = airtime(app.engine, period, by)
    expected = rules.aggregate([fact(e) for e in entries], by, period)
    assert [(g.key, g.tally.airings, g.tally.counts) for g in report.groups] == [
        (g.key, g.tally.airings, g.tally.counts) for g in expected
    ]
    for got, want in zip(report.groups, expected):
        assert got.tally.seconds == pytest.approx(want.tally.seconds, abs=1e-6)
        assert got.share == pytest.approx(want.share, abs=1e-9)
    inside = [e for e in entries if period.contains(e.started_at or e.scheduled_at)]
    assert report.total.rows == len(inside)
    assert report.total.seconds == pytest.approx(sum(e.seconds_played for e in inside), abs=1e-6)
    assert report.total.airings == sum(str(e.status) in rules.AIRED for e in inside)


@pytest.fixture(scope="module")
def december(station):
    """December 2026: an item at 23:59 local on the 31st (16:59 UTC), others around it."""
    radio, app = station
    record(app, 1, "completed", local(2026, 12, 31, 23, 59), 300.0, slot="Buổi tối")
    record(app, 1, "interrupted", local(2026, 12, 1, 5, 0), 60.0)
    record(app, 2, "completed", local(2026, 12, 1, 5, 1), 120.0)
    record(app, 2, "missed", local(2026, 12, 2, 17, 0), slot="Buổi chiều")
    record(app, 3, "failed", local(2026, 12, 3, 5, 0))
    record(app, 3, "skipped", local(2026, 12, 3, 5, 5))
    record(app, 3, "completed", local(2027, 1, 1, 0, 0), 999.0)  # next month, 17:00 UTC on the 31st
    record(app, 3, "completed", local(2026, 11, 30, 23, 59), 999.0)  # previous month
    return radio


def test_an_item_at_2359_local_on_the_31st_belongs_to_that_month(december):
    data = json.loads(december("report", "airtime", "--month", "2026-12", "--by", "day", "--format", "json").stdout)
    days = {g["day"]: g for g in data["groups"]}
    assert days["2026-12-31"]["seconds"] == 300.0
    assert "2027-01-01" not in days and "2026-11-30" not in days
    assert data["period"] == {"from": "2026-12-01", "to": "2026-12-31", "label": "2026-12",
                              "start": "2026-11-30T17:00:00+00:00", "end": "2026-12-31T17:00:00+00:00"}  # fmt: skip
    jan = json.loads(december("report", "airtime", "--month", "2027-01", "--format", "json").stdout)
    assert jan["total"]["seconds"] == 999.0


def test_json_contract_counts_statuses_separately(december):
    data = json.loads(december("report", "airtime", "--month", "2026-12", "--format", "json").stdout)
    topics = {g["topic"]: g for g in data["groups"]}
    cs = topics["chinh-sach"]
    assert cs["topic_name"] == "Chính sách giảm nghèo"
    assert (cs["airings"], cs["seconds"], cs["completed_seconds"], cs["interrupted_seconds"]) == (2, 360.0, 300.0, 60.0)
    assert cs["share"] == pytest.approx(360 / 480)
    assert (topics["y-te"]["missed"], topics["nong-nghiep"]["failed"], topics["nong-nghiep"]["skipped"]) == (1, 1, 1)
    assert topics["nong-nghiep"]["airings"] == 0
    total = data["total"]
    assert (total["airings"], total["seconds"], total["missed"], total["failed"], total["skipped"]) == (3, 480.0, 1, 1, 1)
    assert set(cs) >= {"airings", "seconds", "share", "completed_seconds", "interrupted_seconds", "missed"}


def test_from_to_and_other_groupings(december):
    data = json.loads(december("report", "airtime", "--from", "2026-12-01", "--to", "01/12/2026", "--by", "item",
                               "--by", "language", "--format", "json").stdout)  # fmt: skip
    assert {(g["item_id"], g["title"], g["language"]) for g in data["groups"]} == {
        (1, "Bản tin giảm nghèo tháng 11", "vi"), (2, "Phòng chống sốt xuất huyết", "hmn")}  # fmt: skip
    quarter = json.loads(december("report", "airtime", "--quarter", "2026Q4", "--by", "source", "--format", "json").stdout)
    assert {g["source"] for g in quarter["groups"]} >= {"UBND huyện", None, "Trạm khuyến nông"}


def test_table_is_vietnamese_whatever_the_ui_language(december):
    for env in (None, {"LANG": "vi_VN.UTF-8"}):
        out = december("report", "airtime", "--month", "2026-12", env=env).stdout
        assert "BÁO CÁO THỜI LƯỢNG PHÁT SÓNG" in out
        assert "Tháng 12/2026 (từ 01/12/2026 đến 31/12/2026)" in out
        assert "Chính sách giảm nghèo" in out and "Tổng cộng" in out
        assert "6,0" in out  # 360 s in minutes, decimal comma


def test_csv_has_stable_columns_iso_dates_and_vietnamese(december, tmp_path):
    out = tmp_path / "t.csv"
    result = december("report", "airtime", "--month", "2026-12", "--by", "day", "--by", "topic", "-o", out)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0])[:4] == ["day", "topic", "topic_name", "airings"]
    assert rows[0]["day"] == "2026-12-01"
    assert {r["topic_name"] for r in rows} >= {"Chính sách giảm nghèo", "Y tế, bảo hiểm"}


def test_xlsx_opens_and_holds_the_expected_cells(december, tmp_path):
    out = tmp_path / "thang12.xlsx"
    assert december("report", "airtime", "--month", "2026-12", "-o", out).exit_code == 0
    ws = load_workbook(out).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert "BÁO CÁO THỜI LƯỢNG PHÁT SÓNG" in cells
    heading = cells["Chủ đề"]
    assert [ws.cell(heading.row, heading.column + n).value for n in range(3)] == ["Chủ đề", "Số lần phát", "Số phút phát"]
    first = heading.row + 1
    assert ws.cell(first, 1).value == "Chính sách giảm nghèo"
    assert (ws.cell(first, 2).value, ws.cell(first, 3).value) == (2, 6.0)
    assert ws.cell(first, 4).value == pytest.approx(0.75) and ws.cell(first, 4).number_format == "0.0%"
    total = cells["Tổng cộng"]
    assert ws.cell(total.row, 3).value == 8.0


def test_chart_is_a_png_of_the_expected_size(december, tmp_path):
    png = tmp_path / "chart.png"
    result = december("report", "airtime", "--month", "2026-12", "--by", "day", "--format", "csv", "--chart", png)
    assert result.exit_code == 0
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)


def test_logbook_pdf_xlsx_and_json(december, tmp_path):
    week = "2026-W53"  # 28/12/2026 - 03/01/2027
    pdf, xlsx = tmp_path / "so.pdf", tmp_path / "so.xlsx"
    assert december("report", "logbook", "--week", week, "-o", pdf).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF") and b"DejaVu" in pdf.read_bytes()
    assert december("report", "logbook", "--week", week, "-o", xlsx).exit_code == 0
    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value is not None]
    assert "SỔ NHẬT KÝ CHƯƠNG TRÌNH PHÁT THANH" in values
    assert "Bản tin giảm nghèo tháng 11" in values and APPROVER in values and "Phát trọn" in values
    assert "Thứ Năm, 31/12/2026" in values
    text = december("report", "logbook", "--week", week).stdout
    assert "Buổi tối — theo lịch 23:59:00" in text and "NGƯỜI TRỰC MÁY" in text
    assert "Thứ Hai, 28/12/2026: không phát sóng." in text
    data = json.loads(december("report", "logbook", "--week", week, "--format", "json").stdout)
    (thursday,) = [d for d in data["days"] if d["day"] == "2026-12-31"]
    (item,) = thursday["occurrences"][0]["items"]
    assert (item["title"], item["approved_by"], item["status"]) == ("Bản tin giảm nghèo tháng 11", APPROVER, "completed")


def test_programme_report_counts_poverty_topics_library_and_usb(december, tmp_path):
    radio = december
    con = sqlite3.connect(radio.home / "radio.db")
    con.execute(
        "INSERT INTO usb_packages (id, hamlet_code, hamlet_name, created_at, content_date, profile, playlist, items,"
        " bytes, duration_s, destination) VALUES ('p1', 'thon-1', 'Thôn Bản Phố', '2026-12-10 01:00:00.000000',"
        " '2026-12-10', 'standard', NULL, 4, 1000, 600.0, '/media/usb')"
    )
    con.commit()
    con.close()
    data = json.loads(radio("report", "programme", "--half", "2026H2", "--format", "json").stdout)
    topics = {t["topic"]: t for t in data["topics"]}
    assert "nong-nghiep" not in topics  # not a poverty topic
    assert (topics["chinh-sach"]["items"], topics["chinh-sach"]["airings"], topics["chinh-sach"]["seconds"]) == (1, 2, 360.0)
    assert data["usb"] == [{"hamlet": "thon-1", "hamlet_name": "Thôn Bản Phố", "packages": 1, "items": 4, "seconds": 600.0}]
    assert data["total"]["usb_packages"] == 1
    empty = json.loads(radio("report", "programme", "--year", "2030", "--format", "json").stdout)
    assert empty["usb"] == [] and all(t["seconds"] == 0 for t in empty["topics"])
    text = radio("report", "programme", "--year", "2030").stdout
    assert "III. GÓI USB CHUẨN BỊ CHO CÁC THÔN, XÓM, BẢN" in text and "Chưa chuẩn bị gói USB nào trong kỳ." in text
    pdf, xlsx = tmp_path / "p.pdf", tmp_path / "p.xlsx"
    assert radio("report", "programme", "--half", "2026H2", "-o", pdf).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert radio("report", "programme", "--half", "2026H2", "-o", xlsx).exit_code == 0
    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value is not None]
    assert "Thôn Bản Phố" in values and "TM. ỦY BAN NHÂN DÂN" in values


@pytest.mark.parametrize(
    "args, code",
    [
        (["airtime"], 2),
        (["airtime", "--month", "2026-12", "--year", "2026"], 2),
        (["airtime", "--from", "2026-12-01"], 2),
        (["airtime", "--month", "2026-13"], 2),
        (["airtime", "--month", "2026-12", "--by", "colour"], 2),
        (["airtime", "--month", "2026-12", "--format", "xlsx"], 1),
        (["airtime", "--from", "2026-12-02", "--to", "2026-12-01"], 2),
        (["programme", "--month", "2026-12"], 2),
        (["logbook"], 2),
        (["logbook", "--week", "2026-W60"], 2),
    ],
)
def test_usage_errors(station, args, code):
    radio, _ = station
    result = radio("report", *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_the_report_index_is_used(station):
    radio, _ = station
    con = sqlite3.connect(radio.home / "radio.db")
    plan = con.execute(
        "EXPLAIN QUERY PLAN SELECT topic, status, COUNT(*), TOTAL(seconds_played) FROM as_run"
        " WHERE COALESCE(started_at, scheduled_at) >= ? AND COALESCE(started_at, scheduled_at) < ?"
        " GROUP BY topic, status", ("2026-11-30 17:00:00.000000", "2026-12-31 17:00:00.000000")
    ).fetchall()
    con.close()
    assert "ix_as_run_moment" in " ".join(str(r) for r in plan)


@pytest.fixture(scope="module")
def march(station):
    """March 2027 with relays: VOV1 (topic tiep-song) in the morning, cut once by dead air with
    a fallback item in the gap; the provincial station (topic chinh-sach, a poverty topic)."""
    radio, app = station
    relay(app, "vov1", "completed", local(2027, 3, 8, 5, 0), 1800.0)
    tuesday = local(2027, 3, 9, 5, 0)
    relay(app, "vov1", "interrupted", tuesday, 600.0, occurrence=tuesday, reason="không có âm thanh từ nguồn 5 giây")
    record(app, 1, "completed", local(2027, 3, 9, 5, 10), 300.0, slot="Tiếp sóng sáng", occurrence=tuesday,
           reason="phát thay khi tiếp sóng mất tín hiệu")  # fmt: skip
    relay(app, "vov1", "completed", local(2027, 3, 9, 5, 15), 900.0, occurrence=tuesday)
    relay(app, "tinh", "completed", local(2027, 3, 10, 17, 0), 1200.0, slot="Tiếp sóng chiều")
    record(app, 2, "completed", local(2027, 3, 10, 6, 0), 600.0)
    return radio


def test_airtime_by_source_gives_each_relayed_station_and_what_the_station_aired(march, tmp_path):
    data = json.loads(march("report", "airtime", "--month", "2027-03", "--by", "source", "--format", "json").stdout)
    lines = [(g["source"], g["relay_source"], g["airings"], g["seconds"]) for g in data["groups"]]
    assert lines == [("VOV1", "vov1", 3, 3300.0), ("Đài PT-TH tỉnh", "tinh", 1, 1200.0),
                     (None, None, 1, 600.0), ("UBND huyện", None, 1, 300.0)]  # fmt: skip
    vov1 = data["groups"][0]
    assert (vov1["interrupted"], vov1["interrupted_seconds"], vov1["share"]) == (1, 600.0, pytest.approx(3300 / 5400))
    assert data["total"]["seconds"] == 5400.0

    text = march("report", "airtime", "--month", "2027-03", "--by", "source").stdout
    assert "Thống kê theo nguồn" in text
    (vov1_line,) = [line for line in text.splitlines() if line.startswith("VOV1 (vov1)")]
    assert "Tiếp sóng" in vov1_line and "55,0" in vov1_line and "61,1%" in vov1_line
    assert any(line.startswith("(không ghi nguồn)") and "Phát tại đài" in line for line in text.splitlines())

    by_day = json.loads(march("report", "airtime", "--month", "2027-03", "--by", "source", "--by", "day",
                              "--format", "json").stdout)  # fmt: skip
    assert [(g["day"], g["seconds"]) for g in by_day["groups"] if g["relay_source"] == "vov1"] == [
        ("2027-03-08", 1800.0), ("2027-03-09", 1500.0)]  # fmt: skip

    out = tmp_path / "nguon.csv"
    assert march("report", "airtime", "--month", "2027-03", "--by", "source", "--by", "day", "-o", out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0])[:4] == ["source", "relay_source", "day", "airings"]
    assert {(r["source"], r["relay_source"], r["day"], r["seconds"]) for r in rows} >= {
        ("Đài PT-TH tỉnh", "tinh", "2027-03-10", "1200.0"), ("", "", "2027-03-10", "600.0")}  # fmt: skip

    xlsx = tmp_path / "nguon.xlsx"
    assert march("report", "airtime", "--month", "2027-03", "--by", "source", "-o", xlsx).exit_code == 0
    ws = load_workbook(xlsx).active
    heading = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}["Nguồn"]
    first = [ws.cell(heading.row + 1, heading.column + n).value for n in range(4)]
    assert first == ["VOV1 (vov1)", "Tiếp sóng", 3, 55.0]


def test_programme_report_has_a_relay_line_per_source(march, tmp_path):
    data = json.loads(march("report", "programme", "--from", "2027-03-01", "--to", "2027-03-31",
                            "--format", "json").stdout)  # fmt: skip
    assert data["relays"] == [
        {"source": "tinh", "source_name": "Đài PT-TH tỉnh", "topic": "chinh-sach", "topic_name": "Chính sách giảm nghèo",
         "poverty": True, "airings": 1, "seconds": 1200.0, "share": pytest.approx(1200 / 5400)},
        {"source": "vov1", "source_name": "VOV1", "topic": "tiep-song", "topic_name": "Tiếp sóng", "poverty": False,
         "airings": 3, "seconds": 3300.0, "share": pytest.approx(3300 / 5400)},
    ]  # fmt: skip
    topics = {t["topic"]: t for t in data["topics"]}
    # the provincial relay is on a poverty topic: its seconds are in that topic, as an airing, not an item
    assert (topics["chinh-sach"]["items"], topics["chinh-sach"]["airings"], topics["chinh-sach"]["seconds"]) == (
        1, 2, 1500.0)  # fmt: skip
    assert "tiep-song" not in topics
    total = data["total"]
    assert (total["poverty_seconds"], total["all_seconds"], total["relay_seconds"]) == (2100.0, 5400.0, 4500.0)

    text = march("report", "programme", "--from", "2027-03-01", "--to", "2027-03-31").stdout
    assert "Tiếp sóng đài cấp trên" in text and "tiếp sóng: 75,0 phút (83,3%)" in text
    (vov1_line,) = [line for line in text.splitlines() if "VOV1" in line]
    assert "vov1" in vov1_line and "55,0" in vov1_line and "giảm nghèo" not in vov1_line
    assert "Không tiếp sóng trong kỳ." in march("report", "programme", "--year", "2030").stdout

    out = tmp_path / "p.csv"
    assert march("report", "programme", "--from", "2027-03-01", "--to", "2027-03-31", "-o", out).exit_code == 0
    rows = [r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))) if r["section"] == "relay"]
    assert [(r["code"], r["name"], r["airings"], r["seconds"], r["topic"]) for r in rows] == [
        ("tinh", "Đài PT-TH tỉnh", "1", "1200.0", "chinh-sach"), ("vov1", "VOV1", "3", "3300.0", "tiep-song")]  # fmt: skip
    pdf, xlsx = tmp_path / "p.pdf", tmp_path / "p.xlsx"
    assert march("report", "programme", "--from", "2027-03-01", "--to", "2027-03-31", "-o", pdf).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert march("report", "programme", "--from", "2027-03-01", "--to", "2027-03-31", "-o", xlsx).exit_code == 0
    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value is not None]
    assert "Đài PT-TH tỉnh" in values and "Chính sách giảm nghèo (giảm nghèo)" in values and 55.0 in values


def test_logbook_and_log_mark_relays(march, tmp_path):
    week = "2027-W10"  # 08/03 - 14/03/2027
    text = march("report", "logbook", "--week", week).stdout
    assert "Tiếp sóng VOV1" in text and "Tiếp sóng Đài PT-TH tỉnh" in text
    assert "Bị ngắt (không có âm thanh từ nguồn 5 giây)" in text
    assert "Phát trọn (phát thay khi tiếp sóng mất tín hiệu)" in text
    assert "thời lượng phát 1:30:00, trong đó tiếp sóng 1:15:00." in text
    data = json.loads(march("report", "logbook", "--week", week, "--format", "json").stdout)
    (tuesday,) = [d for d in data["days"] if d["day"] == "2027-03-09"]
    items = tuesday["occurrences"][0]["items"]
    assert [(i["item_id"], i["relay_source"], i["title"], i["seconds"]) for i in items] == [
        (None, "vov1", "VOV1", 600.0), (1, None, "Bản tin giảm nghèo tháng 11", 300.0), (None, "vov1", "VOV1", 900.0)]
    pdf, xlsx = tmp_path / "so.pdf", tmp_path / "so.xlsx"
    assert march("report", "logbook", "--week", week, "-o", pdf).exit_code == 0 and pdf.read_bytes().startswith(b"%PDF")
    assert march("report", "logbook", "--week", week, "-o", xlsx).exit_code == 0
    values = [c.value for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value is not None]
    assert "Tiếp sóng VOV1" in values and "vov1" in values

    log = march("log", "--from", "2027-03-09", env={"LANG": "vi_VN.UTF-8"}).stdout
    (line,) = [line for line in log.splitlines() if line.startswith("09/03/2027  05:00:00.000")]
    assert "tiếp sóng: vov1  VOV1" in line and "bị ngắt" in line
    rows = json.loads(march("log", "--from", "2027-03-09", "--json").stdout)
    assert [(r["item_id"], r["relay_source"]) for r in rows] == [(None, "vov1"), (1, None), (None, "vov1")]
