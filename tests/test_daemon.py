"""The broadcast daemon as a real process, on the real sound server, checked on the recorded
monitor and in the as-run log: on time, CLI changes, emergency, kill -9, lost server."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from radio.app import open_app
from tests.soundserver import RATE, Monitor, locate, noise, onset, write_wav

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("realtime")]  # timing read off the sound server: never beside another


class Station:
    """A station home with noise items (each recognizable by correlation) and a daemon process."""

    def __init__(self, radio, radio_bin: str, tmp_path: Path) -> None:
        self.radio = radio
        self.bin = radio_bin
        self.tmp = tmp_path
        self.proc: subprocess.Popen | None = None
        self.samples: dict[int, np.ndarray] = {}
        (radio.home / "radio.toml").write_text(
            '[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\n', encoding="utf-8"
        )

    def item(self, seconds: float, seed: int, topic: str = "chinh-sach") -> int:
        samples = noise(int(RATE * seconds), seed)
        path = write_wav(self.tmp / f"item-{seed}.wav", samples)
        entry = self.radio.add(path, topic=topic)
        self.samples[entry["id"]] = samples
        return entry["id"]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.bin, "--home", str(self.radio.home), *map(str, args)],
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    def start(self, env: dict[str, str] | None = None) -> None:
        self.log = (self.tmp / "daemon.log").open("a")
        self.proc = subprocess.Popen([self.bin, "--home", str(self.radio.home), "daemon"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            # answered by the daemon itself (it tells the device): up, not only holding its lock
            if json.loads(self.cli("status", "--json").stdout).get("device") is not None:
                return
            time.sleep(0.1)
        raise AssertionError("daemon did not start: " + (self.tmp / "daemon.log").read_text())

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(20)
        self.log.close()
        return code

    def slot_in(self, seconds: float, name: str = "Sáng", **options: str) -> datetime:
        """A daily slot starting *seconds* from now (on a whole second); its instant."""
        start = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=int(seconds) + 1)
        args = ["slot", "add", name, "--at", start.strftime("%H:%M:%S"), "--no-jingles"]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", value]
        assert self.radio(*args).exit_code == 0
        return start

    def log_rows(self) -> list[dict]:
        since = (datetime.now(VN) - timedelta(days=1)).date().isoformat()  # around midnight too
        return json.loads(self.cli("log", "--from", since, "--to", datetime.now(VN).date().isoformat(),
                                   "--json").stdout)  # fmt: skip

    def wait_for(self, predicate, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.log_rows()
            if predicate(rows):
                return rows
            time.sleep(0.2)
        raise AssertionError(f"timed out; log: {self.log_rows()}\n{(self.tmp / 'daemon.log').read_text()}")

    def position(self, monitor: Monitor, item_id: int) -> float:
        """Wall-clock instant at which the item's audio begins in the recording."""
        return monitor.wall_time(locate(monitor.audio(), self.samples[item_id][: RATE // 2]))


@pytest.fixture
def station(radio, radio_bin, tmp_path, live_server):
    s = Station(radio, radio_bin, tmp_path)
    yield s
    if s.proc is not None and s.proc.poll() is None:
        s.stop(signal.SIGKILL)


def _final(rows: list[dict], n: int) -> bool:
    return len(rows) >= n and all(r["status"] != "playing" for r in rows)


def test_an_occurrence_airs_on_time_and_cli_changes_are_picked_up(station, live_server, tmp_path):
    power = tmp_path / "power.log"
    with (station.radio.home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'[schedule]\npreroll_s = 5\non_air = "echo on $(date +%s.%N) >> {power}"\n'
                   f'off_air = "echo off $(date +%s.%N) >> {power}"\n')
    a, b, c = station.item(1.5, 11), station.item(1.5, 12), station.item(1.0, 13)
    with Monitor(live_server) as monitor:
        station.start()  # up before the session is made: its timer set and the preroll ahead
        start = station.slot_in(10)
        assert station.radio("queue", "add", a, b, "--slot", "Sáng").exit_code == 0
        # while the daemon runs: a one-off broadcast right after the slot
        one_off = start + timedelta(seconds=5)
        added = station.cli("queue", "add", c, "--at", one_off.strftime("%H:%M:%S"))
        assert added.returncode == 0, added.stderr
        # the CLI keeps writing while the daemon plays: never "database is locked"
        time.sleep(max(0.0, start.timestamp() - time.time()))
        for n in range(8):
            edit = station.cli("library", "edit", a, "--source", f"Huyện {n}")
            assert edit.returncode == 0, edit.stderr
        status = json.loads(station.cli("status", "--json").stdout)
        rows = station.wait_for(lambda r: _final(r, 3))
        time.sleep(0.5)
        audio = monitor.audio()
        first = onset(audio, 0.005, start=monitor.frame_at(start.timestamp() - 1.0))
        assert abs(monitor.wall_time(first) - start.timestamp()) < 0.02  # on the second
        at_a, at_b, at_c = (station.position(monitor, i) for i in (a, b, c))
        assert abs(at_b - at_a - 1.5) < 0.005  # gapless, in order
        assert abs(at_c - one_off.timestamp()) < 0.02
    assert status["daemon"]["running"] and status["next"]
    assert [(r["item_id"], r["status"]) for r in rows] == [(a, "completed"), (b, "completed"), (c, "completed")]
    assert rows[0]["slot"] == "Sáng" and rows[2]["slot"] is None
    started = datetime.fromisoformat(rows[0]["started_at"])
    assert abs((started - start).total_seconds()) < 0.02
    assert abs(rows[1]["seconds_played"] - 1.5) < 0.01
    assert station.stop() == 0
    # the transmitter: on at least the preroll before the session, kept on for the one-off
    # broadcast 2 s after it, off once the last one ended
    switched = [(kind, float(at)) for kind, at in (line.split() for line in power.read_text().splitlines())]
    assert [kind for kind, _ in switched] == ["on", "off"]
    assert start.timestamp() - 9.0 < switched[0][1] <= start.timestamp() - 5.0
    assert switched[1][1] >= datetime.fromisoformat(rows[2]["ended_at"]).timestamp()


def test_emergency_interrupts_then_the_occurrence_goes_on(station, live_server):
    long, after, alarm = station.item(8.0, 21), station.item(1.5, 22), station.item(1.5, 23)
    with Monitor(live_server) as monitor:
        station.start()
        start = station.slot_in(5)
        station.radio("queue", "add", long, after, "--slot", "Sáng")
        time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
        assert station.cli("emergency", alarm).returncode == 0
        asked = time.time()  # committed: the daemon may see it from now on
        rows = station.wait_for(lambda r: _final(r, 3))
        time.sleep(0.3)
        at_alarm = station.position(monitor, alarm)
        at_after = station.position(monitor, after)
    cut = datetime.fromisoformat(rows[0]["ended_at"]).timestamp()
    assert cut - asked < 1.0 + 0.5  # seen within the 0.5 s poll, then the 0.5 s fade ends
    assert at_alarm - asked < 2.0
    assert at_after > at_alarm + 1.4
    statuses = [(r["item_id"], r["status"]) for r in rows]
    assert statuses == [(long, "interrupted"), (alarm, "completed"), (after, "completed")]
    assert [r["emergency"] for r in rows] == [False, True, False]  # kept with the row, the legal record
    app = open_app(station.radio.home)  # the queue cleared afterwards: the log still says khẩn cấp
    assert app.schedule.remove_entries([e.id for e in app.schedule.one_offs_between(
        start - timedelta(hours=1), start + timedelta(hours=1))]) == 1  # fmt: skip
    app.close()
    logged = station.cli("log", "--from", rows[1]["started_at"][:10], "--to", rows[1]["started_at"][:10]).stdout
    (alarm_line,) = [line for line in logged.splitlines() if "item-23" in line]
    assert "emergency broadcast" in alarm_line.split("item-23")[0], logged  # its Slot cell
    assert rows[0]["reason"] and "emergency" in rows[0]["reason"]
    assert 1.5 < rows[0]["seconds_played"] < 4.5
    assert station.stop() == 0


def test_kill_9_mid_item_then_restart_rejoins_without_losing_or_duplicating_rows(station, live_server):
    long, short = station.item(10.0, 31), station.item(1.5, 32)
    station.start()
    start = station.slot_in(5)
    station.radio("queue", "add", long, short, "--slot", "Sáng")
    time.sleep(max(0.0, start.timestamp() + 3.0 - time.time()))
    station.stop(signal.SIGKILL)
    rows = station.log_rows()
    assert [(r["item_id"], r["status"]) for r in rows] == [(long, "playing")]  # on disk at once
    with Monitor(live_server) as monitor:
        restarted = time.time()
        station.start()
        rows = station.wait_for(lambda r: _final(r, 3) and r[-1]["item_id"] == short)
        time.sleep(0.3)
        at_short = station.position(monitor, short)
    statuses = [(r["item_id"], r["status"]) for r in rows]
    assert statuses == [(long, "interrupted"), (long, "completed"), (short, "completed")]
    rejoined = rows[1]
    # it picked up where the item should be now, not from its beginning
    assert rejoined["seconds_played"] < 10.0 - (restarted - start.timestamp()) + 1.5
    assert abs(at_short - (start.timestamp() + 10.0)) < 1.5  # the timeline was kept
    assert station.stop() == 0


def test_missed_while_down_is_logged_and_a_recent_one_catches_up(station):
    a, b = station.item(1.0, 41), station.item(1.0, 42)
    old = station.slot_in(-20 * 60, name="Cũ")  # 20 minutes ago: beyond the 10-minute window
    recent = station.slot_in(-60, name="Mới")  # a minute ago: caught up
    # queued earlier, while the daemon was down: the CLI now refuses to queue into the past
    # (the occurrences' own days: just after midnight they are yesterday's)
    refused = station.radio("queue", "add", a, "--slot", "Cũ", "--date", old.date().isoformat())
    assert refused.exit_code == 1 and "has already passed" in refused.stderr
    app = open_app(station.radio.home)
    for item, name, when in ((a, "Cũ", old), (b, "Mới", recent)):
        app.schedule.enqueue([item], slot_id=app.schedule.slot_named(name).id, day=when.date())
    app.close()
    station.start()
    rows = station.wait_for(lambda r: _final(r, 2))
    by_item = {r["item_id"]: r for r in rows}
    assert by_item[a]["status"] == "missed" and "not running" in by_item[a]["reason"]
    assert by_item[b]["status"] == "completed", (by_item[b]["reason"], (station.tmp / "daemon.log").read_text())
    assert datetime.fromisoformat(by_item[b]["started_at"]) > recent
    assert datetime.fromisoformat(by_item[a]["scheduled_at"]) == old
    assert station.stop() == 0


def test_sound_server_gone_for_a_whole_session_then_back(station, live_server):
    """The device never returns during the session: the item on air is interrupted (with the
    seconds that sounded), the rest missed, `status` shows the retries; later shows air."""
    long, next_one, later = station.item(6.0, 51), station.item(1.0, 52), station.item(1.0, 53)
    station.start()
    start = station.slot_in(5)
    station.radio("queue", "add", long, next_one, "--slot", "Sáng")
    time.sleep(max(0.0, start.timestamp() + 2.0 - time.time()))
    live_server.kill()
    time.sleep(4.0)
    status = json.loads(station.cli("status", "--json").stdout)
    assert status["device"]["state"] == "retrying" and status["device"]["attempts"] >= 1, status
    text = station.cli("status").stdout
    assert "sound device: in trouble since" in text and "reopening" in text
    rows = station.wait_for(lambda r: _final(r, 2))
    assert [(r["item_id"], r["status"]) for r in rows] == [(long, "interrupted"), (next_one, "missed")]
    assert "lost" in rows[0]["reason"] and 0.5 < rows[0]["seconds_played"] <= 2.2
    assert "unavailable" in rows[1]["reason"]
    live_server.start()
    assert station.proc.poll() is None  # the daemon lives
    again = datetime.now(VN).replace(microsecond=0) + timedelta(seconds=5)
    station.cli("queue", "add", later, "--at", again.strftime("%H:%M:%S"))
    rows = station.wait_for(lambda r: _final(r, 3))
    assert (rows[-1]["item_id"], rows[-1]["status"]) == (later, "completed")
    assert json.loads(station.cli("status", "--json").stdout)["device"]["state"] == "ok"
    assert station.stop() == 0


def test_sigterm_fades_out_logs_interrupted_and_exits_0(station):
    long = station.item(8.0, 61)
    station.start()
    start = station.slot_in(4)
    station.radio("queue", "add", long, "--slot", "Sáng")
    station.wait_for(lambda r: len(r) == 1, timeout=20)
    # SIGHUP re-reads radio.toml without stopping the air
    (station.radio.home / "radio.toml").write_text(
        '[playout]\ndevice = "pulse"\nsample_rate = 48000\nchannels = 1\nfade_out_s = 1.0\n', encoding="utf-8"
    )
    station.proc.send_signal(signal.SIGHUP)
    time.sleep(max(0.0, start.timestamp() + 1.5 - time.time()))
    assert station.proc.poll() is None
    assert station.stop(signal.SIGTERM) == 0
    assert "re-read" in (station.tmp / "daemon.log").read_text()
    (row,) = station.log_rows()
    assert row["status"] == "interrupted" and row["ended_at"]
    assert 1.0 < row["seconds_played"] < 4.0
    assert not json.loads(station.cli("status", "--json").stdout)["daemon"]["running"]


def test_an_item_queued_into_a_session_after_its_timer_fired_still_airs(station):
    """A session made within its lead (6 s: the transmitter's preroll + 1) comes due at once,
    empty; the operator then queues into it, a second before its instant: it airs, from its
    beginning, with its row (it used to be dealt with as empty: never aired, no row at all)."""
    bulletin = station.item(1.5, 71)
    station.start()
    start = station.slot_in(5)
    log = station.tmp / "daemon.log"
    deadline = time.monotonic() + 5
    while "nothing to air in Sáng" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "nothing to air in Sáng" in log.read_text()
    assert station.radio("queue", "add", bulletin, "--slot", "Sáng").exit_code == 0
    (row,) = station.wait_for(lambda r: _final(r, 1))
    assert (row["item_id"], row["status"], row["slot"]) == (bulletin, "completed", "Sáng"), row
    assert abs(row["seconds_played"] - 1.5) < 0.01
    assert datetime.fromisoformat(row["started_at"]) >= start - timedelta(seconds=0.05)
    assert station.stop() == 0
    assert log.read_text().count("nothing to air in Sáng") == 1
