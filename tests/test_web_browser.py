"""End to end in a real browser (Debian's chromium driven by Playwright) against a real
`radio web` and a real `radio daemon` on the test sound server.

An admin creates an operator and an approver; the operator uploads files (a bad one is
refused with its reason) and queues the good ones into a session starting shortly; the
approver approves them from a phone-sized screen; the daemon airs them (the recorded
monitor hears them); the On-air page shows the first while it plays; an emergency sent from
the console goes on air; the report page shows the seconds and its XLSX opens.

Screenshots of every page go to $RADIO_SCREENSHOTS when it is set (docs/screenshots/).
"""

from __future__ import annotations

import io
import os
import sqlite3
import time
from pathlib import Path

import pytest

from tests.soundserver import Monitor
from tests.test_daemon import _final, station  # noqa: F401 (station: the fixture)
from tests.webtools import PASSWORD, add_users, start_console, stop_console

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("realtime"),  # timing read off the sound server
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/ensure-system-deps)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
APPROVER = "Nguyễn Văn An, Chủ tịch UBND xã"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("RADIO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _login(page, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/on-air")


def test_a_day_at_the_station_through_the_console(radio, radio_bin, subprocess_env, tmp_path, station, live_server,
                                                  browser):  # fmt: skip
    from tests.soundserver import noise, write_wav

    add_users(radio.home, [("admin", "admin", "Quản trị viên")])
    console = start_console(radio_bin, subprocess_env, radio.home)
    errors: list[str] = []
    try:
        url = console.url
        station.start()
        start = station.slot_in(75, name="Bản tin chiều", max_minutes="15")

        # the admin creates an operator and an approver
        admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        admin.on("pageerror", lambda e: errors.append(str(e)))
        _login(admin, url, "admin")
        admin.goto(url + "/users")
        for name, role, display in (("binh", "operator", "Trần Thị Bình"), ("an", "approver", APPROVER)):
            form = admin.locator("form[action='/users/add']")
            form.locator("input[name=name]").fill(name)
            form.locator("input[name=display]").fill(display)
            form.locator("select[name=role]").select_option(role)
            form.locator("input[name=password]").fill(PASSWORD)
            form.locator("input[name=password2]").fill(PASSWORD)
            form.locator("button[type=submit]").click()
            admin.wait_for_load_state()
            assert admin.locator(".flash").first.is_visible()
        _shot(admin, "users")

        # the operator uploads three files: two bulletins and a broken one
        files = []
        for seed, name in ((21, "ban-tin-phong-chong-lua.wav"), (22, "thong-bao-tiem-chung.wav")):
            samples = noise(int(48000 * 3.0), seed)
            files.append(write_wav(tmp_path / "up" / name, samples))
            station.samples[len(files)] = samples  # ids 1 and 2, in upload order
        bad = tmp_path / "up" / "hong.mp3"
        bad.write_bytes(b"ID3" + b"\x00" * 2000)
        operator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        operator.on("pageerror", lambda e: errors.append(str(e)))
        _login(operator, url, "binh")
        operator.goto(url + "/library")
        operator.set_input_files("#upload input[type=file]", [str(files[0]), str(files[1]), str(bad)])
        operator.select_option("#upload select[name=topic]", "y-te")
        operator.click("#upload button[type=submit]")
        from playwright.sync_api import expect

        expect(operator.locator("#upload-results li.ok, #upload-results li.error")).to_have_count(3, timeout=60_000)
        results = operator.locator("#upload-results li")
        assert "#1" in results.nth(0).inner_text() and "#2" in results.nth(1).inner_text()
        rejected = results.nth(2)
        assert "error" in rejected.get_attribute("class") and "hong.mp3" in rejected.inner_text()
        assert "bị từ chối" in rejected.inner_text() and len(rejected.inner_text()) > len("hong.mp3 bị từ chối: ")
        _shot(operator, "library-upload")

        # … and queues both into the coming session, from each item's page
        for item_id in (1, 2):
            operator.goto(f"{url}/library/{item_id}")
            operator.select_option("form[action='/schedule/queue'] select[name=slot]", "Bản tin chiều")
            operator.click("#queue")
            operator.wait_for_load_state()
            assert "Bản tin chiều" in operator.locator(".flash").first.inner_text()
        _shot(operator, "item")
        operator.goto(url + "/schedule")
        assert operator.locator(".occ[data-slot='Bản tin chiều'] li").count() >= 2
        _shot(operator, "schedule")

        # the approver, on a phone, approves them from the list of drafts
        phone = browser.new_context(**PHONE).new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        _login(phone, url, "an")
        phone.goto(url + "/library?status=draft")
        _shot(phone, "phone-library-drafts")
        for item_id in (1, 2):
            phone.click(f"button[data-approve='{item_id}']")
            phone.wait_for_load_state()
        assert phone.locator("button[data-approve]").count() == 0
        db = sqlite3.connect(radio.home / "radio.db")
        assert db.execute("SELECT id, status, approved_by FROM items ORDER BY id").fetchall() == [
            (1, "approved", APPROVER), (2, "approved", APPROVER)]
        phone.goto(url + "/library/1")
        assert APPROVER in phone.inner_text("#approved-by")
        _shot(phone, "phone-item")

        # the daemon airs them; the On-air page shows the first while it plays
        assert time.time() < start.timestamp() - 3, "the browser steps took too long for the session"
        with Monitor(live_server) as monitor:
            time.sleep(max(0.0, start.timestamp() + 1.0 - time.time()))
            phone.goto(url + "/on-air")
            assert "#1 " in phone.inner_text("#now-title")
            _shot(phone, "phone-on-air")
            rows = station.wait_for(lambda r: _final(r, 2), timeout=30)
            assert [(r["item_id"], r["status"]) for r in rows] == [(1, "completed"), (2, "completed")]
            at_1, at_2 = station.position(monitor, 1), station.position(monitor, 2)
            assert abs(at_1 - start.timestamp()) < 0.05 and abs(at_2 - at_1 - 3.0) < 0.01

            # an emergency from the console goes on air
            phone.goto(url + "/on-air")
            phone.select_option("form[action='/emergency'] select[name=item]", "2")
            phone.click("form[action='/emergency'] button[type=submit]")
            phone.wait_for_load_state()
            _shot(phone, "phone-emergency-confirm")
            sent = time.time()
            phone.click("form[action='/emergency'] button.danger")
            phone.wait_for_load_state()
            rows = station.wait_for(lambda r: _final(r, 3), timeout=30)
            assert (rows[2]["item_id"], rows[2]["slot"], rows[2]["status"]) == (2, None, "completed")
            heard = [monitor.wall_time(f) for f in [__import__("tests.soundserver", fromlist=["locate"]).locate(
                monitor.audio()[monitor.frame_at(sent):], station.samples[2][: 48000 // 2]) + monitor.frame_at(sent)]]
            assert 0 < heard[0] - sent < 5
        assert db.execute("SELECT count(*) FROM audit_log WHERE action='emergency' AND user_name='an'").fetchone() == (1,)

        # the as-run log and the report show the seconds; the XLSX opens
        operator.goto(url + "/log")
        assert operator.locator("table.log tbody tr").count() == 3
        _shot(operator, "as-run-log")
        operator.goto(url + "/reports")
        played = sum(r["seconds_played"] for r in rows)
        assert abs(float(operator.get_attribute("#total-seconds", "data-seconds")) - played) < 0.2
        _shot(operator, "reports")
        with operator.expect_download() as download:
            operator.click("a[href^='/reports/airtime.xlsx']")
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None]
        assert any("Y tế" in c or "y-te" in c for c in cells), cells
        for path, name in (("/on-air", "on-air"), ("/usb", "usb"), ("/schedule/slots", "slots"), ("/library", "library")):
            admin.goto(url + path)
            _shot(admin, name)
        assert station.stop() == 0
    finally:
        stop_console(console)
    assert not errors, errors
