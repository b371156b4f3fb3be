"""Live sessions against real processes (`radio daemon` on the recorded test sound server, `radio
web` for the browser's socket): a stale tab's socket closing ends only its own session, never the
next speaker's; a capture input that cannot be opened is refused in one line and one that never
sounds fails the segment (no silent draft, the show resumes); a show that waited under live airs
as any show would (its opening jingle first); `radio live stop` is in the audit log."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from radio.app import open_app
from tests.soundserver import RATE, Microphone, Monitor, locate, noise, write_wav
from tests.test_daemon import VN, station  # noqa: F401 - fixture
from tests.test_live import VOICE_HZ, configure, drafts, live_rows, sleep_until
from tests.test_live_browser import _ws
from tests.webtools import add_users, start_console, stop_console

pytestmark = pytest.mark.slow


def _audit(station) -> list[tuple[str, str, str]]:
    app = open_app(station.radio.home)
    try:
        return [(e.user_name, e.action, e.detail or "") for e in app.audit.recent()]
    finally:
        app.close()


def _live_status(station) -> dict | None:
    return json.loads(station.cli("live", "status", "--json").stdout)


def test_a_stale_tabs_socket_closing_leaves_the_next_speaker_on_air(radio, radio_bin, subprocess_env, station,  # noqa: F811
                                                                    live_server):  # fmt: skip
    configure(station, "[schedule]\npreroll_s = 0\n")
    add_users(radio.home, [("binh", "operator", "Trần Thị Bình")])
    console = start_console(radio_bin, subprocess_env, radio.home)
    try:
        with Microphone(live_server) as mic:
            mic.play_tone(VOICE_HZ)
            station.start()
            operator = console.client("binh")
            operator.get("/on-air")
            own = f"http://127.0.0.1:{console.port}"
            with _ws(console, f"/live/microphone?csrf={operator.csrf}", cookies=operator.cookies, origin=own) as tab:
                answer = json.loads(tab.recv(timeout=20))
                assert answer["on_air"]["who"] == "Trần Thị Bình", answer
                # the studio ends the browser's session; the tab stays open, forgotten on a phone
                stopped = station.cli("live", "stop", "--by", "Anh Ba")
                assert stopped.returncode == 0, stopped.stderr
                began = station.cli("live", "start", "--input", mic.input, "--by", "Chị Tư")
                assert began.returncode == 0, began.stderr
                ours = _live_status(station)
            # the stale tab's socket closes now: the console asks the daemon to stop *its* session,
            # which the daemon refuses, saying so in its log with the session's id (in the language of
            # the console that asked)
            refused = answer["on_air"]["id"]
            deadline = time.monotonic() + 30
            while refused not in (station.tmp / "daemon.log").read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert refused in (station.tmp / "daemon.log").read_text()
            still = _live_status(station)
            assert station.cli("live", "stop").returncode == 0
    finally:
        stop_console(console)
    assert ours["who"] == "Chị Tư" and ours["id"] != answer["on_air"]["id"], (ours, answer)
    assert still is not None and still["who"] == "Chị Tư" and still["id"] == ours["id"], still
    # every stop in the audit log, whichever front end asked: the studio's stop of the browser's
    # session, then the last one; none from the stale tab
    stops = [(who, detail) for who, action, detail in _audit(station) if action == "live.stop"]
    assert len(stops) == 2, stops
    assert all(who.startswith("cli:") for who, _ in stops), stops  # the account, not the free-text --by
    assert any(detail.startswith("Trần Thị Bình, console") for _, detail in stops), stops
    assert station.stop() == 0


def test_a_capture_input_that_cannot_be_opened_is_refused_and_the_show_plays_on(station, live_server):  # noqa: F811
    configure(station)
    long = station.item(8.0, 101)
    station.start()
    start = station.slot_in(2)
    station.radio("queue", "add", long, "--slot", "Sáng")
    sleep_until(start.timestamp() + 1.0)
    missing = station.cli("live", "start", "--input", "pulse:no-such-microphone", "--by", "Anh Ba")
    console = station.cli("live", "start", "--input", "console", "--by", "Anh Ba")
    status = _live_status(station)
    rows = station.wait_for(lambda r: any(x["item_id"] == long and x["status"] != "playing" for x in r))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1, missing.stderr
    assert "pulse:no-such-microphone cannot be opened" in missing.stderr and "Traceback" not in missing.stderr
    assert console.returncode == 1 and console.stderr.count("\n") == 1, console.stderr
    assert "'console' is not a capture input" in console.stderr
    assert status is None
    # nothing went on air: the show was never interrupted, no live row, no draft
    assert [(r["item_id"], r["status"]) for r in rows] == [(long, "completed")], rows
    assert not live_rows(rows) and not drafts(station)
    assert station.stop() == 0


def test_an_input_that_never_sounds_fails_the_segment_no_silent_draft_and_the_show_resumes(station, live_server):  # noqa: F811
    configure(station, "[schedule]\npreroll_s = 0\n")
    long, after = station.item(10.0, 111), station.item(3.0, 112)
    with Microphone(live_server) as mic:
        mic.go_dead()  # the device is there but delivers nothing (a dead USB microphone)
        station.start()
        start = station.slot_in(3)
        station.radio("queue", "add", long, after, "--slot", "Sáng")
        sleep_until(start.timestamp() + 2.0)
        station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba")
        rows = station.wait_for(lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
    (row,) = live_rows(rows)
    assert row["status"] == "failed" and "no audio ever came from the capture input pulse:mic.monitor" in row["reason"]
    shows = [(r["item_id"], r["status"]) for r in rows if r["item_id"] in (long, after)]
    assert shows == [(long, "interrupted"), (after, "completed")], rows
    # the operator is told (radio status's problems), and no silent recording was filed
    problems = " | ".join(p["what"] for p in json.loads(station.cli("status", "--json").stdout)["problems"])
    assert "live did not go on air" in problems, problems
    time.sleep(2.0)  # a recording is filed within a moment of the segment's end: none must come
    assert not drafts(station)
    assert not list((station.radio.home / "live").glob("*.wav"))
    assert station.stop() == 0


def test_a_show_that_waited_under_live_airs_with_its_opening_jingle(station, live_server):  # noqa: F811
    jingle = noise(RATE, 121)
    configure(station, "[schedule]\npreroll_s = 0\n")
    toml = station.radio.home / "radio.toml"
    opening = write_wav(station.tmp / "mo-dau.wav", jingle)
    toml.write_text(toml.read_text().replace("[playout]\n", f'[playout]\njingle_open = "{opening}"\n'))
    first = station.item(2.0, 122)
    with Microphone(live_server) as mic, Monitor(live_server) as monitor:
        mic.play_tone(VOICE_HZ)
        station.start()
        assert station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba").returncode == 0
        start = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=3)
        assert station.radio("slot", "add", "Sáng", "--at", start.strftime("%H:%M:%S")).exit_code == 0  # jingles on
        station.radio("queue", "add", first, "--slot", "Sáng")
        sleep_until(start.timestamp() + 1.5)  # due during live: it waits under it
        assert station.cli("live", "stop").returncode == 0
        rows = station.wait_for(lambda r: any(x["item_id"] == first and x["status"] == "completed" for x in r))
        time.sleep(0.5)
        audio = monitor.audio()
        at_jingle = monitor.wall_time(locate(audio, jingle[: RATE // 2]))
        at_first = station.position(monitor, first)
    (row,) = [r for r in rows if r["item_id"] == first]
    assert abs(at_first - at_jingle - 1.0) < 0.05, (at_jingle, at_first)  # the jingle, then the show
    assert not row.get("emergency") and row["slot"] == "Sáng", row
    assert station.stop() == 0
