"""Live from the console: Debian's chromium (Playwright) with a fake microphone playing a tone
(--use-file-for-fake-audio-capture), over the console's own HTTPS, and a real daemon on the
recorded test sound server: the tone is heard live, the show resumes after, the as-run row and
the draft recording exist; the link stalled mid-speech (the browser frozen) ends the segment
after [live] no_audio_s and the show resumes. Over the WebSocket itself: a viewer, another
origin, a missing session or CSRF token are refused (403), as is a viewer's POST."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.soundserver import RATE, Monitor, write_wav
from tests.test_daemon import station  # noqa: F401 - fixture
from tests.test_live import VOICE_HZ, at, configure, live_rows, voice, wait_for_draft
from tests.test_web_browser import ARGS, CHROMIUM, _login
from tests.webtools import add_users, console, start_console, stop_console  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("realtime"),  # timing read off the sound server
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/ensure-system-deps)"),
]
OPERATOR = "Trần Thị Bình"


def fake_microphone(path: Path) -> Path:
    t = np.arange(RATE * 30) / RATE
    return write_wav(path, (0.5 * np.sin(2 * np.pi * VOICE_HZ * t)).astype(np.float32))


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.split()
    children: dict[int, list[int]] = {}
    for child, parent in zip(map(int, out[0::2]), map(int, out[1::2])):
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


@pytest.fixture
def live_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    wav = fake_microphone(tmp_path / "micro.wav")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            *ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}"])  # fmt: skip
        try:
            yield b, wav
        finally:
            b.close()


def _operator_page(browser, url: str):
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    _login(page, url, "binh")
    return page


def _speak(page) -> None:
    page.click("#live-toggle")
    onair = page.get_attribute("#live-voice", "data-onair")
    page.wait_for_function("t => document.getElementById('live-state').textContent === t", arg=onair, timeout=15000)


def test_the_operators_phone_goes_live_over_https_and_the_show_resumes(radio, radio_bin, subprocess_env, station,  # noqa: F811
                                                                       live_server, live_browser):  # fmt: skip
    browser, _wav = live_browser
    configure(station, "[schedule]\npreroll_s = 0\n")
    add_users(radio.home, [("binh", "operator", OPERATOR)])
    long, after = station.item(14.0, 91), station.item(3.0, 92)
    console = start_console(radio_bin, subprocess_env, radio.home, https=True)
    try:
        assert console.url.startswith("https://")
        with Monitor(live_server) as monitor:
            station.start()
            start = station.slot_in(6)  # made once the daemon is up
            station.radio("queue", "add", long, after, "--slot", "Sáng")
            page = _operator_page(browser, console.url)
            page.goto(console.url + "/on-air")
            time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
            clicked = time.time()
            _speak(page)
            time.sleep(4.0)
            page.click("#live-toggle")  # stop
            stopped = time.time()
            rows = station.wait_for(lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
            time.sleep(0.3)
            heard = voice(monitor)
            at_after = station.position(monitor, after)
            found = wait_for_draft(station)
    finally:
        stop_console(console)
    log = (station.tmp / "daemon.log").read_text()
    assert heard and clicked < heard[0][0] < clicked + 3.0, (heard, clicked, log)
    assert heard[0][1] > heard[0][0] + 3.0 and heard[0][1] < stopped + 1.5, (heard, stopped)
    (row,) = live_rows(rows)
    assert row["title"] == f"Live: {OPERATOR}" and row["source"] == "console (127.0.0.1)", row
    assert row["status"] in ("interrupted", "completed") and abs(at(row, "started_at") - heard[0][0]) < 1.0, (row, heard)
    shows = [(r["item_id"], r["status"]) for r in rows if r["item_id"] in (long, after)]
    assert shows == [(long, "interrupted"), (after, "completed")], rows
    assert at_after > heard[0][1] - 0.3
    (item,) = found
    assert item["status"] == "draft" and OPERATOR in item["title"], item
    assert station.stop() == 0


def test_a_link_stalled_mid_speech_ends_live_and_the_show_resumes(radio, radio_bin, subprocess_env, station,  # noqa: F811
                                                                  live_server, live_browser):  # fmt: skip
    browser, wav = live_browser
    configure(station, "[schedule]\npreroll_s = 0\n")
    add_users(radio.home, [("binh", "operator", OPERATOR)])
    long, after = station.item(12.0, 93), station.item(3.0, 94)
    console = start_console(radio_bin, subprocess_env, radio.home, https=True)
    frozen: list[int] = []
    try:
        with Monitor(live_server):
            station.start()
            start = station.slot_in(6)  # made once the daemon is up
            station.radio("queue", "add", long, after, "--slot", "Sáng")
            page = _operator_page(browser, console.url)
            page.goto(console.url + "/on-air")
            time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
            _speak(page)
            time.sleep(2.0)
            main = int(subprocess.run(["pgrep", "-o", "-f", f"fake-audio-capture={wav}"], capture_output=True,
                                      text=True).stdout.split()[0])  # fmt: skip
            frozen = descendants(main)
            for pid in frozen:  # the phone's link stalls: nothing more arrives, the connection stays open
                os.kill(pid, signal.SIGSTOP)
            stalled = time.time()
            rows = station.wait_for(lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
    finally:
        for pid in frozen:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        stop_console(console)
    (row,) = live_rows(rows)
    assert row["status"] == "interrupted" and "no audio" in row["reason"], row
    assert stalled + 2.0 - 0.5 < at(row, "ended_at") < stalled + 2.0 + 2.0, (row, stalled)
    (resumed,) = [r for r in rows if r["item_id"] == after]
    assert at(resumed, "started_at") >= at(row, "ended_at") - 0.3
    assert station.stop() == 0


def _ws(console, path: str, cookies: dict | None = None, origin: str | None = None):
    from websockets.sync.client import connect

    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())} if cookies else {}
    return connect(f"ws://127.0.0.1:{console.port}{path}", additional_headers=headers,
                   origin=origin, open_timeout=10)  # fmt: skip


def _refused(console, path: str, **kwargs) -> int:
    from websockets.exceptions import InvalidStatus

    try:
        with _ws(console, path, **kwargs):
            return 101
    except InvalidStatus as err:
        return err.response.status_code


def test_the_microphone_socket_is_refused_to_viewers_other_origins_and_strangers(console):  # noqa: F811
    own = f"http://127.0.0.1:{console.port}"
    viewer = console.client("chi")
    viewer.get("/on-air")  # the csrf token of this session (a refusal below is for the role, not the token)
    assert _refused(console, f"/live/microphone?csrf={viewer.csrf}", cookies=viewer.cookies, origin=own) == 403
    assert viewer.post("/live/stop").status == 403
    operator = console.client("binh")
    operator.get("/on-air")
    path = f"/live/microphone?csrf={operator.csrf}"
    assert _refused(console, path, cookies=operator.cookies, origin="http://evil.example") == 403
    assert _refused(console, path, cookies=operator.cookies, origin=None) == 403
    assert _refused(console, path, origin=own) == 403  # no session
    assert _refused(console, "/live/microphone?csrf=wrong", cookies=operator.cookies, origin=own) == 403
    # the operator, rightly asking, with no daemon running: accepted, then told why nothing airs
    with _ws(console, path, cookies=operator.cookies, origin=own) as ws:
        answer = json.loads(ws.recv(timeout=20))
    assert "error" in answer and "radio daemon" in answer["error"], answer
