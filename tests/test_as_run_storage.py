"""The as-run log is append-only and durable: the database itself refuses to lose rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy.exc
from sqlalchemy import text

from radio.app import open_app
from radio.domain.asrun import AsRunStatus


@pytest.fixture
def app(radio, tone):
    radio.add(tone(seconds=1.0))
    app = open_app(radio.home)
    yield app
    app.close()


def test_a_row_is_written_at_start_and_completed_once(app):
    item = app.library.get(1)
    t0 = datetime(2026, 11, 23, 22, 0, 0, 123000, tzinfo=timezone.utc)
    entry = app.as_run.record(
        item, status=AsRunStatus.PLAYING, occurrence_start=t0, scheduled_at=t0, started_at=t0, slot_name="Sáng"
    )
    app.as_run.finish(entry.id, AsRunStatus.COMPLETED, t0 + timedelta(seconds=1.5), 1.5)
    app.as_run.finish(entry.id, AsRunStatus.INTERRUPTED, t0 + timedelta(seconds=9), 9.0)  # ignored: final
    (row,) = app.as_run.between(t0 - timedelta(hours=1), t0 + timedelta(hours=1))
    assert row.status is AsRunStatus.COMPLETED
    assert row.seconds_played == 1.5
    assert row.started_at == t0  # milliseconds kept
    assert row.title == item.title and row.approved_by == item.approved_by


def test_rows_cannot_be_deleted_or_rewritten(app):
    item = app.library.get(1)
    t0 = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)
    app.as_run.record(item, status=AsRunStatus.MISSED, occurrence_start=t0, scheduled_at=t0, reason="x")
    with app.engine.begin() as con, pytest.raises(sqlalchemy.exc.DatabaseError, match="never deleted"):
        con.execute(text("DELETE FROM as_run"))
    with app.engine.begin() as con, pytest.raises(sqlalchemy.exc.DatabaseError, match="final"):
        con.execute(text("UPDATE as_run SET seconds_played = 99"))
    with app.engine.begin() as con, pytest.raises(sqlalchemy.exc.IntegrityError):
        con.execute(text("DELETE FROM items"))  # referenced by the log: kept


def test_rows_left_playing_by_a_crash_become_interrupted(app):
    item = app.library.get(1)
    t0 = datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc)
    app.as_run.record(item, status=AsRunStatus.PLAYING, occurrence_start=t0, scheduled_at=t0, started_at=t0)
    (closed,) = app.as_run.close_orphans("daemon stopped unexpectedly")
    assert closed.status is AsRunStatus.INTERRUPTED
    assert app.as_run.close_orphans("again") == []
