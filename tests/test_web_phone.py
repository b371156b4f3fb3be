"""The console as its two users see it, in a real browser (Debian's chromium, Playwright) against
a real `radio web`: the chairman approving on a 390×844 phone, the operator on a 1280×800 desktop.

Asserts on what a person sees: words, the size of what a finger taps (≥ 44 px), the page not
wider than the screen, a table's key columns on the screen, the weekday boxes and the start
rule coming back as they were ticked. Screenshots of every page at both sizes go to
$RADIO_SCREENSHOTS when it is set, else to the test's temporary folder (never committed).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.test_web_browser import CHROMIUM, browser  # noqa: F401 (browser: the fixture)
from tests.webtools import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/ensure-system-deps)"),
]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN"}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
TAP = 44  # px: the usual minimum for what a finger taps
APPROVER = "Nguyễn Văn An, Chủ tịch UBND xã"
PAGES = ("/on-air", "/library", "/library/1", "/notices", "/schedule", "/schedule/slots", "/sources", "/log", "/reports",
         "/usb", "/users")

# Every control a finger taps, visible on the page (hidden inputs and the menu's own checkbox aside).
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'a, button, summary, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), label.check, .menu-button'))
  .filter(e => e.offsetParent !== null && e.getClientRects().length)
  .filter(e => !e.closest('label.check') || e.matches('label.check'))
  .map(e => [e.outerHTML.slice(0, 90), e.getBoundingClientRect().height])
  .filter(([_, h]) => h < 43.5)"""
OVERFLOW = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"




@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("RADIO_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser, console, user: str, size: str, errors: list[str]):
    page = browser.new_context(**SIZES[size]).new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(console.url + "/login")
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/on-air")
    return page


def _fits(page) -> None:
    width, inner = page.evaluate(OVERFLOW)
    assert width <= inner, f"{page.url}: the page is {width} px wide on a {inner} px screen"


def _station(radio, tone, console):
    """Two drafts (one queued into today's evening slot), one approved item, a slot, as-run rows."""
    from radio.app import open_app
    from radio.domain.asrun import AsRunStatus

    approved = radio.add(tone(seconds=2.0, freq=300), topic="y-te")["id"]
    titles = ((400, "Thông báo lịch tiêm chủng mở rộng tháng 12"), (500, "Bản tin phòng chống cháy rừng"))
    drafts = [radio.add(tone(seconds=2.0, freq=f), approve=False, title=t)["id"] for f, t in titles]
    assert radio("source", "add", "vov1", "http://tiepsong:mat-khau@127.0.0.1:9/vov1-kenh-thoi-su-128kbps.mp3",
                 "--name", "VOV1 – Đài Tiếng nói Việt Nam, kênh Thời sự").exit_code == 0
    assert radio("slot", "add", "Bản tin tối", "--at", "23:58", "--days", "t2-cn", "--max-minutes", "15").exit_code == 0
    assert radio("queue", "add", str(drafts[0]), "--slot", "Bản tin tối").exit_code == 0
    app = open_app(console.home)
    now = datetime.now(timezone.utc)
    midnight = datetime.now(VN).replace(hour=0, minute=0, second=0, microsecond=0)
    first = max(now - timedelta(minutes=30), midnight)  # today's (the log page shows today), also just after midnight
    for n in range(3):
        start = first + (now - first) * n / 4
        app.as_run.record(app.library.get(approved), status=AsRunStatus.COMPLETED, occurrence_start=start,
                          scheduled_at=start, started_at=start, ended_at=start + timedelta(seconds=2), seconds_played=2.0)  # fmt: skip
    app.close()
    return approved, drafts


def test_the_approver_on_a_phone_sees_the_pending_count_and_emergency_first_and_approves_after_listening(
        console, radio, tone, browser, shots):  # fmt: skip
    approved, drafts = _station(radio, tone, console)
    errors: list[str] = []
    phone = _page(browser, console, "an", "phone", errors)
    phone.screenshot(path=str(shots / "phone-approver-on-air-first-screen.png"))

    # one header row: the station's name and a menu button, the links behind it
    header = phone.locator("header.top").bounding_box()
    assert header["height"] < 60, header
    menu = phone.locator("#menu-button")
    assert menu.is_visible() and menu.bounding_box()["height"] >= TAP
    assert not phone.locator("header nav a[href='/library']").is_visible()
    menu.click()
    links = phone.locator("header nav a")
    assert links.count() == 8 and all(links.nth(i).is_visible() for i in range(links.count()))
    assert min(links.nth(i).bounding_box()["height"] for i in range(links.count())) >= TAP
    phone.screenshot(path=str(shots / "phone-approver-menu-open.png"))
    menu.click()
    assert not links.first.is_visible()

    # the pending count and the emergency button in the first screen
    count = phone.locator("#pending-count")
    assert count.inner_text() == "2 bản tin chờ duyệt"
    button = phone.locator("form[action='/emergency'] button[type=submit]")
    for element in (count, button):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= 844 and box["height"] >= TAP, box
    assert button.inner_text().startswith("Phát khẩn cấp")

    # each draft: a player beside Duyệt, both near the top; the player plays the item
    for item_id in drafts:
        row = phone.locator(f".draft-row[data-draft='{item_id}']")
        player, approve = row.locator("audio"), row.locator(f"button[data-approve='{item_id}']")
        assert player.count() == 1 and approve.inner_text() == "Duyệt"
        p, a = player.bounding_box(), approve.bounding_box()
        assert abs((p["y"] + p["height"] / 2) - (a["y"] + a["height"] / 2)) < TAP, (p, a)  # on one line
        assert a["y"] + a["height"] < 2 * 844 and a["height"] >= TAP
    duration = phone.evaluate("""id => new Promise(done => { const a = document.querySelector(
        `.draft-row[data-draft='${id}'] audio`); a.preload = 'metadata'; a.onloadedmetadata = () => done(a.duration);
        a.onerror = () => done(-1); a.load(); })""", drafts[0])  # fmt: skip
    assert abs(duration - 2.0) < 0.1
    _fits(phone)

    phone.goto(console.url + "/library")  # the library too: the drafts above the upload form, in the first screen
    first = phone.locator("button[data-approve]").first.bounding_box()
    assert first["y"] + first["height"] <= 844, first
    assert phone.locator("#drafts").bounding_box()["y"] < phone.locator("#upload-card").bounding_box()["y"]
    phone.goto(console.url + "/on-air")
    phone.click(f"button[data-approve='{drafts[0]}']")
    phone.wait_for_url("**/on-air")
    assert phone.locator("#pending-count").inner_text() == "1 bản tin chờ duyệt"
    assert radio.json("library", "show", str(drafts[0]))["approved_by"] == APPROVER
    assert not errors, errors


def test_every_page_fits_a_phone_and_a_desktop_with_targets_a_finger_can_tap(console, radio, tone, browser, shots):
    _station(radio, tone, console)
    errors: list[str] = []
    for size in ("phone", "desktop"):
        page = _page(browser, console, "admin", size, errors)
        for path in PAGES:
            page.goto(console.url + path)
            for details in page.locator("main details").all():  # the forms behind "Sửa" too
                if details.is_visible():
                    details.evaluate("d => d.open = true")
            page.screenshot(path=str(shots / f"{size}{path.replace('/', '-')}.png"), full_page=True)
            _fits(page)
            assert page.locator("header.top").bounding_box()["height"] < 60, f"{path}: the header takes two rows"
            if size == "phone":
                small = page.evaluate(SMALL_TARGETS)
                assert not small, f"{path}: smaller than {TAP} px: {small}"
        page.goto(console.url + "/on-air")  # the emergency's confirmation page (not confirmed)
        page.click("form[action='/emergency'] button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("input[name=confirm][value=yes]").count() == 1
        page.screenshot(path=str(shots / f"{size}-emergency-confirm.png"), full_page=True)
        _fits(page)
        assert size != "phone" or not page.evaluate(SMALL_TARGETS)
        login = browser.new_context(**SIZES[size]).new_page()
        login.goto(console.url + "/login")
        login.screenshot(path=str(shots / f"{size}-login.png"), full_page=True)
        _fits(login)
        assert size != "phone" or not login.evaluate(SMALL_TARGETS)
        if size == "phone":
            # the as-run log is cards: each row's title and status on the screen, no sideways scroll
            page.goto(console.url + "/log")
            rows = page.locator("table.log tbody tr")
            assert rows.count() == 3
            for cell in (rows.first.locator("td").nth(5), rows.first.locator("td").nth(7)):
                box = cell.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
            assert rows.first.locator("td").nth(7).inner_text() == "phát trọn"
            label = rows.first.locator("td").nth(5).evaluate("td => getComputedStyle(td, '::before').content")
            assert label == '"Tiêu đề"'  # each cell says which column it is
    viewer = _page(browser, console, "chi", "phone", errors)
    viewer.goto(console.url + "/library/1")
    assert viewer.inner_text("#who-can-edit") == "Chỉ cán bộ vận hành hoặc người duyệt xếp lịch, sửa hoặc thôi phát bản tin."
    for role, user in (("operator", "binh"), ("viewer", "chi")):
        page = _page(browser, console, user, "phone", errors)
        for path in PAGES[:-1]:
            page.goto(console.url + path)
            page.screenshot(path=str(shots / f"phone-{role}{path.replace('/', '-')}.png"), full_page=True)
            _fits(page)
            small = page.evaluate(SMALL_TARGETS)
            assert not small, f"{role} {path}: smaller than {TAP} px: {small}"
    assert not errors, errors


def test_the_weekday_boxes_and_the_start_rule_come_back_as_ticked(console, radio, browser, shots):
    errors: list[str] = []
    admin = _page(browser, console, "admin", "desktop", errors)
    admin.goto(console.url + "/schedule/slots")
    form = admin.locator("#slot-add")
    assert [form.locator("fieldset.days label").nth(i).inner_text().strip() for i in range(7)] == [
        "T2", "T3", "T4", "T5", "T6", "T7", "CN"]
    form.locator("input[name=name]").fill("Bản tin sáng")
    form.locator("input[name=at]").fill("05:30:00")
    assert not form.locator("input[name=wait_s]").is_visible()  # asked only for "chờ tối đa N giây"
    form.locator("select[name=start]").select_option(label="chờ tối đa N giây")
    form.locator("input[name=wait_s]").fill("90")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    (slot,) = radio.json("slot", "list")
    assert (slot["days"], slot["start"]) == ("mon-sun", "wait:90")  # the CLI keeps its codes
    row = admin.locator("tr[data-slot='Bản tin sáng']")
    assert "T2–CN" in row.inner_text() and "chờ tối đa 90 giây" in row.inner_text()
    assert "mon" not in row.inner_text() and "wait" not in row.inner_text()
    edit = row.locator("form[action$='/edit']")
    row.locator("summary").click()
    assert all(edit.locator(f"input[name=day][value={d}]").is_checked() for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))

    # untick T3, T5, T7 and CN: T2, T4, T6 come back ticked, and only they
    for day in ("tue", "thu", "sat", "sun"):
        edit.locator(f"input[name=day][value={day}]").uncheck()
    edit.locator("select[name=start]").select_option(label="chờ hết bản tin")
    edit.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    assert radio.json("slot", "list")[0]["days"] == "mon,wed,fri"
    row = admin.locator("tr[data-slot='Bản tin sáng']")
    assert "T2, T4, T6" in row.inner_text() and "chờ hết bản tin" in row.inner_text()
    edit = row.locator("form[action$='/edit']")
    assert [d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            if edit.locator(f"input[name=day][value={d}]").is_checked()] == ["mon", "wed", "fri"]  # fmt: skip

    # typed on the command line as t2-cn, shown as T2–CN with every box ticked
    assert radio("slot", "add", "Bản tin chiều", "--at", "17:00", "--days", "t2-cn", "--start", "hard").exit_code == 0
    admin.goto(console.url + "/schedule/slots")
    row = admin.locator("tr[data-slot='Bản tin chiều']")
    assert "T2–CN" in row.inner_text() and "ngắt ngay" in row.inner_text()
    assert row.locator("input[name=day]:checked").count() == 7
    admin.screenshot(path=str(shots / "desktop-slots-after-edit.png"), full_page=True)
    assert not errors, errors


def test_words_instead_of_codes_and_who_can_do_what(console, radio, tone, browser, shots, tmp_path):
    approved, drafts = _station(radio, tone, console)
    errors: list[str] = []
    op = _page(browser, console, "binh", "desktop", errors)

    # On air: the queued draft is listed with who must approve it, no "nothing queued" above it
    tonight = op.locator("#next ol").first.inner_text()  # the evening slot's items, its first session
    assert "chưa xếp bản tin nào" not in tonight
    assert f"#{drafts[0]} " in tonight and f"chờ duyệt: {APPROVER}" in tonight
    assert "Chỉ người duyệt (lãnh đạo UBND xã) được phát khẩn cấp." in op.inner_text("main")

    # the slots page says who makes slots; the schedule says who approves a queued draft
    op.goto(console.url + "/schedule/slots")
    assert op.inner_text("#who-can") == "Chỉ quản trị viên tạo và sửa khung giờ."
    assert op.locator("#slot-add").count() == 0
    op.goto(console.url + "/schedule")
    assert f"chờ duyệt: {APPROVER}" in op.inner_text(".week")

    # a slot made today is not on the week's past days
    today = datetime.now(VN).date()
    shown = {int(re.search(r"(\d\d)/\d\d", op.locator(".day").nth(i).locator("h2").inner_text()).group(1))
             for i in range(7) if op.locator(".day").nth(i).locator(".occ[data-slot='Bản tin tối']").count()}  # fmt: skip
    monday = today - timedelta(days=today.weekday())
    later = {(monday + timedelta(days=n)).day for n in range(7) if monday + timedelta(days=n) >= today}
    assert shown == later or shown == later - {today.day}, (shown, later)  # today's only if made before 23:58

    # the upload form: a title field, the hint without a command, a plain reason, the list refreshed
    op.goto(console.url + "/library")
    hint = op.inner_text("#upload-card")
    assert "radio " not in hint and "ffmpeg" not in hint
    total_before = op.inner_text("#library-total")
    good = tone(seconds=1.5, freq=700)
    bad = tmp_path / "hong.mp3"
    bad.write_bytes(b"ID3" + b"\x00" * 2000 + b"khong phai am thanh" * 50)
    op.set_input_files("#upload input[type=file]", [str(good)])
    op.fill("#upload input[name=title]", "Thông báo họp dân thôn Đồng Tâm")
    op.select_option("#upload select[name=language]", label="Tiếng H'Mông")
    op.click("#upload button[type=submit]")
    from playwright.sync_api import expect

    expect(op.locator("#library-total")).not_to_have_text(total_before, timeout=60_000)
    expect(op.locator("#library-list")).to_contain_text("Thông báo họp dân thôn Đồng Tâm")
    assert op.inner_text("#library-total") == "4 mục"
    assert "Tiếng H'Mông" in op.inner_text("#library-list")
    op.set_input_files("#upload input[type=file]", [str(bad)])
    op.click("#upload button[type=submit]")
    expect(op.locator("#upload-results li.error")).to_have_count(1, timeout=60_000)
    reason = op.inner_text("#upload-results li.error")
    assert "hong.mp3" in reason and "bị từ chối" in reason
    assert not re.search(r"ffmpeg|Invalid|argument|\(|errno", reason, re.I), reason
    assert "hỏng" in reason or "không" in reason
    op.screenshot(path=str(shots / "desktop-operator-library-after-upload.png"), full_page=True)

    # the USB page: no paths, no CSV column codes
    op.goto(console.url + "/usb")
    text = op.inner_text("main")
    assert str(console.home) not in text and "/" not in re.sub(r"\d+/\d+(/\d+)?", "", text.replace("Thôn & USB", ""))
    assert "code, name" not in text and "thư mục xuất trên máy này" in text

    # reports: the pickers, the period in words
    op.goto(console.url + "/reports")
    op.select_option("#period-form select[name=kind]", "quarter")
    assert op.locator("#period-form select[name=quarter]").is_visible()
    assert not op.locator("#period-form input[name=month]").is_visible()
    op.select_option("#period-form select[name=quarter]", "4")
    op.select_option("#period-form select[name=year]", "2026")
    op.click("#period-form button[type=submit]")
    op.wait_for_load_state()
    assert "quý IV/2026 (01/10/2026 – 31/12/2026)" in op.inner_text("#period-title")
    op.select_option("#period-form select[name=kind]", "half")
    op.select_option("#period-form select[name=half]", "2")
    op.click("#period-form button[type=submit]")
    op.wait_for_load_state()
    assert "6 tháng cuối năm 2026" in op.inner_text("#period-title")
    op.select_option("#period-form select[name=kind]", "week")
    op.fill("#period-form input[name=week]", "2026-W49")
    op.click("#period-form button[type=submit]")
    op.wait_for_load_state()
    assert "tuần 49/2026 (30/11/2026 – 06/12/2026)" in op.inner_text("#period-title")
    assert not re.search(r"\d{4}(H\d|Q\d|-W\d)", op.inner_text("main")), "a period code on the page"

    # the audit log in words
    admin = _page(browser, console, "admin", "desktop", errors)
    admin.goto(console.url + "/users")
    actions = admin.locator("#audit td[data-action]")
    shown = {actions.nth(i).get_attribute("data-action"): actions.nth(i).inner_text() for i in range(actions.count())}
    assert shown["item.add"] == "thêm tệp" and shown["login"] == "đăng nhập"
    assert "item.add" not in admin.inner_text("#audit")
    assert not errors, errors
