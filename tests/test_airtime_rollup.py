"""The daily airtime rollup (as_run_daily, kept by triggers) gives the airtime report the
same figures as the as-run rows themselves, on a hub's PostgreSQL and on SQLite: random rows
near day boundaries, sent twice (stored once), station rows completed after they started,
and the migration's backfill of rows from before it."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from radio.app import open_app
from radio.domain import reports as rules
from radio.domain.asrun import AsRunRecord, AsRunStatus
from radio.domain.network import token_hash
from radio.reports.airtime import airtime, group_record
from radio.storage import migrate
from radio.storage.db import create_sqlite_engine
from tests.networktools import Hub, env_for

pytest_plugins = ["tests.pgserver"]

TOPICS = ("chinh-sach", "nong-nghiep", "y-te", "thong-bao")
STATUSES = ("completed", "interrupted", "failed", "skipped", "missed")
BYS = (("station",), ("topic",), ("station", "topic"), ("day",), ("station", "day", "topic", "language"),
       ("commune",), ("commune", "topic"), ("language", "topic"), ("slot",), ("source",), ("station", "item"))  # fmt: skip


def _moment(rng: random.Random) -> datetime:
    """Around the local midnights of late November to early January (+07:00 = 17:00 UTC)."""
    day = datetime(2026, 11, 28, 17, tzinfo=timezone.utc) + timedelta(days=rng.randrange(40))
    return day + timedelta(seconds=rng.choice((-1, 0, 1, rng.randrange(-43200, 43200))), microseconds=rng.randrange(3) * 500)


def _wire_row(rng: random.Random, seq: int) -> dict:
    status = rng.choice(STATUSES)
    at = _moment(rng)
    started = None if status in ("skipped", "missed") else at
    played = 0.0 if started is None else round(rng.uniform(0, 900), 3)
    return {"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "seq": seq, "item_sha256": None,
            "title": f"Tin {rng.randrange(9)}", "topic": rng.choice(TOPICS), "language": rng.choice(("vi", "vi", "hmn")),
            "occurrence_start": at.isoformat(), "scheduled_at": at.isoformat(),
            "started_at": started and started.isoformat(),
            "ended_at": started and (started + timedelta(seconds=played)).isoformat(),
            "seconds_played": played, "status": status, "slot_name": rng.choice((None, "Sáng", "Chiều")),
            "source": rng.choice((None, "VOV"))}  # fmt: skip


def _fill(app, rng: random.Random) -> None:
    """Rows from three stations (each batch sent twice, as after a lost acknowledgement) and the
    home's own rows, half started as 'playing' and completed later."""
    for code in ("XA", "XB", "XC"):
        app.stations.add(code, f"Trạm {code}", token_hash(f"token-{code}"), None if code == "XC" else "Xã Đông")
        rows = [_wire_row(rng, seq) for seq in range(1, 301)]
        for start in range(0, 300, 100):
            app.stations.ingest(code, rows[start:start + 100])
            app.stations.ingest(code, rows[start:start + 120])  # again, and some ahead of their turn
    for _ in range(60):
        at = _moment(rng)
        record = AsRunRecord(title="Tại chỗ", topic=rng.choice(TOPICS), language="vi", occurrence_start=at,
                             scheduled_at=at, status=AsRunStatus.PLAYING, started_at=at)  # fmt: skip
        entry = app.as_run.append(record)
        if rng.random() < 0.7:
            app.as_run.finish(entry.id, AsRunStatus.COMPLETED, at + timedelta(seconds=60), rng.uniform(1, 600))


def _records(report, taxonomy) -> list[dict]:
    out = []
    for g in report.groups:
        record = group_record(report, g, taxonomy)
        out.append({k: round(v, 6) if isinstance(v, float) else v for k, v in record.items()})
    return out


def _same_from_rollup_and_rows(app) -> None:
    zone = app.settings.zone
    periods = [rules.month(2026, 12, zone), rules.date_range(date(2026, 11, 29), date(2026, 12, 2), zone),
               rules.date_range(date(2026, 12, 31), date(2027, 1, 3), zone), rules.year(2026, zone)]  # fmt: skip
    used = 0
    for period in periods:
        for by in BYS:
            used += rules.rollup_serves(period, by)
            fast = airtime(app.engine, period, by)
            slow = airtime(app.engine, period, by, use_rollup=False)
            assert slow.groups, (period, by)
            assert _records(fast, app.taxonomy) == _records(slow, app.taxonomy), (period.label, by)
            assert (fast.total.airings, round(fast.total.seconds, 6)) == (slow.total.airings, round(slow.total.seconds, 6))
    assert used == 4 * 8  # the first eight groupings, in Vietnam's zone, were read from the rollup
    # by commune: the two sites of Xã Đông together, the one not given a commune and the hub's own apart
    month = rules.month(2026, 12, zone)
    by_station = {g.key[0]: g.tally.seconds for g in airtime(app.engine, month, ("station",)).groups}
    by_commune = {g.key[0]: g.tally.seconds for g in airtime(app.engine, month, ("commune",)).groups}
    assert set(by_commune) == {"Xã Đông", None}
    assert by_commune["Xã Đông"] == pytest.approx(by_station["XA"] + by_station["XB"])
    assert by_commune[None] == pytest.approx(by_station["XC"] + by_station[None])


def test_the_rollup_gives_the_rows_figures_on_postgresql(tmp_path, radio_bin, pg_database):
    hub = Hub(radio_bin, tmp_path / "hub", env_for(tmp_path), pg_database)
    app = open_app(hub.home)
    try:
        _fill(app, random.Random(20))
        _same_from_rollup_and_rows(app)
        with app.engine.connect() as con:  # a row sent twice counted once: 900 station rows, not 1,260
            assert con.scalar(text("SELECT SUM(airings) FROM as_run_daily WHERE station <> ''")) == 900
    finally:
        app.close()
    # and the whole command, as a province runs it
    done = subprocess.run([radio_bin, "--home", str(hub.home), "report", "airtime", "--month", "2026-12", "--by",
                           "station", "--format", "json"], capture_output=True, text=True, env=env_for(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = json.loads(done.stdout)
    stations = {line["station"] for line in (lines["groups"] if isinstance(lines, dict) else lines)}
    assert {"XA", "XB", "XC", None} <= stations


def test_the_rollup_gives_the_rows_figures_on_sqlite(tmp_path, radio_bin):
    hub = Hub(radio_bin, tmp_path / "hub", env_for(tmp_path), None)
    app = open_app(hub.home)
    try:
        _fill(app, random.Random(11))
        _same_from_rollup_and_rows(app)
    finally:
        app.close()


def test_a_zone_other_than_vietnams_reads_the_rows(tmp_path):
    period = rules.month(2026, 12, timezone(timedelta(hours=8)))
    assert not rules.rollup_serves(period, ("station",))
    assert rules.rollup_serves(rules.month(2026, 12, timezone(timedelta(hours=7))), ("station", "topic"))
    assert not rules.rollup_serves(rules.month(2026, 12, timezone(timedelta(hours=7))), ("station", "slot"))


def test_the_migration_sums_the_rows_already_there(tmp_path):
    db = tmp_path / "radio.db"
    engine = create_sqlite_engine(db)
    migrate.upgrade(engine, db, tmp_path / "backups", to="0011")
    con = sqlite3.connect(db)
    con.executemany(
        "INSERT INTO as_run (title, topic, language, occurrence_start, scheduled_at, started_at, seconds_played,"
        " status, station) VALUES ('T', ?, 'vi', ?, ?, ?, ?, 'completed', ?)",
        [("y-te", "2026-12-01 16:59:59.000000", "2026-12-01 16:59:59.000000", "2026-12-01 16:59:59.000000", 10.0, "A"),
         ("y-te", "2026-12-01 17:00:00.000000", "2026-12-01 17:00:00.000000", "2026-12-01 17:00:00.000000", 20.0, "A"),
         ("y-te", "2026-12-01 18:00:00.000000", "2026-12-01 18:00:00.000000", None, 5.0, None)])  # fmt: skip
    con.commit()
    con.close()
    migrate.upgrade(engine, db, tmp_path / "backups")
    engine.dispose()
    con = sqlite3.connect(db)
    assert con.execute("SELECT station, day, airings, seconds FROM as_run_daily ORDER BY station, day").fetchall() == [
        ("", "2026-12-02", 1, 5.0), ("A", "2026-12-01", 1, 10.0), ("A", "2026-12-02", 1, 20.0)]  # fmt: skip
    con.close()
