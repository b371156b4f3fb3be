"""Fault 7: a PC clock set in the past (a flat CMOS battery after a power cut) holds the
schedule instead of airing at wrong hours.

The daemon runs under libfaketime (tests/test_clock_steps.py's fixture) with its wall clock
3 h or 2 days before as-run rows it aired itself on the right clock: `radio status` (text
and JSON) says the clock is wrong and the schedule held, with the station's time zone; a
one-off due on the wrong clock does not air (neither the recorded sound server nor the
as-run log has it) while an emergency still does; the clock set right, the held one-off is
logged missed with why, and the next one airs on time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta

import numpy as np
import pytest

from tests.soundserver import RATE, Monitor, locate
from tests.test_clock_steps import faketime  # noqa: F401 - fixture
from tests.test_daemon import VN, _final, station  # noqa: F401 - fixture
from tests.webtools import add_users, start_console, stop_console

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another


def rows_of(station) -> list[dict]:
    since = (datetime.now(VN) - timedelta(days=3)).date().isoformat()
    return json.loads(station.cli("log", "--from", since, "--to", datetime.now(VN).date().isoformat(), "--json").stdout)


def cli(station, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([station.bin, "--home", str(station.radio.home), *args], capture_output=True, text=True,
                          env=env, timeout=60)  # fmt: skip


def wait_rows(station, predicate, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = rows_of(station)
        if predicate(rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"timed out; rows {rows_of(station)}\n{(station.tmp / 'daemon.log').read_text()}")


def heard(monitor: Monitor, samples: np.ndarray, start: float, end: float) -> bool:
    """The item's noise is in the recording between wall instants *start* and *end*."""
    audio = monitor.audio()[monitor.frame_at(start):monitor.frame_at(end)]
    if len(audio) < len(samples[: RATE // 2]):
        return False
    at = locate(audio, samples[: RATE // 2])
    window = audio[at:at + RATE // 2]
    if len(window) < RATE // 2 or float(np.std(window)) == 0.0:
        return False
    return float(np.corrcoef(window, samples[: RATE // 2])[0, 1]) > 0.9


@pytest.mark.parametrize("behind", [timedelta(hours=3), timedelta(days=2)], ids=["3h", "2days"])
def test_a_clock_in_the_past_holds_the_schedule_until_it_is_set_right(station, faketime, live_server, behind):  # noqa: F811
    env, shift = faketime
    aired, held, alarm, after = (station.item(s, seed) for s, seed in ((1.5, 301), (1.5, 302), (1.5, 303), (1.5, 304)))
    # the right clock: a one-off airs and leaves its rows
    at = (datetime.now(VN) + timedelta(seconds=6)).replace(microsecond=0)
    assert station.radio("queue", "add", aired, "--at", at.strftime("%H:%M:%S")).exit_code == 0
    station.start()
    wait_rows(station, lambda r: _final(r, 1))
    assert station.stop() == 0

    # the power cut: the PC comes back with its clock in the past
    shift(-int(behind.total_seconds()))
    fake_now = datetime.now(VN) - behind
    due = (fake_now + timedelta(seconds=8)).replace(microsecond=0)
    queued = cli(station, env, "queue", "add", str(held), "--at", due.isoformat())
    assert queued.returncode == 0, queued.stderr
    with Monitor(live_server) as monitor:
        station.start(env)
        started = time.time()
        time.sleep(max(0.0, due.timestamp() + behind.total_seconds() + 5.0 - time.time()))  # its instant + 5 s
        status = json.loads(cli(station, env, "status", "--json").stdout)
        text = cli(station, env, "status").stdout
        held_until = time.time()
        assert station.cli("emergency", str(alarm)).returncode == 0  # an alarm airs whatever the clock says
        rows = wait_rows(station, lambda r: any(x["item_id"] == alarm and x["status"] == "completed" for x in r))
        assert not any(r["item_id"] == held for r in rows), rows  # nothing aired, nothing logged, while held

        shift(0)  # the operator sets the clock right
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and json.loads(station.cli("status", "--json").stdout)["clock"]["held"]:
            time.sleep(0.2)
        right = json.loads(station.cli("status", "--json").stdout)
        nxt = (datetime.now(VN) + timedelta(seconds=8)).replace(microsecond=0)
        assert station.radio("queue", "add", after, "--at", nxt.strftime("%H:%M:%S")).exit_code == 0
        rows = wait_rows(station, lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
        assert station.stop() == 0
    log = (station.tmp / "daemon.log").read_text()

    clock = status["clock"]
    assert (clock["state"], clock["held"], clock["timezone"]) == ("wrong", True, "Asia/Ho_Chi_Minh"), clock
    assert "behind the newest as-run row" in clock["reason"] and clock["synchronised"] in (False, None)
    assert "offset_s" in clock
    assert "clock: WRONG, time zone Asia/Ho_Chi_Minh" in text, text
    assert "schedule held: the clock is wrong (the clock is" in text, text
    assert "schedule held: the clock is wrong" in log
    # nothing of the held one-off in the recording while held (the alarm came after)
    assert not heard(monitor, station.samples[held], started, held_until), log
    assert heard(monitor, station.samples[alarm], held_until, time.time())
    # set right: the hold ends, the jump is shown, the held one-off is missed with why, the next airs on time
    assert right["clock"]["held"] is False and right["clock"]["state"] != "wrong", right["clock"]
    assert right["clock"]["last_jump"]["step_s"] > behind.total_seconds() - 60
    by_item = {r["item_id"]: r for r in rows}
    assert by_item[held]["status"] == "missed" and "clock" in by_item[held]["reason"], by_item[held]
    assert by_item[after]["status"] == "completed"
    assert abs(datetime.fromisoformat(by_item[after]["started_at"]).timestamp() - nxt.timestamp()) < 0.1
    assert [r["status"] for r in rows if r["item_id"] == aired] == ["completed"]  # not aired again


def test_status_without_the_daemon_says_the_clock_is_wrong(station, faketime):  # noqa: F811
    env, shift = faketime
    item = station.item(1.0, 311)
    at = (datetime.now(VN) + timedelta(seconds=5)).replace(microsecond=0)
    assert station.radio("queue", "add", item, "--at", at.strftime("%H:%M:%S")).exit_code == 0
    station.start()
    wait_rows(station, lambda r: _final(r, 1))
    assert station.stop() == 0
    assert json.loads(station.cli("status", "--json").stdout)["clock"]["state"] != "wrong"
    shift(-2 * 86400)
    status = json.loads(cli(station, env, "status", "--json").stdout)
    assert status["daemon"]["running"] is False
    assert status["clock"]["state"] == "wrong" and "2 days behind" in status["clock"]["reason"], status["clock"]
    text = cli(station, {**env, "LANG": "vi_VN.UTF-8"}, "status").stdout
    assert "lịch phát bị giữ lại" in text, text
    # the console's On air page, under the same clock
    add_users(station.radio.home, [("an", "approver", "Nguyễn Văn An")])
    console = start_console(station.bin, env, station.radio.home)
    try:
        page = console.client("an").get("/on-air?fragment=1").text
    finally:
        stop_console(console)
    assert 'id="clock-held"' in page and "lịch phát bị giữ lại: đồng hồ sai" in page, page
    assert "Asia/Ho_Chi_Minh" in page


def test_a_fast_clock_set_right_by_hand_resumes_once_an_operator_confirms_it(station, faketime):  # noqa: F811
    """A PC without NTP ran two days fast and aired a one-off then; set right by hand, its rows
    are two days ahead and hold the schedule. `radio clock confirm` lifts the hold at once (the
    daemon running), a one-off then airs at its instant, and the console offers the same to an
    approver, not to an operator (refused on the server too)."""
    env, shift = faketime
    fast, after, alarm = station.item(1.5, 321), station.item(1.5, 322), station.item(6.0, 323)
    shift(2 * 86400)
    due = (datetime.now(VN) + timedelta(days=2, seconds=6)).replace(microsecond=0)
    assert cli(station, env, "queue", "add", str(fast), "--at", due.isoformat()).returncode == 0
    station.start(env)
    day = due.date().isoformat()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not any(
            r["status"] == "completed"
            for r in json.loads(cli(station, env, "log", "--json", "--from", day, "--to", day).stdout)):  # fmt: skip
        time.sleep(0.3)
    assert station.stop() == 0

    shift(0)  # set right by hand: the rows are two days ahead of the clock
    station.start(env)
    held = json.loads(station.cli("status", "--json").stdout)["clock"]
    assert held["held"] is True and "2 days behind" in held["reason"], held
    assert "radio clock confirm" in station.cli("status").stdout

    add_users(station.radio.home, [("ba", "operator", "Trần Văn Ba"), ("an", "approver", "Nguyễn Văn An")])
    console = start_console(station.bin, env, station.radio.home)
    try:
        operator, approver = console.client("ba"), console.client("an")
        assert 'id="clock-confirm"' not in operator.get("/on-air?fragment=1").text
        refused = operator.post("/clock/confirm")
        still = json.loads(station.cli("status", "--json").stdout)["clock"]
        page = approver.get("/on-air?fragment=1").text
    finally:
        stop_console(console)
    assert refused.status == 403 and still["held"] is True, (refused.status, still)
    assert 'id="clock-confirm"' in page and "Đồng hồ đã đúng: tiếp tục lịch phát" in page, page

    # an alarm on air (alarms air on a held clock) when the clock is confirmed: the start-up that
    # waited for the clock must neither close its row as cut by a crash nor air it a second time
    assert station.cli("emergency", str(alarm)).returncode == 0
    wait_rows(station, lambda r: any(x["item_id"] == alarm and x["status"] == "playing" for x in r))
    confirmed = station.cli("clock", "confirm", "--json")
    assert confirmed.returncode == 0, confirmed.stderr
    done = json.loads(confirmed.stdout)
    assert done["was_held"] is True and done["clock"]["held"] is False and done["by"].startswith("cli:"), done
    deadline = time.monotonic() + 5  # the daemon lifts its hold at the nudge, not at its next re-read of the rows
    while (daemon := json.loads(station.cli("status", "--json").stdout)["clock"])["held"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert daemon["held"] is False, daemon
    nxt = (datetime.now(VN) + timedelta(seconds=8)).replace(microsecond=0)
    assert station.radio("queue", "add", after, "--at", nxt.strftime("%H:%M:%S")).exit_code == 0
    rows = wait_rows(station, lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
    assert station.stop() == 0
    assert [(x["status"], x["reason"]) for x in rows if x["item_id"] == alarm] == [("completed", None)], rows
    row = next(x for x in rows if x["item_id"] == after)  # aired at its instant, not held nor missed
    assert abs(datetime.fromisoformat(row["started_at"]).timestamp() - nxt.timestamp()) < 1.0, row
    with sqlite3.connect(station.radio.home / "radio.db") as db:
        audited = db.execute("SELECT user_name FROM audit_log WHERE action = 'clock.confirm'").fetchall()
    assert audited == [(done["by"],)], audited
