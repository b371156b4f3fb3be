"""The station home's filesystem full — a real one: a small tmpfs mounted as the home and
filled to the last byte. Commands fail with one line saying where the disk is full; the
database stays whole and nothing is left half-imported; the daemon keeps airing and
keeps its as-run log (issue 9 §4)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Radio, make_tone

BALLAST = "ballast.bin"


@pytest.fixture
def small_fs(tmp_path):
    """A factory: small_fs(size_mb, name, options) -> the mount point of a fresh tmpfs."""
    mounts: list[Path] = []

    def mount(size_mb: int, name: str = "fs", options: str = "") -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small filesystem needs root")
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m{options}", "tmpfs", str(point)],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounts.append(point)
        return point

    yield mount
    for point in reversed(mounts):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path: Path, leave: int = 0) -> Path:
    """Fill the filesystem holding *path* until *leave* bytes are free (0: not one byte)."""
    ballast = path / BALLAST
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9):
            while free(path) - leave >= chunk:
                try:
                    os.write(fd, b"\0" * chunk)
                except OSError:
                    break
        if leave == 0:
            try:
                while True:
                    os.write(fd, b"\0" * 512)
            except OSError:
                pass
    finally:
        os.close(fd)
    return ballast


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def store_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in (home / "media").rglob("*") if p.is_file())


def run(radio_bin: str, home: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([radio_bin, "--home", str(home), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture
def home_on_tmpfs(small_fs, tmp_path):
    """An initialized station whose home is a 64 MB tmpfs, with one item in the library."""
    mount = small_fs(64, "homefs")
    radio = Radio(mount / "home")
    assert radio("init").exit_code == 0
    radio.add(make_tone(tmp_path / "src" / "first.wav", seconds=2))
    return radio


@pytest.mark.parametrize("leave", [0, 600 * 1024], ids=["not-a-byte", "not-enough-for-the-file"])
def test_library_add_on_a_full_disk_says_so_in_one_line_and_leaves_nothing(home_on_tmpfs, tmp_path, radio_bin,
                                                                           subprocess_env, leave):  # fmt: skip
    home = home_on_tmpfs.home
    big = make_tone(tmp_path / "src" / "big.wav", seconds=20, rate=48000)  # 1.9 MB
    before_files, before_items = store_files(home), count(home / "radio.db", "items")
    ballast = fill(home.parent, leave)
    result = run(radio_bin, home, "library", "add", big, "--topic", "chinh-sach", env=subprocess_env)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("radio: error:") and "no space left on the disk holding" in line
    assert str(home) in line
    if leave:  # the file was being received into the store when the disk filled
        assert f"cannot import {big}" in line
    ballast.unlink()
    assert integrity(home / "radio.db") == "ok"
    assert count(home / "radio.db", "items") == before_items
    assert store_files(home) == before_files  # no half-received file in media/.incoming
    assert home_on_tmpfs("library", "add", str(big), "--topic", "chinh-sach").exit_code == 0  # room again: fine


def test_a_failed_database_write_leaves_no_media_file_behind(radio, tone, monkeypatch):
    """The media file is kept under its address just before the item is recorded: if the
    record fails (the disk filled in between), the file goes too."""
    from radio.errors import DiskFullError
    from radio.storage.library_repo import LibraryRepository

    before = store_files(radio.home)

    def full(self, item):
        raise DiskFullError("radio: the disk is full", str(radio.home))

    monkeypatch.setattr(LibraryRepository, "add", full)
    result = radio("library", "add", str(tone(seconds=1)), "--topic", "chinh-sach")
    assert result.exit_code == 1 and "the disk is full" in result.stderr
    assert store_files(radio.home) == before


def test_export_usb_with_the_home_full_fails_in_one_line(home_on_tmpfs, tmp_path, radio_bin, subprocess_env):
    radio, home = home_on_tmpfs, home_on_tmpfs.home
    radio.add(make_tone(tmp_path / "src" / "long.wav", seconds=40))  # ~640 KB once encoded
    assert radio("hamlet", "add", "A1", "--name", "Thôn A").exit_code == 0
    dest = tmp_path / "stick"
    dest.mkdir()
    ballast = fill(home.parent, leave=200 * 1024)  # room for SQLite, not for the transcodes
    result = run(radio_bin, home, "export-usb", dest, "--hamlet", "A1", env=subprocess_env)
    assert result.returncode == 1
    line = one_line(result)
    assert "no space left on the disk holding" in line and str(home / "cache" / "usb") in line
    assert "transcode" in line
    assert not list((home / "cache").rglob("*.part"))  # no half-encoded file in the cache
    assert list(dest.iterdir()) == []
    ballast.unlink()
    assert integrity(home / "radio.db") == "ok" and count(home / "radio.db", "usb_packages") == 0


def test_export_usb_to_a_full_stick(radio, tone, fat32, radio_bin, subprocess_env):
    radio.add(tone(seconds=2))
    radio("hamlet", "add", "A1", "--name", "Thôn A")
    fs = fat32(40)
    fill(fs.mount)  # not one cluster left
    result = run(radio_bin, radio.home, "export-usb", fs.mount, "--hamlet", "A1", env=subprocess_env)
    assert result.returncode == 1
    line = one_line(result)
    assert f"not enough space on {fs.mount}" in line and "nothing was written" in line
    assert integrity(radio.home / "radio.db") == "ok"


def test_export_usb_to_a_stick_that_fills_while_writing(radio, tone, small_fs, radio_bin, subprocess_env):
    """The space check passes (bytes are free) but the stick cannot take another file (no
    inode left): ENOSPC in the middle of the package becomes one line too."""
    for n in range(3):
        radio.add(tone(seconds=1, freq=300 + 100 * n))
    radio("hamlet", "add", "A1", "--name", "Thôn A")
    stick = small_fs(32, "inodes", ",nr_inodes=6")
    result = run(radio_bin, radio.home, "export-usb", stick, "--hamlet", "A1", env=subprocess_env)
    assert result.returncode == 1
    line = one_line(result)
    assert "the package for A1 is incomplete" in line and f"no space left on the disk holding {stick}" in line
    assert not (stick / "BANTIN" / "manifest.json").exists()  # never looks complete
    assert radio.json("usb", "packages") == []
    assert integrity(radio.home / "radio.db") == "ok"


# ---- the daemon on a full disk: a real process on the real sound server

@pytest.fixture
def station_on_tmpfs(small_fs, tmp_path, radio_bin, live_server):
    from tests.test_daemon import Station

    mount = small_fs(64, "homefs")
    radio = Radio(mount / "home")
    assert radio("init").exit_code == 0
    station = Station(radio, radio_bin, tmp_path)
    yield station
    if station.proc is not None and station.proc.poll() is None:
        station.stop(signal.SIGKILL)


def _final(rows: list[dict], n: int) -> bool:
    return len(rows) >= n and all(r["status"] != "playing" for r in rows)


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
@pytest.mark.slow
def test_daemon_keeps_airing_and_logging_when_the_disk_fills(station_on_tmpfs, live_server):
    from tests.soundserver import Monitor

    station = station_on_tmpfs
    home = station.radio.home
    a, b = station.item(2.0, 71), station.item(1.5, 72)
    with Monitor(live_server) as monitor:
        station.start()
        start = station.slot_in(10)  # time to fill the disk on a loaded machine
        assert station.radio("queue", "add", a, b, "--slot", "Sáng").exit_code == 0
        reserve = home / "space-reserve"
        deadline = time.monotonic() + 5
        while not reserve.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reserve.stat().st_size == 16 * 1024 * 1024  # held from the start
        ballast = fill(home.parent)
        assert free(home.parent) < 4096
        rows = station.wait_for(lambda r: _final(r, 2))  # `radio log` reads while the disk is full
        time.sleep(0.3)
        at_a, at_b = station.position(monitor, a), station.position(monitor, b)
    assert [(r["item_id"], r["status"]) for r in rows] == [(a, "completed"), (b, "completed")]
    # aired as logged, gapless
    assert abs(at_a - datetime.fromisoformat(rows[0]["started_at"]).timestamp()) < 0.05
    assert abs(at_b - at_a - 2.0) < 0.01
    log = (station.tmp / "daemon.log").read_text()
    assert "released the 16.0 MB disk-space reserve" in log
    assert not reserve.exists()
    # the reserve's room is the operator's too: filled again, an import fails in one line
    more = fill(home / "media")
    new = make_tone(station.tmp / "new.wav", seconds=3)
    added = station.cli("library", "add", str(new), "--topic", "chinh-sach")
    assert added.returncode == 1 and "no space left" in one_line(added)
    # space freed: the daemon takes its reserve back at its next check
    ballast.unlink()
    more.unlink()
    deadline = time.monotonic() + 15
    while not reserve.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reserve.exists() and "reserve" in (station.tmp / "daemon.log").read_text().splitlines()[-1]
    assert station.stop() == 0
    assert integrity(home / "radio.db") == "ok"
    assert count(home / "radio.db", "as_run") == 2


def _without_reserve(station) -> Path:
    """The station's home, its daemon configured to hold no disk-space reserve."""
    home = station.radio.home
    with (home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write("[schedule]\nreserve_mb = 0\n")
    return home


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
@pytest.mark.slow
def test_without_a_reserve_as_run_rows_wait_in_memory_until_there_is_room(station_on_tmpfs, live_server):
    station = station_on_tmpfs
    home = _without_reserve(station)
    a = station.item(1.5, 81)
    station.start()
    start = station.slot_in(8)
    assert station.radio("queue", "add", a, "--slot", "Sáng").exit_code == 0
    ballast = fill(home.parent)
    time.sleep(max(0.0, start.timestamp() + 3.0 - time.time()))
    log = (station.tmp / "daemon.log").read_text()
    assert "kept in memory" in log, log
    assert station.log_rows() == []  # SQLite refused the row (SQLITE_FULL)...
    ballast.unlink()  # ...the operator frees space: the rows are written at the next retry
    rows = station.wait_for(lambda r: _final(r, 1), timeout=20)
    assert [(r["item_id"], r["status"]) for r in rows] == [(a, "completed")]
    assert abs(datetime.fromisoformat(rows[0]["started_at"]).timestamp() - start.timestamp()) < 0.05
    assert 1.4 < rows[0]["seconds_played"] < 1.6
    assert station.stop() == 0
    assert "as-run log is written to disk again" in (station.tmp / "daemon.log").read_text()
    assert integrity(home / "radio.db") == "ok"


def test_a_restart_on_a_full_disk_still_knows_what_the_crash_cut_and_closes_it_once_there_is_room(home_on_tmpfs):
    """After a crash on a full disk (its reserve already spent), the start-up's closing of the
    rows left playing cannot be written: the start must not fail on it (systemd would restart
    the daemon for ever, airing nothing). The cut rows are still known — to rejoin their show —
    and closed as soon as the disk has room."""
    from radio.app import open_app
    from radio.domain.asrun import AsRunStatus, item_record
    from radio.scheduler.safeguards import GuardedAsRun, SpaceReserve

    home = home_on_tmpfs.home
    app = open_app(home)
    try:
        (item,) = app.library.list()
        at = datetime.now().astimezone() - timedelta(seconds=8)
        cut = app.as_run.append(item_record(item, status=AsRunStatus.PLAYING, occurrence_start=at,
                                            scheduled_at=at, started_at=at))  # fmt: skip
        guard = GuardedAsRun(app.as_run, SpaceReserve(home, 0))  # no reserve left to release
        ballast = fill(home.parent)
        assert free(home.parent) < 4096
        rows = guard.close_orphans("the daemon stopped while this was on air")
        assert [r.id for r in rows] == [cut.id]  # known, so the show is rejoined
        assert count_status(home, "playing") == 1  # not written yet: the disk is full
        ballast.unlink()
        guard.retry()
        assert count_status(home, "playing") == 0
        (row,) = app.as_run.between(at - timedelta(hours=1), at + timedelta(hours=1))
        assert (row.id, row.status, row.reason, row.ended_at) == (
            cut.id, AsRunStatus.INTERRUPTED, "the daemon stopped while this was on air", None)
    finally:
        app.close()


@pytest.mark.xdist_group("realtime")  # real-time playout on the recorded sound server
@pytest.mark.slow
def test_a_daemon_killed_on_a_full_disk_starts_again_and_rejoins_what_it_cut(station_on_tmpfs, live_server):
    """The whole path of the test above with a real daemon: killed (-9) in the middle of an
    item, the disk then full to the last byte and no reserve left, the daemon starts again —
    no traceback, no exit, so systemd does not restart it for ever — rejoins the rest of the
    item at its offset, and once the operator frees space both rows are written: the cut one
    closed as the crash left it, the rest completed. None lost, none doubled."""
    station = station_on_tmpfs
    home = _without_reserve(station)
    a = station.item(14.0, 91)
    station.start()
    start = station.slot_in(6)
    assert station.radio("queue", "add", a, "--slot", "Sáng").exit_code == 0
    station.wait_for(lambda r: [x["status"] for x in r] == ["playing"], timeout=30)
    time.sleep(2.0)
    station.stop(signal.SIGKILL)
    ballast = fill(home.parent)
    assert free(home.parent) < 4096
    station.start()  # answers `radio status`: up, on a full disk
    time.sleep(3.0)
    assert station.proc.poll() is None, (station.tmp / "daemon.log").read_text()
    ballast.unlink()  # the operator frees space: what waited in memory is written
    rows = station.wait_for(lambda r: _final(r, 2), timeout=40)
    assert station.stop() == 0
    log = (station.tmp / "daemon.log").read_text()
    assert "Traceback" not in log, log
    assert [(r["item_id"], r["status"]) for r in rows] == [(a, "interrupted"), (a, "completed")], rows
    cut, rest = rows
    assert cut["reason"] == "the daemon stopped while this was on air"
    assert abs(datetime.fromisoformat(cut["started_at"]).timestamp() - start.timestamp()) < 0.05
    rejoined_at = datetime.fromisoformat(rest["started_at"]).timestamp() - start.timestamp()
    assert abs(rejoined_at + rest["seconds_played"] - 14.0) < 0.1, rest  # the rest, on the item's timeline
    assert 2.0 < rejoined_at < 14.0
    assert integrity(home / "radio.db") == "ok" and count(home / "radio.db", "as_run") == 2


def count_status(home: Path, status: str) -> int:
    with sqlite3.connect(home / "radio.db") as db:
        return db.execute("SELECT count(*) FROM as_run WHERE status = ?", (status,)).fetchone()[0]
