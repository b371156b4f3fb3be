"""A damaged station database (cut short by a power cut, or garbage over its header): every
command says so in one line naming the newest backup; `radio backup restore` puts it back;
the daemon's daily backup keeps N consistent copies, even while a writer writes (issue 9 §4)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from radio.storage.backup import daily_backup, integrity_problem, list_backups, take_backup

COMMANDS = [("status",), ("library", "list"), ("log",), ("daemon",)]


def cut_in_half(db: Path) -> None:
    with db.open("r+b") as f:
        f.truncate(db.stat().st_size // 2)


def garbage_header(db: Path) -> None:
    with db.open("r+b") as f:
        f.write(bytes(range(37, 137)))  # 100 bytes that are no SQLite header


@pytest.fixture
def station(radio, tone, radio_bin, subprocess_env):
    """Two items in the library and a backup taken by `radio backup now` (a real process)."""
    ids = [radio.add(tone(seconds=1, freq=f))["id"] for f in (300, 500)]
    done = subprocess.run([radio_bin, "--home", str(radio.home), "backup", "now"], capture_output=True, text=True,
                          env=subprocess_env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (backup,) = list_backups(radio.home / "backups")
    assert done.stdout.startswith(f"backup written: {backup.path}")
    return ids, backup


def run(radio_bin, home, *args, env):
    return subprocess.run([radio_bin, "--home", str(home), *args], capture_output=True, text=True, timeout=60,
                          env=env)  # fmt: skip


@pytest.mark.parametrize("damage", [cut_in_half, garbage_header], ids=["cut-in-half", "garbage-header"])
def test_every_command_says_damaged_and_names_the_backup_then_restore(radio, station, radio_bin, subprocess_env,
                                                                      damage):  # fmt: skip
    ids, backup = station
    db = radio.home / "radio.db"
    damage(db)
    for command in COMMANDS:
        result = run(radio_bin, radio.home, *command, env=subprocess_env)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, (command, result.stderr)
        assert lines[0].startswith(f"radio: error: the station database {db} is damaged")
        assert str(backup.path) in lines[0] and "radio backup restore" in lines[0]
    restored = run(radio_bin, radio.home, "backup", "restore", env=subprocess_env)
    assert restored.returncode == 0, restored.stderr
    (aside,) = radio.home.glob("radio.db.damaged-*")  # kept, never deleted
    assert f"from {backup.path}" in restored.stdout and str(aside) in restored.stdout
    assert [i["id"] for i in radio.json("library", "list")] == ids  # the data is back
    assert integrity_problem(db) is None
    assert run(radio_bin, radio.home, "status", env=subprocess_env).returncode == 0


def test_in_vietnamese(radio, station, radio_bin, subprocess_env):
    garbage_header(radio.home / "radio.db")
    result = run(radio_bin, radio.home, "status", env={**subprocess_env, "LANG": "vi_VN.UTF-8"})
    assert result.returncode == 1 and "bị hỏng" in result.stderr and "radio backup restore" in result.stderr


def test_damage_inside_the_file_is_caught_when_read(radio, station, radio_bin, subprocess_env):
    """Pages garbled in the middle (the header whole): SQLite finds it when it reads them."""
    db = radio.home / "radio.db"
    page = 4096
    with db.open("r+b") as f:
        for n in range(1, db.stat().st_size // page):
            f.seek(n * page)
            f.write(b"\xa5" * page)
    result = run(radio_bin, radio.home, "library", "list", env=subprocess_env)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "is damaged" in result.stderr and str(station[1].path) in result.stderr


def test_without_a_backup_it_says_there_is_none(radio, radio_bin, subprocess_env):
    cut_in_half(radio.home / "radio.db")
    result = run(radio_bin, radio.home, "log", env=subprocess_env)
    assert result.returncode == 1
    assert "is damaged" in result.stderr and f"there is no backup in {radio.home / 'backups'}" in result.stderr
    refused = run(radio_bin, radio.home, "backup", "restore", env=subprocess_env)
    assert refused.returncode == 1 and "there is no backup" in refused.stderr


def test_restore_a_chosen_backup_and_refuse_while_the_daemon_runs(radio, station, tone):
    from radio.scheduler.daemon import StationLock

    ids, first = station
    radio.add(tone(seconds=1, freq=700))
    assert radio("backup", "now").exit_code == 0
    assert [b["file"] for b in radio.json("backup", "list")][1] == first.path.name
    lock = StationLock(radio.home)
    lock.acquire()
    try:
        busy = radio("backup", "restore", first.path.name)
        assert busy.exit_code == 1 and "stop it first" in busy.stderr
    finally:
        lock.release()
    assert radio("backup", "restore", first.path.name).exit_code == 0
    assert [i["id"] for i in radio.json("library", "list")] == ids  # the older state
    assert list(radio.home.glob("radio.db.replaced-*"))  # the healthy file replaced is kept too
    missing = radio("backup", "restore", "radio-daily-19990101T000000Z.db")
    assert missing.exit_code == 1 and "radio backup list" in missing.stderr


def test_daily_backup_keeps_n_and_each_copy_is_whole(radio):
    db, backups = radio.home / "radio.db", radio.home / "backups"
    start = datetime(2026, 11, 1, 20, 0, tzinfo=timezone.utc)
    take_backup(db, backups, "0004", now=start - timedelta(days=1))  # before a schema upgrade: never pruned
    for day in range(6):
        made, removed = daily_backup(db, backups, keep=3, now=start + timedelta(days=day))
        assert integrity_problem(made.path) is None
        assert not Path(f"{made.path}-wal").exists()  # a self-contained file
    kept = list_backups(backups)
    assert [b.label for b in kept] == ["daily"] * 3 + ["0004"]
    assert [b.taken_at.day for b in kept[:3]] == [6, 5, 4]
    assert all(integrity_problem(b.path) is None for b in kept)
    assert not list(backups.glob(".*.part*"))


WRITER = """
import sqlite3, sys, pathlib
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=15)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
con.execute("CREATE TABLE IF NOT EXISTS pairs (n INTEGER, half INTEGER)")
stop = pathlib.Path(sys.argv[2]); n = 0
while not stop.exists():
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO pairs VALUES (?, 1)", (n,))
    con.execute("INSERT INTO pairs VALUES (?, 2)", (n,))
    con.execute("COMMIT")
    n += 1
print(n)
"""


def test_a_backup_taken_while_a_writer_writes_is_consistent(radio, tmp_path):
    db, backups = radio.home / "radio.db", radio.home / "backups"
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        counts = []
        for n in range(5):
            made = take_backup(db, backups, "manual", now=datetime.now(timezone.utc) + timedelta(seconds=n))
            assert integrity_problem(made.path) is None
            con = sqlite3.connect(made.path)
            halves = dict(con.execute("SELECT half, count(*) FROM pairs GROUP BY half").fetchall())
            con.close()
            assert halves[1] == halves[2]  # never half a transaction
            counts.append(halves[1])
            time.sleep(0.2)
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=30)[0])
    assert counts == sorted(counts) and counts[0] > 0 and counts[-1] <= written


@pytest.mark.slow
def test_the_daemon_backs_up_at_start_when_the_newest_is_old(radio, radio_bin, tmp_path, live_server):
    from tests.test_daemon import Station

    (radio.home / "backups").mkdir()
    old = datetime.now(timezone.utc) - timedelta(days=2)
    take_backup(radio.home / "radio.db", radio.home / "backups", "daily", now=old)
    station = Station(radio, radio_bin, tmp_path)
    with (radio.home / "radio.toml").open("a", encoding="utf-8") as toml:
        toml.write('[backup]\nkeep = 1\nat = "03:00"\n')
    station.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "backup written" not in (tmp_path / "daemon.log").read_text():
            time.sleep(0.2)
        (newest,) = list_backups(radio.home / "backups")  # keep = 1: the two-day-old one is gone
        assert datetime.now(timezone.utc) - newest.taken_at < timedelta(minutes=1)
        assert integrity_problem(newest.path) is None
        assert "1 older removed" in (tmp_path / "daemon.log").read_text()
    finally:
        assert station.stop(signal.SIGTERM) == 0
