"""Every field of the console's forms checked on the server: a hostile POST (or query) with a
bad value gets one clear line in Vietnamese and stores nothing, whatever the page offered.

Over real HTTP against a real `radio web`; what is stored is read back through the CLI.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

EVERY_DAY = [("day", d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
GOOD_SLOT = [("name", "Bản tin sáng"), ("at", "05:30"), *EVERY_DAY, ("max_minutes", "15"), ("start", "hard")]


def _errors(client, page: str) -> list[str]:
    return re.findall(r'<p class="flash error" role="alert">([^<]*)</p>', client.get(page).text)


def _with(fields: list[tuple[str, str]], **changes: str | None) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in fields if k not in changes and not (k == "day" and "day" in changes)]
    for key, value in changes.items():
        if value is not None:
            kept += [(key, v) for v in value.split("|")]
    return kept


BAD_SLOTS = {
    "a day that is no day": ({"day": "mon|xyz"}, "ô T2 … CN"),
    "no day ticked": ({"day": None}, "ít nhất một ngày"),
    "a start rule not offered": ({"start": "cut"}, "cách bắt đầu"),
    "a wait of no seconds": ({"start": "wait", "wait_s": "0"}, "từ 1 đến 3600"),
    "a wait of a day": ({"start": "wait", "wait_s": "86400"}, "từ 1 đến 3600"),
    "a wait that is no number": ({"start": "wait", "wait_s": "6e1"}, "từ 1 đến 3600"),
    "an hour past midnight": ({"at": "25:00"}, "25:00"),
    "no name": ({"name": "  "}, "tên"),
    "a name with a control character": ({"name": "Bản tin\x07"}, "ký tự"),
    "a very long name": ({"name": "x" * 101}, "100"),
    "a length of no minutes": ({"max_minutes": "0"}, "1440"),
}


@pytest.mark.parametrize("changes, words", BAD_SLOTS.values(), ids=BAD_SLOTS.keys())
def test_a_slot_with_a_bad_field_is_refused_with_one_line_and_nothing_stored(console, radio, changes, words):
    admin = console.client("admin")
    admin.get("/schedule/slots")
    reply = admin.post("/schedule/slots/add", _with(GOOD_SLOT, **changes), headers={"Referer": f"{console.url}/schedule/slots"})
    assert reply.status == 303
    (error,) = _errors(admin, "/schedule/slots")
    assert words in error, error
    assert radio.json("slot", "list") == []


def test_a_slot_edit_with_a_bad_field_leaves_the_slot_as_it_was(console, radio):
    admin = console.client("admin")
    admin.get("/schedule/slots")
    admin.post("/schedule/slots/add", _with(GOOD_SLOT, day="mon|wed|fri", start="wait", wait_s="45"))
    (slot,) = radio.json("slot", "list")
    assert (slot["days"], slot["start"]) == ("mon,wed,fri", "wait:45")
    page = admin.get("/schedule/slots").text
    assert "T2, T4, T6" in page and "chờ tối đa 45 giây" in page
    for changes, _words in BAD_SLOTS.values():
        admin.post(f"/schedule/slots/{slot['id']}/edit", _with(GOOD_SLOT, **changes))
        assert len(_errors(admin, "/schedule/slots")) == 1
        assert radio.json("slot", "list") == [slot]


BAD_PERIODS = {
    "quarter five": ("kind=quarter&year=2026&quarter=5", "quý"),
    "a year in words": ("kind=half&year=abc&half=1", "năm"),
    "a kind not offered": ("kind=decade", "loại kỳ"),
    "month thirteen": ("kind=month&month=2026-13", "2026-13"),
    "week sixty": ("kind=week&week=2026-W60", "2026-W60"),
}


@pytest.mark.parametrize("query, words", BAD_PERIODS.values(), ids=BAD_PERIODS.keys())
def test_a_report_period_picked_wrong_is_one_clear_error(console, query, words):
    page = console.client("chi").get(f"/reports?{query}")
    assert page.status == 400 and words in page.text
    assert "Traceback" not in page.text


def test_the_period_pickers_give_the_period_codes(console):
    c = console.client("chi")
    for query, title in (("kind=quarter&year=2026&quarter=4", "quý IV/2026 (01/10/2026 – 31/12/2026)"),
                         ("kind=half&year=2026&half=1", "6 tháng đầu năm 2026 (01/01/2026 – 30/06/2026)"),
                         ("kind=year&year=2025", "năm 2025 (01/01/2025 – 31/12/2025)"),
                         ("kind=month&month=2026-02", "tháng 2/2026 (01/02/2026 – 28/02/2026)"),
                         ("kind=week&week=2026-W01", "tuần 1/2026 (29/12/2025 – 04/01/2026)")):  # fmt: skip
        page = c.get(f"/reports?{query}")
        assert page.status == 200 and title in page.text, query
    programme = c.get("/reports/programme.pdf?kind=half&year=2026&half=2")
    assert programme.status == 200 and programme.body.startswith(b"%PDF")
    assert c.get("/reports/logbook.pdf?kind=week&week=2026-W49").body.startswith(b"%PDF")


def _upload(c, query: dict, data: bytes):
    return c.request("POST", "/library/upload?" + urlencode(query), data, {
        "X-CSRF-Token": c.csrf, "X-File-Name": "ban-tin.wav", "X-Requested-With": "fetch",
        "Content-Type": "application/octet-stream"})  # fmt: skip


BAD_UPLOADS = {
    "a language not offered": ({"language": "xx"}, "ngôn ngữ"),
    "a title with a control character": ({"title": "Thông báo\x1b[2J"}, "ký tự"),
    "a title of a whole page": ({"title": "x" * 301}, "300"),
    "a source of a whole page": ({"source": "x" * 201}, "200"),
}


@pytest.mark.parametrize("changes, words", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_an_upload_with_a_bad_field_is_refused_before_the_file_is_read(console, radio, tone, changes, words):
    c = console.client("binh")
    c.get("/library")
    reply = _upload(c, {"topic": "y-te", "language": "vi", "priority": "normal", **changes}, tone(seconds=1.0).read_bytes())
    assert reply.status == 422 and words in json.loads(reply.body)["error"]
    assert radio.json("library", "list") == []


def test_an_upload_takes_its_title_and_language_from_the_form(console, radio, tone):
    c = console.client("binh")
    c.get("/library")
    reply = _upload(c, {"topic": "y-te", "language": "hmn", "priority": "normal", "title": "Thông báo họp dân"},
                    tone(seconds=1.0).read_bytes())  # fmt: skip
    assert reply.status == 200
    item = radio.json("library", "show", "1")
    assert (item["title"], item["language"]) == ("Thông báo họp dân", "hmn")


def test_item_and_hamlet_fields_not_offered_are_refused(console, radio, tone):
    radio.add(tone(seconds=1.0), language="vi")
    c = console.client("binh")
    c.get("/library/1")
    for field, value in (("language", "zz"), ("priority", "urgent"), ("source", "x" * 201)):
        c.post("/library/1/edit", {"title": "Tiêu đề mới", field: value, "back": "/library/1"})
        (error,) = _errors(c, "/library/1")
        assert error
    item = radio.json("library", "show", "1")
    assert item["title"] != "Tiêu đề mới" and item["language"] == "vi"
    c.get("/usb")
    for fields in ([("code", "DONGTAM"), ("name", "Thôn Đồng Tâm"), ("languages", "zz")],
                   [("code", "DONGTAM"), ("name", "Thôn Đồng Tâm"), ("topics", "khong-co")],
                   [("code", "DONGTAM"), ("name", "Thôn\x00Đồng Tâm")]):  # fmt: skip
        c.post("/usb/hamlets/add", fields)
        assert len(_errors(c, "/usb")) == 1
    assert radio.json("hamlet", "list") == []


def test_the_sample_list_of_hamlets_imports_as_it_is(console, radio):
    """The USB page names no CSV columns: it offers a sample list, in Vietnamese, that imports."""
    c = console.client("binh")
    page = c.get("/usb").text
    assert "code, name" not in page and str(console.home) not in page
    sample = c.get("/usb/hamlets/template.csv")
    assert sample.status == 200 and sample.text.splitlines()[0] == "Mã thôn,Tên thôn,Ngôn ngữ,Chủ đề,Ghi chú"
    boundary = "radio-sample"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c.csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"thon.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{sample.text}\r\n--{boundary}--\r\n").encode()  # fmt: skip
    assert c.request("POST", "/usb/hamlets/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}).status == 303
    assert [(h["code"], h["languages"]) for h in radio.json("hamlet", "list")] == [("BANDON", ["vi", "hmn"]), ("DONGTAM", ["vi"])]


def test_queueing_a_draft_says_who_must_approve_it(console, radio, tone):
    draft = radio.add(tone(seconds=1.0), approve=False)["id"]
    assert radio("slot", "add", "Bản tin tối", "--at", "23:58").exit_code == 0
    op = console.client("binh")
    op.get("/schedule")
    assert op.post("/schedule/queue", {"item": str(draft), "slot": "Bản tin tối", "back": "/schedule"}).status == 303
    warnings = re.findall(r'<p class="flash warning" role="status">([^<]*)</p>', op.get("/schedule").text)
    assert f"#{draft}: chờ duyệt: Nguyễn Văn An, Chủ tịch UBND xã" in warnings, warnings
    assert [e["item_id"] for e in radio.json("queue", "list")] == [draft]
