"""The schedule, reports and USB pages over real HTTP: they drive the same services as the
CLI, and what they write is what `radio queue|slot|hamlet|usb` read back."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_slots_queue_reorder_remove_and_one_offs(console, radio, tone):
    a, b, c = (radio.add(tone(seconds=1.0, freq=f))["id"] for f in (300, 400, 500))
    admin = console.client("admin")
    admin.get("/schedule/slots")
    every_day = [("day", d) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
    reply = admin.post("/schedule/slots/add", [("name", "Bản tin sáng"), ("at", "05:30"), *every_day,
                                               ("max_minutes", "15"), ("start", "hard"), ("jingles", "on")])  # fmt: skip
    assert reply.status == 303
    (slot,) = radio.json("slot", "list")
    assert (slot["name"], slot["at"], slot["max_minutes"], slot["jingles"]) == ("Bản tin sáng", "05:30:00", 15, True)
    bad = admin.post("/schedule/slots/add", {"name": "X", "at": "25:99"}, headers={"Referer": f"{console.url}/schedule/slots"})
    assert bad.status == 303 and bad.header("location") == "/schedule/slots"
    assert "flash error" in admin.get("/schedule/slots").text

    op = console.client("binh")
    op.get("/schedule")
    tomorrow = (datetime.now(VN) + timedelta(days=1)).date()
    queued = op.post("/schedule/queue", [("item", str(a)), ("item", str(b)), ("item", str(c)),
                                         ("slot", "Bản tin sáng"), ("date", tomorrow.isoformat())])  # fmt: skip
    assert queued.status == 303
    entries = radio.json("queue", "list", "--date", tomorrow.isoformat())
    assert [e["item_id"] for e in entries] == [a, b, c]
    week = f"{tomorrow.isocalendar()[0]}-W{tomorrow.isocalendar()[1]:02d}"
    page = op.get(f"/schedule?week={week}")
    assert page.status == 200 and page.text.count(f'href="/library/{a}"') >= 1
    assert re.search(r"0:03 / 15:00", page.text)
    op.post(f"/schedule/entries/{entries[2]['id']}/move", {"delta": "-1", "back": "/schedule"})
    assert [e["item_id"] for e in radio.json("queue", "list", "--date", tomorrow.isoformat())] == [a, c, b]
    op.post(f"/schedule/entries/{entries[0]['id']}/remove", {"back": "/schedule"})
    assert [e["item_id"] for e in radio.json("queue", "list", "--date", tomorrow.isoformat())] == [c, b]

    later = (datetime.now(VN) + timedelta(hours=1)).replace(second=0, microsecond=0)
    one_off = op.post("/schedule/queue", [("item", str(a)), ("date", later.date().isoformat()),
                                          ("at", later.strftime("%H:%M"))])  # fmt: skip
    assert one_off.status == 303
    assert any(e["slot_id"] is None and e["item_id"] == a for e in radio.json("queue", "list"))
    past = op.post("/schedule/queue", [("item", str(a)), ("at", "00:00"), ("date", "2020-01-01")])
    assert past.status == 303 and "đã qua" in op.get("/schedule").text

    admin.get("/schedule/slots")
    edit = [("name", "Sáng"), ("at", "05:45"), *every_day, ("max_minutes", "20"), ("start", "hard")]
    assert admin.post(f"/schedule/slots/{slot['id']}/edit", edit).status == 303
    assert radio.json("slot", "list")[0]["at"] == "05:45:00"
    assert admin.post(f"/schedule/slots/{slot['id']}/remove", {}).status == 303
    assert radio.json("slot", "list") == []


def test_reports_page_and_downloads(console, radio, tone):
    from datetime import timezone

    from radio.app import open_app
    from radio.domain.asrun import AsRunStatus

    radio.add(tone(seconds=1.0), topic="y-te")
    app = open_app(console.home)
    now = datetime.now(timezone.utc)
    app.as_run.record(app.library.get(1), status=AsRunStatus.COMPLETED, occurrence_start=now, scheduled_at=now,
                      started_at=now, ended_at=now + timedelta(seconds=42), seconds_played=42.0)  # fmt: skip
    from radio.domain.relay import Source

    segment = app.as_run.record_relay(Source("vov1", "VOV1", "https://x/vov1"), status=AsRunStatus.PLAYING,
                                      occurrence_start=now, scheduled_at=now, started_at=now)  # fmt: skip
    app.as_run.finish(segment.id, AsRunStatus.COMPLETED, now + timedelta(seconds=8), 8.0)
    app.close()
    month = datetime.now(VN).strftime("%Y-%m")
    c = console.client("chi")
    log = c.get("/log")  # a relay row has no item: the Item column names the source relayed
    assert log.status == 200 and "None" not in log.text
    assert re.search(r'<td data-label="Bản tin">tiếp sóng: vov1</td><td data-label="Tiêu đề" class="key">VOV1</td>', log.text)
    page = c.get(f"/reports?kind=month&value={month}")
    assert page.status == 200 and 'data-seconds="50.0"' in page.text  # 42 s of the item, 8 s relayed
    assert c.get(f"/reports/airtime.png?kind=month&value={month}").body.startswith(b"\x89PNG")
    xlsx = c.get(f"/reports/airtime.xlsx?kind=month&value={month}")
    assert xlsx.status == 200 and "attachment" in xlsx.header("content-disposition")
    cells = [c.value for row in load_workbook(io.BytesIO(xlsx.body)).active.iter_rows() for c in row]
    assert 1 in cells or "1" in cells
    csv = c.get(f"/reports/airtime.csv?kind=month&value={month}")
    assert "y-te" in csv.text and "42" in csv.text
    half = f"{datetime.now(VN).year}H{1 if datetime.now(VN).month <= 6 else 2}"
    assert c.get(f"/reports/programme.pdf?kind=half&value={half}").body.startswith(b"%PDF")
    assert c.get(f"/reports/programme.xlsx?kind=half&value={half}").body.startswith(b"PK")
    iso = datetime.now(VN).isocalendar()
    assert c.get(f"/reports/logbook.pdf?kind=week&value={iso[0]}-W{iso[1]:02d}").body.startswith(b"%PDF")
    assert c.get("/reports?kind=month&value=2026-13").status == 400
    assert c.get("/reports/logbook.pdf?kind=month&value=2026-11").status == 400
    assert c.get("/reports/airtime.exe").status == 404


def test_hamlets_import_export_with_progress_and_verify(console, radio, tone):
    radio.add(tone(seconds=1.0), topic="y-te")
    op = console.client("binh")
    op.get("/usb")
    boundary = "radio-test-boundary"
    csv = "code,name,languages\nDONGTAM,Thôn Đồng Tâm,vi\nBAD CODE!,x,vi\n"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{op.csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"thon.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n").encode()  # fmt: skip
    reply = op.request("POST", "/usb/hamlets/import", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert reply.status == 303
    assert [h["code"] for h in radio.json("hamlet", "list")] == ["DONGTAM"]
    page = op.get("/usb")
    assert "Thôn Đồng Tâm" in page.text and "dòng 3" in page.text
    assert op.post("/usb/hamlets/add", [("code", "bandon"), ("name", "Bản Đôn"), ("languages", "vi"),
                                        ("languages", "hmn")]).status == 303
    assert [(h["code"], h["languages"]) for h in radio.json("hamlet", "list")] == [
        ("BANDON", ["vi", "hmn"]), ("DONGTAM", ["vi"])]
    assert op.post("/usb/hamlets/BANDON/remove", {}).status == 303
    assert [h["code"] for h in radio.json("hamlet", "list")] == ["DONGTAM"]

    dest = "export"  # the page offers destinations by name; the server alone knows their paths
    assert 'value="export"' in op.get("/usb").text and str(console.home) not in op.get("/usb").text
    assert op.post("/usb/export", {"dest": "/etc"}).status == 303  # not offered: refused
    assert op.post("/usb/export", {"dest": str(console.home / "exports")}).status == 303  # a path: refused too
    assert not (console.home / "exports").exists() or not any((console.home / "exports").iterdir())
    started = op.post("/usb/export", [("dest", dest), ("hamlet", "DONGTAM")])
    assert started.status == 303 and started.header("location").startswith("/usb?job=")
    job = started.header("location").split("=", 1)[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        frag = op.get(f"/usb/jobs/{job}")
        stage = re.search(r'data-stage="(\w+)"', frag.text).group(1)
        if stage in ("done", "failed"):
            break
        time.sleep(0.3)
    assert stage == "done", frag.text
    assert radio.json("usb", "packages")[0]["hamlet"] == "DONGTAM"
    verified = op.post("/usb/verify", {"dest": dest})
    assert verified.status == 200 and 'id="verify-ok"' in verified.text
