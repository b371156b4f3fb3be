"""What a crash, a missing file or a full disk must not break, on a real daemon and the recorded
sound server: a kill -9 in the first, middle or last item of a show (a one-off of one item
included) is rejoined at its offset with the rest of the show; a missing jingle or file airs
everything else and says so in `radio status`; relay rows wait in memory on a full disk."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime, timedelta

import pytest

from radio.app import open_app

from tests.conftest import Radio
from tests.icecast import icecast  # noqa: F401 - fixture
from tests.relaytools import ToneSource, needs_icecast
from tests.soundserver import RATE, Monitor, locate
from tests.test_daemon import VN, Station, _final, station  # noqa: F401 - the fixture
from tests.test_disk_full import fill, small_fs  # noqa: F401 - fixture
from tests.webtools import add_users, start_console, stop_console

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another
LONG_S, SHORT_S = 25.0, 3.0  # (the long one outlasts a restart of up to ~15 s on a loaded PC)


def _at(row: dict, key: str) -> float:
    return datetime.fromisoformat(row[key]).timestamp()


def _heard_at(station, monitor: Monitor, item_id: int, offset_s: float) -> float:
    """Wall instant at which the item's audio from *offset_s* sounds in the recording."""
    frame = int(offset_s * RATE)
    return monitor.wall_time(locate(monitor.audio(), station.samples[item_id][frame:frame + RATE // 2]))


@pytest.mark.parametrize("position", ["first", "middle", "last", "one-off", "emergency"])
def test_a_crash_in_any_item_rejoins_the_rest_of_it_and_of_the_show(station, live_server, position):  # noqa: F811
    # the item the crash cuts is long (a restart on a loaded PC takes seconds), the others short
    crashed = {"first": 0, "middle": 1, "last": 2, "one-off": 0, "emergency": 0}[position]
    single = position in ("one-off", "emergency")
    lengths = [LONG_S] if single else [LONG_S if n == crashed else SHORT_S for n in range(3)]
    ids = [station.item(length, 310 + n) for n, length in enumerate(lengths)]
    station.start()  # up before the show is made: on a loaded PC its start-up takes seconds
    if position == "emergency":  # an alarm's timeline begins with its first sample
        assert station.cli("emergency", ids[0]).returncode == 0
        first = station.wait_for(lambda r: len(r) == 1)[0]
        start = datetime.fromisoformat(first["started_at"])
    elif position == "one-off":  # the case: a one-off of one item, killed early on
        start = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=12)
        assert station.radio("queue", "add", ids[0], "--at", start.strftime("%H:%M:%S")).exit_code == 0
    else:
        start = station.slot_in(12)
        assert station.radio("queue", "add", *ids, "--slot", "Sáng").exit_code == 0
    t0 = start.timestamp()
    planned = [t0 + sum(lengths[:n]) for n in range(len(ids))]
    time.sleep(max(0.0, planned[crashed] + 1.0 - time.time()))
    station.wait_for(lambda r: len(r) == crashed + 1 and r[-1]["status"] == "playing")  # it is on air
    station.stop(signal.SIGKILL)
    time.sleep(1.0)
    with Monitor(live_server) as monitor:
        restarted = time.time()
        station.start()
        end = t0 + sum(lengths)
        rows = station.wait_for(lambda r: _final(r, len(ids) + 1) and time.time() > end + 0.5,
                                timeout=end - time.time() + 30)  # fmt: skip
        time.sleep(0.3)
        # the crashed item is heard again at its place on the show's timeline, not from its start
        rest = next(r for r in rows if r["item_id"] == ids[crashed] and r["status"] == "completed")
        offset = _at(rest, "started_at") - planned[crashed] + 0.5
        heard = _heard_at(station, monitor, ids[crashed], offset)
        assert abs(heard - (planned[crashed] + offset)) < 0.35, (heard, planned[crashed], offset)
    log = (station.tmp / "daemon.log").read_text()
    got = [(r["item_id"], r["status"]) for r in rows]
    expected = [(i, "completed") for i in ids[:crashed]] + [(ids[crashed], "interrupted"), (ids[crashed], "completed")]
    expected += [(i, "completed") for i in ids[crashed + 1:]]
    assert got == expected, (rows, log)
    cut = rows[crashed]
    assert "daemon stopped" in cut["reason"]
    # the rest of the item: from where its timeline was at the rejoin, to its end
    assert abs(_at(rest, "ended_at") - (planned[crashed] + lengths[crashed])) < 0.35, rest
    assert rest["seconds_played"] < lengths[crashed] - (restarted - planned[crashed]) + 0.5
    # every row keeps the show's planned instants
    if position != "emergency":
        assert [round(_at(r, "scheduled_at") - t0, 2) for r in rows if r is not cut] == [p - t0 for p in planned]
    else:
        assert rest["scheduled_at"] == cut["scheduled_at"]
    assert station.stop() == 0


def _jingle_toml(station, opening: str, closing: str) -> None:
    with (station.radio.home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'jingle_open = "{opening}"\njingle_close = "{closing}"\n')  # [playout] is the last table


def test_a_missing_jingle_and_a_missing_file_air_everything_else_and_say_so(station, live_server,  # noqa: F811
                                                                           subprocess_env):
    from tests.soundserver import noise, write_wav

    closing = write_wav(station.tmp / "het.wav", noise(RATE // 2, 399))
    _jingle_toml(station, "jingles/mo-dau.wav", str(closing))  # the opening jingle's file is missing
    a, gone, b = station.item(1.5, 401), station.item(1.5, 402), station.item(1.5, 403)
    checked = station.cli("check")
    assert checked.returncode == 1 and "mo-dau.wav" in checked.stderr + checked.stdout, checked
    slot = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=7)
    added = station.radio("slot", "add", "Chiều", "--at", slot.strftime("%H:%M:%S"))  # with jingles
    assert added.exit_code == 0, added.output
    assert station.radio("queue", "add", a, gone, b, "--slot", "Chiều").exit_code == 0
    app = open_app(station.radio.home)
    app.media.path(app.library.get(gone).media_path).unlink()  # lost from the disk before air time
    app.close()
    with Monitor(live_server) as monitor:
        station.start()
        started_log = (station.tmp / "daemon.log").read_text()
        rows = station.wait_for(lambda r: _final(r, 3), timeout=40)
        time.sleep(0.5)
        at_a, at_b = station.position(monitor, a), station.position(monitor, b)
    got = [(r["item_id"], r["status"]) for r in rows]
    assert got == [(a, "completed"), (gone, "failed"), (b, "completed")], rows
    assert abs(at_a - slot.timestamp()) < 0.1  # no opening jingle: the first item at the instant
    assert at_b > at_a + 1.4
    assert rows[1]["reason"]
    assert "mo-dau.wav" in started_log  # reported when the daemon starts
    status = json.loads(station.cli("status", "--json").stdout)
    problems = " | ".join(p["what"] for p in status["problems"])
    assert "mo-dau.wav" in problems and f"#{gone}" in problems, status
    text = station.cli("status").stdout
    assert "problem:" in text and "mo-dau.wav" in text
    assert status["next"] == [] or status["next"][0]["start"] != slot.isoformat()
    # the console's On air page says so too
    add_users(station.radio.home, [("binh", "operator", "Trần Thị Bình")])
    console = start_console(station.bin, subprocess_env, station.radio.home)
    try:
        page = console.client("binh").get("/on-air?fragment=1").text
    finally:
        stop_console(console)
    assert "mo-dau.wav" in page and f"#{gone}" in page, page
    assert station.stop() == 0



@needs_icecast
def test_relay_rows_wait_in_memory_on_a_full_disk_like_item_rows(small_fs, tmp_path, radio_bin, live_server, icecast):
    """Every as-run write goes through the one guarded path: a relay segment's row, refused by
    a full disk, is kept in memory and written once the operator frees space."""
    home = small_fs(64, "homefs") / "home"
    radio = Radio(home)
    assert radio("init").exit_code == 0
    station = Station(radio, radio_bin, tmp_path)
    with (home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write("[schedule]\nreserve_mb = 0\n")
    try:
        with ToneSource(icecast, "/vov1", 440.0) as source:
            assert station.radio("source", "add", "vov1", source.listen_url, "--name", "VOV1", "--no-data", "3",
                                 "--buffer", "1").exit_code == 0  # fmt: skip
            station.start()
            start = station.slot_in(12, "Tiếp sóng", max_minutes="1", relay="vov1").timestamp()
            ballast = fill(home.parent)
            time.sleep(max(0.0, start + 3.0 - time.time()))
            log = (station.tmp / "daemon.log").read_text()
            assert "as-run row for VOV1 kept in memory" in log, log
            assert station.log_rows() == []  # SQLite refused the relay's row...
            ballast.unlink()  # ...space freed: it is written at the next retry (every 10 s)
            rows = station.wait_for(lambda r: len(r) == 1, timeout=20)
            assert rows[0]["relay_source"] == "vov1" and rows[0]["status"] == "playing"
            assert abs(_at(rows[0], "started_at") - start) < 0.3
            assert station.stop() == 0
        rows = station.log_rows()
        assert [(r["relay_source"], r["status"]) for r in rows] == [("vov1", "interrupted")], rows
        assert "stopped" in rows[0]["reason"]
    finally:
        if station.proc is not None and station.proc.poll() is None:
            station.stop(signal.SIGKILL)
