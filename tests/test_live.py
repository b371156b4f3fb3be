"""Live on air from the line in, with a real daemon on the recorded test sound server: a second
null sink's monitor is the studio microphone (tests/soundserver.Microphone), a tone played
into it is the voice. Checked on the recorded monitor, in the as-run log, the library and the
audit log: the voice is heard, the show under it fades out and resumes after, a second
speaker is told who is on air, a vanished capture device ends the segment with its reason,
an emergency interrupts live and live resumes after it, kill -9 leaves a closed row and the
show rejoined; every bad input is one line and exit 1."""

from __future__ import annotations

import json
import signal
import time
from datetime import datetime

import pytest

from radio.app import open_app
from tests.relaytools import tone_spans
from tests.soundserver import RATE, Microphone, Monitor
from tests.test_daemon import Station, station  # noqa: F401 - fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another
VOICE_HZ = 660.0


def voice(monitor: Monitor, gap_s: float = 0.5) -> list[tuple[float, float]]:
    """Wall-clock spans of the recording where the voice (the tone at the microphone) is heard;
    spans less than *gap_s* apart are one (a loaded machine's dropouts: `voiced` says how much
    of a span is really heard)."""
    found = tone_spans(monitor.audio(), RATE, VOICE_HZ, min_level_dbfs=-30.0, min_s=0.1)
    merged: list[list[float]] = []
    for a, b in found:
        if merged and a - merged[-1][1] < gap_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    monitor.voiced = {round(a, 1): sum(min(b, y) - max(a, x) for x, y in found if x < b and y > a) / (b - a)
                      for a, b in merged}  # fmt: skip
    return [(monitor.wall_time(a * RATE), monitor.wall_time(b * RATE)) for a, b in merged if b - a >= 0.3]


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def at(row: dict, key: str) -> float:
    return datetime.fromisoformat(row[key]).timestamp()


def configure(station: Station, extra: str = "") -> None:
    (station.radio.home / "radio.toml").write_text(
        '[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\n'
        f'[live]\nno_audio_s = 2.0\n{extra}', encoding="utf-8")  # fmt: skip


def live_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["title"].startswith("Live: ")]


def drafts(station: Station) -> list[dict]:
    found = json.loads(station.cli("library", "list", "--json").stdout)
    return [i for i in found if i["title"].startswith("Live: ")]


def wait_for_draft(station: Station, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := drafts(station):
            return found
        time.sleep(0.3)
    raise AssertionError("no recording in the library: " + (station.tmp / "daemon.log").read_text())


def test_line_in_live_over_a_show_which_resumes_after(station, live_server):  # noqa: F811
    configure(station)
    long, after = station.item(10.0, 61), station.item(3.0, 62)
    with Microphone(live_server) as mic, Monitor(live_server) as monitor:
        mic.play_tone(VOICE_HZ)
        station.start()  # up before the session is made (a start-up takes seconds on a loaded PC)
        start = station.slot_in(4)
        station.radio("queue", "add", long, after, "--slot", "Sáng")
        sleep_until(start.timestamp() + 3.0)
        began = station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba")
        asked = time.time()
        second = station.cli("live", "start", "--input", mic.input, "--by", "Chị Tư")
        status = json.loads(station.cli("status", "--json").stdout)
        time.sleep(4.0)
        stopped = station.cli("live", "stop")
        stop_asked = time.time()
        rows = station.wait_for(lambda r: any(x["item_id"] == after and x["status"] == "completed" for x in r))
        time.sleep(0.3)
        at_after = station.position(monitor, after)
        heard = voice(monitor)
        found = wait_for_draft(station)
    log = (station.tmp / "daemon.log").read_text()
    assert began.returncode == 0, began.stderr
    assert "on air live: Anh Ba from pulse:mic.monitor" in began.stdout
    # one speaker at a time: the second is told who is on air, in one line, exit 1
    assert second.returncode == 1 and second.stderr.count("\n") == 1, second.stderr
    assert "Anh Ba is on air live since" in second.stderr and "Traceback" not in second.stderr
    assert stopped.returncode == 0, stopped.stderr
    assert status["on_air"]["title"] == "Live: Anh Ba", status
    # the voice was heard, from about the request to about the stop
    assert heard, log
    first = heard[0]
    assert asked - 0.3 < first[0] < asked + 1.5, (heard, asked)
    assert stop_asked - 1.0 < first[1] < stop_asked + 1.5, (heard, stop_asked)
    assert max(monitor.voiced.values()) > 0.8, monitor.voiced  # heard through, not in bits
    # the show under it: its item faded out when live began, its next item aired after live
    shows = [r for r in rows if r["item_id"] in (long, after)]
    assert [(r["item_id"], r["status"]) for r in shows] == [(long, "interrupted"), (after, "completed")], rows
    assert "live" in shows[0]["reason"]
    assert abs(at(shows[0], "ended_at") - first[0]) < 1.0
    assert first[1] - 0.3 < at_after < first[1] + 1.5, (at_after, heard)
    # the as-run row of the segment: who, from where, when, how long, the notices' topic
    (row,) = live_rows(rows)
    assert row["status"] in ("interrupted", "completed") and "stopped" in row["reason"], row
    assert row["source"] == "pulse:mic.monitor" and row["topic"] == "thong-bao"
    assert abs(at(row, "started_at") - first[0]) < 0.5 and abs(at(row, "ended_at") - first[1]) < 0.8, (row, heard)
    assert abs(row["seconds_played"] - (first[1] - first[0])) < 1.0, (row, heard)
    # the recording: a draft item of the segment's length, the voice in it
    (item,) = found
    assert item["status"] == "draft" and item["topic"] == "thong-bao" and "Anh Ba" in item["title"], item
    assert abs(item["duration_s"] - row["seconds_played"]) < 0.5, (item, row)
    # the audit log names the speaker's start and the segment
    app = open_app(station.radio.home)
    try:
        entries = app.audit.recent()
    finally:
        app.close()
    actions = [(e.user_name, e.action) for e in entries]
    (started,) = [e for e in entries if e.action == "live.start"]  # under the account that ran the command
    assert started.user_name.startswith("cli:") and started.detail.startswith("Anh Ba, "), started
    assert ("Anh Ba", "live.segment") in actions, actions
    assert station.stop() == 0


def test_live_with_nothing_on_air_powers_on_with_preroll_and_a_dead_device_ends_it(station, live_server):  # noqa: F811
    marks = station.tmp / "transmitter.log"
    configure(station, f'[schedule]\npreroll_s = 2.0\non_air = "echo on $(date +%s.%N) >> {marks}"\n'
                       f'off_air = "echo off $(date +%s.%N) >> {marks}"\n')  # fmt: skip
    with Microphone(live_server) as mic, Monitor(live_server) as monitor:
        mic.play_tone(VOICE_HZ)
        station.start()
        began = station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba")
        asked = time.time()
        time.sleep(4.0)
        mic.go_dead()  # the capture device delivers nothing more (a USB microphone pulled out)
        unplugged = time.time()
        rows = station.wait_for(lambda r: any(x["status"] != "playing" for x in live_rows(r)))
        time.sleep(1.0)
        heard = voice(monitor)
    assert began.returncode == 0, began.stderr
    power = marks.read_text().split()
    assert power[0] == "on" and float(power[1]) < asked + 0.5, power
    assert heard and heard[0][0] > asked + 2.0 - 0.3, (heard, asked)  # after the pre-roll
    assert heard[0][1] < unplugged + 0.5, (heard, unplugged)
    (row,) = live_rows(rows)
    assert row["status"] == "interrupted" and "no audio from the capture input pulse:mic.monitor" in row["reason"], row
    assert at(row, "ended_at") < unplugged + 2.0 + 1.5
    # the session is over: nobody on air live, and the transmitter switched off
    assert "nobody is on air live" in station.cli("live", "status").stdout
    assert station.wait_for(lambda r: "off" in marks.read_text(), timeout=10)
    assert station.stop() == 0


def test_an_emergency_interrupts_live_which_resumes_after_it(station, live_server):  # noqa: F811
    configure(station, "[schedule]\npreroll_s = 0\n")
    alarm = station.item(2.0, 71)
    with Microphone(live_server) as mic, Monitor(live_server) as monitor:
        mic.play_tone(VOICE_HZ)
        station.start()
        assert station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba").returncode == 0
        time.sleep(2.5)
        assert station.cli("emergency", alarm).returncode == 0
        rows = station.wait_for(lambda r: len(live_rows(r)) == 2)
        time.sleep(2.0)
        assert station.cli("live", "stop").returncode == 0
        rows = station.wait_for(lambda r: all(x["status"] != "playing" for x in r) and len(live_rows(r)) == 2)
        time.sleep(0.3)
        at_alarm = station.position(monitor, alarm)
        heard = voice(monitor)
    first, second = live_rows(rows)
    (alarm_row,) = [r for r in rows if r["item_id"] == alarm]
    assert first["status"] == "interrupted" and "emergency" in first["reason"], first
    assert alarm_row["status"] == "completed"
    assert at(first, "ended_at") <= at(alarm_row, "started_at") + 0.6
    assert at(second, "started_at") >= at(alarm_row, "ended_at") - 0.3, (second, alarm_row)
    # heard: voice, the alarm, voice again
    assert len(heard) >= 2 and heard[0][1] < at_alarm + 0.6 and heard[-1][0] > at_alarm + 1.5, (heard, at_alarm)
    # each segment's recording filed whole (the second's end was heard before its feed closed the file)
    deadline = time.monotonic() + 30.0
    while len(found := drafts(station)) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert len(found) == 2, (found, (station.tmp / "daemon.log").read_text()[-2000:])
    assert "cannot file the live recording" not in (station.tmp / "daemon.log").read_text()
    assert station.stop() == 0


def test_kill_9_during_live_leaves_a_closed_row_and_the_show_rejoined(station, live_server):  # noqa: F811
    configure(station)
    first, second = station.item(6.0, 81), station.item(30.0, 82)  # the second still on when a slow restart is up
    with Microphone(live_server) as mic:
        mic.play_tone(VOICE_HZ)
        station.start()
        start = station.slot_in(3)
        station.radio("queue", "add", first, second, "--slot", "Sáng")
        sleep_until(start.timestamp() + 1.5)
        assert station.cli("live", "start", "--input", mic.input, "--by", "Anh Ba").returncode == 0
        station.wait_for(lambda r: any(x["status"] == "playing" for x in live_rows(r)))
        time.sleep(1.0)
        station.stop(signal.SIGKILL)
        with Monitor(live_server) as monitor:
            station.start()
            rows = station.wait_for(lambda r: any(x["item_id"] == second for x in r))
            found = wait_for_draft(station)
            time.sleep(1.0)
            heard = voice(monitor)
    assert station.stop() == 0
    (row,) = live_rows(rows)
    assert row["status"] == "interrupted" and "stopped" in row["reason"], row  # closed at the restart
    assert [(r["item_id"], r["status"]) for r in rows if r["item_id"] in (first, second)] == \
        [(first, "interrupted"), (second, "playing")], rows  # fmt: skip
    # the show rejoined on its timeline (its next item, not before its first's planned end); live did not survive
    (rejoined,) = [r for r in rows if r["item_id"] == second]
    assert at(rejoined, "started_at") > start.timestamp() + 6.0 - 0.5, (rejoined, start)
    assert not heard, heard
    # what aired before the crash is still filed: a draft, its speaker unknown, its length what was written
    (item,) = found
    assert item["status"] == "draft" and "unknown" in item["title"] and item["duration_s"] > 0.5, item


def test_bad_live_requests_are_one_line_and_exit_1(station):  # noqa: F811
    configure(station)
    no_daemon = station.cli("live", "start", "--input", "pulse:mic.monitor")
    assert no_daemon.returncode == 1 and "daemon is not running" in no_daemon.stderr
    station.start()
    for args, words in [(["live", "start", "--input", "foo"], "not a capture input"),
                        (["live", "start"], "no capture input"),
                        (["live", "start", "--input", "pulse:x", "--topic", "nope"], "nope"),
                        (["live", "stop"], "nobody is on air live")]:  # fmt: skip
        done = station.cli(*args)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and words in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert station.cli("live", "status").stdout.strip() == "nobody is on air live"
    assert station.stop() == 0
