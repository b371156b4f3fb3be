"""The notices and relay-sources pages, the slot form's relay fields, On air's relay and
stream lines, and the emergency answered while the broadcast service is down — in a real
browser (Debian's chromium driven by Playwright) at 1280×900 and on a 390×844 phone, against
a real `radio web`, a real `radio daemon` on the recorded test sound server, and a real
Icecast server (a relayed source and a stream output).

Screenshots of every page at both sizes go to $RADIO_SCREENSHOTS, else to the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import ToneSource
from tests.soundserver import RATE, Monitor, locate
from tests.test_daemon import _final, station  # noqa: F401 (station: the fixture)
from tests.test_web_browser import CHROMIUM, PHONE, browser  # noqa: F401 (browser: the fixture)
from tests.webtools import PASSWORD, add_users, start_console, stop_console

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/ensure-system-deps)"),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
APPROVER = "Nguyễn Văn An, Chủ tịch UBND xã"
SECRET = "Mk-tiep-song-9f3Q"
NOTICE = "UBND xã thông báo: 7 giờ sáng mai, ngày 15/3, tiêm phòng cho trẻ tại trạm y tế xã."
USERS = [("admin", "admin", "Quản trị viên"), ("an", "approver", APPROVER), ("binh", "operator", "Trần Thị Bình")]


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("RADIO_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _login(page, url: str, name: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/on-air")


def _fits(page) -> None:
    """Nothing wider than the screen: no sideways scrolling of the page."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def _tall_enough(locator) -> None:
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is None or box["height"] >= 44, (locator.nth(i).inner_text(), box)


def _decoded(path: Path) -> np.ndarray:
    """The stored clip as the daemon airs it: mono float at the station's rate (ffmpeg)."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                          "-ar", str(RATE), "-"], capture_output=True, check=True).stdout  # fmt: skip
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


def _media(home: Path, item_id: int) -> Path:
    from radio.app import open_app

    app = open_app(home)
    try:
        return app.media.path(app.library.get(item_id).media_path)
    finally:
        app.close()


def _heard(monitor: Monitor, clip: np.ndarray, after: float) -> tuple[float, float]:
    """Where a loud second of *clip* is in the recording after *after*, and how alike (0..1)."""
    windows = [clip[i : i + RATE] for i in range(0, len(clip) - RATE, RATE // 2)]
    template = max(windows, key=lambda w: float(np.sum(w * w)))
    audio = monitor.audio()[monitor.frame_at(after):]
    at = locate(audio, template)
    found = audio[at : at + len(template)]
    likeness = float(np.dot(found, template) / (np.linalg.norm(found) * np.linalg.norm(template) + 1e-12))
    return at, likeness


def test_the_emergency_answer_while_the_service_is_down(radio, radio_bin, subprocess_env, tmp_path, tone, browser):
    folder = _shots(tmp_path)
    item = radio.add(tone("bao-chay.wav"))["id"]
    add_users(radio.home, USERS)
    console = start_console(radio_bin, subprocess_env, radio.home)
    try:
        for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
            page = browser.new_context(**options).new_page()
            _login(page, console.url, "an")
            page.select_option("form[action='/emergency'] select[name=item]", str(item))
            page.click("form[action='/emergency'] button[type=submit]")
            page.wait_for_load_state()
            # before confirming, the page says it will not air
            assert "Dịch vụ phát sóng đang KHÔNG chạy" in page.inner_text("h1")
            assert "Sẽ KHÔNG phát ngay" in page.inner_text("#service-down")
            assert page.locator("text=Đồng ý, phát ngay").count() == 0
            _fits(page)
            _shot(page, folder, f"{size}-emergency-confirm-service-down")
            if size == "phone":
                page.click("form[action='/emergency'] button.danger")
                page.wait_for_load_state()
                answer = page.locator(".flash.error").first
                assert answer.is_visible()
                assert "KHÔNG chạy" in answer.inner_text() and "sẽ KHÔNG được phát" in answer.inner_text()
                assert "một, hai giây" not in page.inner_text("main")
                _shot(page, folder, "phone-emergency-answer-service-down")
            page.context.close()
    finally:
        stop_console(console)


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
def test_an_approver_types_a_notice_on_the_phone_and_the_commune_hears_it(
        radio, radio_bin, subprocess_env, tmp_path, station, live_server, browser, icecast):  # noqa: F811
    folder = _shots(tmp_path)
    with (radio.home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[[stream]]\nkind = "icecast"\nurl = "{icecast.url()}"\nname = "Loa IP xã"\nbitrate = 64\n')
    fallback = station.item(2.0, 61)
    emergency_item = station.item(1.5, 62)
    add_users(radio.home, USERS)
    console = start_console(radio_bin, subprocess_env, radio.home)
    tone = ToneSource(icecast, mount="/vov1").start()
    errors: list[str] = []
    try:
        url = console.url
        station.start()
        # the administrator adds the relay source (with a password) on the desktop, and tests it
        admin = browser.new_context(**DESKTOP).new_page()
        admin.on("pageerror", lambda e: errors.append(str(e)))
        _login(admin, url, "admin")
        admin.goto(url + "/sources")
        form = admin.locator("#add-source")
        form.locator("input[name=code]").fill("vov1")
        form.locator("input[name=name]").fill("VOV1 – Đài Tiếng nói Việt Nam")
        form.locator("input[name=url]").fill(tone.listen_url.replace("http://", "http://nghe@"))
        form.locator("input[name=password]").fill(SECRET)
        form.locator("button[type=submit]").click()
        admin.wait_for_load_state()
        assert "đã thêm nguồn tiếp sóng vov1" in admin.inner_text(".flash")
        admin.click("#source-vov1 form[action='/sources/vov1/test'] button")
        admin.wait_for_load_state()
        result = admin.inner_text("#test-result")
        assert "Thử: đã nghe được" in result and "trung bình" in result and "dBFS" in result
        _shot(admin, folder, "desktop-sources-tested")
        assert SECRET not in admin.content()
        admin.locator("#source-vov1 details summary").click()
        assert admin.input_value("#source-vov1 input[name=password]") == ""
        assert SECRET not in admin.input_value("#source-vov1 input[name=url]")

        # … and a relay slot with its fallback item, from the slot form
        admin.goto(url + "/schedule/slots")
        add = admin.locator("form[action='/schedule/slots/add']")
        add.locator("input[name=name]").fill("Tiếp sóng VOV")
        add.locator("input[name=at]").fill("23:59")
        add.locator("select[name=relay]").select_option("vov1")
        add.locator("input[name=fallback]").fill(str(fallback))
        add.locator("button[type=submit]").click()
        admin.wait_for_load_state()
        assert "tiếp sóng vov1" in admin.inner_text("table")
        _shot(admin, folder, "desktop-slots-relay")

        # the approver, on the phone, types a notice, sees how it is read, listens, saves it
        phone = browser.new_context(**PHONE).new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        _login(phone, url, "an")
        phone.goto(url + "/notices")
        _fits(phone)
        phone.fill("textarea[name=text]", NOTICE)
        phone.fill("#compose input[name=title]", "Thông báo tiêm phòng")
        phone.select_option("#compose select[name=topic]", "y-te")
        phone.select_option("#compose select[name=chime]", "none")
        phone.select_option("#compose select[name=repeat]", "1")
        phone.click("button[name=do][value=words]")
        phone.wait_for_load_state()
        assert "ủy ban nhân dân xã thông báo: bảy giờ sáng mai, ngày mười lăm tháng ba" in phone.inner_text("#spoken")
        phone.click("button[name=do][value=listen]")
        phone.wait_for_load_state()
        seconds = phone.evaluate("""() => new Promise((ok, no) => {
            const a = document.querySelector('#preview audio');
            if (a.readyState >= 1) ok(a.duration); else { a.onloadedmetadata = () => ok(a.duration); a.onerror = no; a.load(); }
        })""")
        assert seconds > 2.0  # a spoken sentence, not an empty file
        _tall_enough(phone.locator("#compose button"))
        _fits(phone)
        _shot(phone, folder, "phone-notice-words-and-preview")
        phone.click("button[name=do][value=save]")
        phone.wait_for_load_state()
        assert "đã lưu bản nháp thông báo #3 Thông báo tiêm phòng" in phone.inner_text(".flash")
        assert phone.inner_text("#waiting") == "1 thông báo đang chờ bạn duyệt"  # the approver's part first
        card = phone.locator("#notice-3")
        assert "chưa duyệt" in card.inner_text() and NOTICE in card.inner_text()
        _tall_enough(card.locator("form.air > button"))
        _fits(phone)
        _shot(phone, folder, "phone-notice-draft")
        clip = _decoded(_media(radio.home, 3))

        # … approves it and airs it now: the commune hears it
        with Monitor(live_server) as monitor:
            sent = time.time()
            card.locator("button[name=when][value=now]").click()
            phone.wait_for_load_state()
            assert "đã duyệt #3" in phone.inner_text("main")
            rows = station.wait_for(lambda r: any(x["item_id"] == 3 and x["status"] == "completed" for x in r), 60)
            (row,) = [r for r in rows if r["item_id"] == 3]
            assert row["approved_by"] == APPROVER
            at, likeness = _heard(monitor, clip, sent)
            assert likeness > 0.8, likeness

            # On air shows the relay and the stream output
            phone.goto(url + "/on-air")
            relay = phone.inner_text("#relay-health")
            assert "hiện không tiếp sóng" in relay and "VOV1 – Đài Tiếng nói Việt Nam" in relay
            assert "Luồng phát Loa IP xã (icecast): đang phát" in " ".join(phone.inner_text("#live").split())
            _fits(phone)
            _shot(phone, folder, "phone-on-air-relay-streams")

            # an emergency from the phone: answered as airing, and named khẩn cấp in the log
            phone.select_option("form[action='/emergency'] select[name=item]", str(emergency_item))
            phone.click("form[action='/emergency'] button[type=submit]")
            phone.wait_for_load_state()
            assert "Phát ngay bây giờ?" in phone.inner_text("h1")
            phone.click("form[action='/emergency'] button.danger")
            phone.wait_for_load_state()
            assert "trong vòng một, hai giây" in phone.inner_text(".flash")
            station.wait_for(lambda r: any(x["item_id"] == emergency_item and x["status"] == "completed" for x in r), 60)
        phone.goto(url + "/log")
        rows = phone.locator("table.log tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert any("phát khẩn cấp" in t and f"{emergency_item}" in t for t in texts), texts
        assert not any("phát khẩn cấp" in t and "Thông báo tiêm phòng" in t for t in texts), texts
        _shot(phone, folder, "phone-as-run-emergency")
        week = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%G-W%V")
        book = subprocess.run([radio_bin, "--home", str(radio.home), "report", "logbook", "--week", week],
                              capture_output=True, text=True, env=subprocess_env, timeout=60)  # fmt: skip
        assert book.returncode == 0, book.stderr
        assert "Phát khẩn cấp" in book.stdout

        # every new page at both sizes, for a reviewer; none wider than the phone
        for path, name in (("/notices", "notices"), ("/sources", "sources"), ("/schedule/slots", "slots"),
                           ("/on-air", "on-air"), ("/log", "log")):  # fmt: skip
            admin.goto(url + path)
            _shot(admin, folder, f"desktop-{name}")
            phone.goto(url + path)
            _fits(phone)
            _shot(phone, folder, f"phone-{name}")
            assert SECRET not in admin.content() and SECRET not in phone.content()
        assert station.stop() == 0
    finally:
        tone.close()
        stop_console(console)
    assert not errors, errors
