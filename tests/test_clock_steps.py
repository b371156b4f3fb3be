"""The wall clock stepped while the daemon runs (NTP, an operator setting the clock, a PC
whose battery-backed clock was wrong): the daemon, under libfaketime, sees its wall clock
jump ±1 h while its monotonic clock goes on. An occurrence jumped over is logged missed (or
caught up, within the catch-up window); one passed twice airs once; timers keep working."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.test_daemon import VN, _final, station  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another
SHIM = Path(__file__).parent / "data" / "nanosleep_fix.c"


@pytest.fixture
def faketime(tmp_path):
    """(environment for a process whose wall clock follows a file, a function setting the offset)."""
    libs = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if not libs or not shutil.which("gcc"):
        pytest.fail("libfaketime and gcc are needed (scripts/ensure-system-deps installs them)")
    shim = tmp_path / "nanosleep_fix.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(shim), str(SHIM), "-ldl"], check=True)
    spec = tmp_path / "faketime"
    spec.write_text("+0\n")
    env = {**os.environ, "LD_PRELOAD": f"{shim} {libs[0]}", "FAKETIME_TIMESTAMP_FILE": str(spec),
           "FAKETIME_CACHE_DURATION": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}  # fmt: skip

    def shift(seconds: int) -> None:
        spec.write_text(f"{seconds:+d}\n")

    return env, shift


def _daily(station, name: str, at: datetime, item: int) -> None:
    made = station.radio("slot", "add", name, "--at", at.strftime("%H:%M:%S"), "--no-jingles")
    assert made.exit_code == 0, made.output
    queued = station.radio("queue", "add", item, "--slot", name, "--date", at.date().isoformat())
    assert queued.exit_code == 0, queued.output


def _by_item(rows: list[dict]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row["item_id"], []).append(row)
    return found


def test_clock_stepped_forward_an_hour(station, faketime):
    env, shift = faketime
    a, b, d, c = (station.item(s, seed) for s, seed in ((2.0, 201), (2.0, 202), (1.5, 203), (2.0, 204)))
    t0 = datetime.now(VN).replace(microsecond=0)
    if (t0 + timedelta(hours=1, minutes=1)).date() != t0.date():
        pytest.skip("the slots of this test would cross midnight (station time)")
    _daily(station, "A", t0 + timedelta(seconds=12), a)
    _daily(station, "B", t0 + timedelta(minutes=20), b)  # jumped over, beyond the catch-up window
    _daily(station, "D", t0 + timedelta(minutes=55), d)  # jumped over, within the window: caught up
    _daily(station, "C", t0 + timedelta(hours=1, seconds=28), c)  # after the jump: on its time
    station.start(env)
    station.wait_for(lambda r: _final(r, 1) and r[0]["status"] == "completed", timeout=30)
    stepped = time.time()
    shift(3600)
    rows = station.wait_for(lambda r: _final(r, 4), timeout=40)
    by_item = _by_item(rows)
    assert [r["status"] for r in by_item[a]] == ["completed"]
    assert [r["status"] for r in by_item[b]] == ["missed"] and "clock" in by_item[b][0]["reason"]
    assert [r["status"] for r in by_item[d]] == ["completed"]
    caught_up = datetime.fromisoformat(by_item[d][0]["started_at"]).timestamp() - 3600
    assert caught_up - stepped < 4.0  # within a replan of the step
    (on_time,) = by_item[c]
    assert on_time["status"] == "completed"
    planned = (t0 + timedelta(hours=1, seconds=28)).timestamp()
    assert abs(datetime.fromisoformat(on_time["started_at"]).timestamp() - planned) < 0.05
    assert station.stop() == 0
    assert "wall clock jumped +36" in (station.tmp / "daemon.log").read_text()


def test_clock_stepped_back_passes_an_occurrence_twice_and_timers_go_on(station, faketime):
    env, shift = faketime
    e, g = station.item(2.0, 211), station.item(1.5, 212)
    t0 = datetime.now(VN).replace(microsecond=0)
    _daily(station, "E", t0 + timedelta(seconds=10), e)
    station.start(env)
    station.wait_for(lambda r: _final(r, 1), timeout=30)
    time.sleep(max(0.0, t0.timestamp() + 14 - time.time()))
    shift(-10)  # E's instant comes again 6 s from now
    time.sleep(10.0)
    shift(-3600)  # and an hour back: the daemon must not sleep through that hour
    time.sleep(2.0)
    fake_now = datetime.now(VN) - timedelta(hours=1)
    at = (fake_now + timedelta(seconds=8)).replace(microsecond=0)
    cli = subprocess.run([station.bin, "--home", str(station.radio.home), "queue", "add", str(g), "--at",
                          at.strftime("%H:%M:%S")], capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    rows = station.wait_for(lambda r: _final(r, 2), timeout=30)
    by_item = _by_item(rows)
    assert [r["status"] for r in by_item[e]] == ["completed"]  # once, not twice
    (one_off,) = by_item[g]
    assert one_off["status"] == "completed"
    assert abs(datetime.fromisoformat(one_off["started_at"]).timestamp() - at.timestamp()) < 0.05
    assert station.stop() == 0
    log = (station.tmp / "daemon.log").read_text()
    assert "wall clock jumped -10" in log and "wall clock jumped -35" in log
