"""The as-run log in the database: append-only, durable at every write.

Each write is its own committed transaction (synchronous=FULL, see db.py): a row exists on
disk from the moment an item starts, and its completion is on disk when the item ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.asrun import AsRunEntry, AsRunRecord, AsRunStatus, item_record, relay_record
from radio.domain.library import Item
from radio.domain.relay import Source
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import AsRunRow


def to_entry(row: AsRunRow) -> AsRunEntry:
    return AsRunEntry(
        id=row.id,
        item_id=row.item_id,
        title=row.title,
        topic=row.topic,
        language=row.language,
        source=row.source,
        approved_by=row.approved_by,
        slot_id=row.slot_id,
        slot_name=row.slot_name,
        occurrence_start=_utc(row.occurrence_start),
        scheduled_at=_utc(row.scheduled_at),
        started_at=_utc(row.started_at),
        ended_at=_utc(row.ended_at),
        seconds_played=row.seconds_played,
        status=AsRunStatus(row.status),
        reason=row.reason,
        relay_source=row.relay_source,
        station=row.station,
        emergency=bool(row.emergency),
    )


class AsRunRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, item: Item, **fields) -> AsRunEntry:
        """Append an item's row (see `domain.asrun.item_record`)."""
        return self.append(item_record(item, **fields))

    def record_relay(self, source: Source, **fields) -> AsRunEntry:
        """Append a relay segment's row (see `domain.asrun.relay_record`)."""
        return self.append(relay_record(source, **fields))

    def append(self, record: AsRunRecord) -> AsRunEntry:
        """Append one row, committed before this returns."""
        row = AsRunRow(
            item_id=record.item_id, title=record.title, topic=record.topic, language=record.language,
            source=record.source, approved_by=record.approved_by, slot_id=record.slot_id,
            slot_name=record.slot_name, occurrence_start=_naive_utc(record.occurrence_start),
            scheduled_at=_naive_utc(record.scheduled_at), started_at=_naive_utc(record.started_at),
            ended_at=_naive_utc(record.ended_at), seconds_played=round(record.seconds_played, 3),
            status=str(record.status), reason=record.reason, relay_source=record.relay_source,
            emergency=record.emergency,
        )  # fmt: skip
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return to_entry(row)

    def finish(
        self, entry_id: int, status: AsRunStatus, ended_at: datetime | None, seconds_played: float,
        reason: str | None = None,
    ) -> None:
        """Complete a 'playing' row, once (*ended_at* None: unknown, a crash cut it)."""
        with self._sessions.begin() as session:
            session.execute(
                update(AsRunRow)
                .where(AsRunRow.id == entry_id, AsRunRow.status == str(AsRunStatus.PLAYING))
                .values(
                    status=str(status),
                    ended_at=_naive_utc(ended_at),
                    seconds_played=round(seconds_played, 3),
                    reason=reason,
                )
            )

    def playing(self) -> list[AsRunEntry]:
        """Rows still 'playing' (after a crash: those it cut)."""
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(select(AsRunRow).where(
                AsRunRow.status == str(AsRunStatus.PLAYING)))]  # fmt: skip

    def close_orphans(self, reason: str, now: datetime | None = None) -> list[AsRunEntry]:
        """Rows left 'playing' by a crash or power cut become 'interrupted'.

        How long they really played is unknown: seconds_played stays what was last written
        (0) and ended_at stays empty; the reason says why.
        """
        with self._sessions.begin() as session:
            rows = list(session.scalars(select(AsRunRow).where(AsRunRow.status == str(AsRunStatus.PLAYING))))
            for row in rows:
                row.status = str(AsRunStatus.INTERRUPTED)
                row.reason = reason
            session.flush()
            return [to_entry(r) for r in rows]

    def between(self, start: datetime, end: datetime) -> list[AsRunEntry]:
        """Rows that aired (or were due, for skipped/missed ones) in [start, end), in time order."""
        moment = func.coalesce(AsRunRow.started_at, AsRunRow.scheduled_at)
        query = (
            select(AsRunRow)
            .where(moment >= _naive_utc(start), moment < _naive_utc(end))
            .order_by(moment, AsRunRow.id)
        )
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(query)]

    def page(self, start: datetime, end: datetime, topic: str | None = None, status: str | None = None,
             offset: int = 0, limit: int = 200, station: str | None = None) -> tuple[list[AsRunEntry], int, float]:  # fmt: skip
        """One page of `between`'s rows (optionally one topic or status), with the number of
        rows and the seconds played of all of them."""
        moment = func.coalesce(AsRunRow.started_at, AsRunRow.scheduled_at)
        where = [moment >= _naive_utc(start), moment < _naive_utc(end)]
        if topic:
            where.append(AsRunRow.topic == topic)
        if status:
            where.append(AsRunRow.status == status)
        if station:  # at a hub: one station's rows
            where.append(AsRunRow.station == station)
        query = select(AsRunRow).where(*where).order_by(moment, AsRunRow.id).offset(offset).limit(limit)
        with self._sessions() as session:
            count, seconds = session.execute(
                select(func.count(), func.coalesce(func.sum(AsRunRow.seconds_played), 0.0)).where(*where)
            ).one()
            return [to_entry(r) for r in session.scalars(query)], count, seconds

    def newest_moment(self, after_id: int = 0) -> datetime | None:
        """The latest instant the station's clock wrote into the log (a start or an end), in
        the rows after *after_id*: a clock before it is suspect (domain/clock.py)."""
        query = select(func.max(AsRunRow.started_at), func.max(AsRunRow.ended_at))
        if after_id:
            query = query.where(AsRunRow.id > after_id)
        with self._sessions() as session:
            started, ended = session.execute(query).one()
        moments = [_utc(m) for m in (started, ended) if m is not None]
        return max(moments, default=None)

    def last_id(self) -> int:
        """The newest row's id (0: an empty log)."""
        with self._sessions() as session:
            return session.scalar(select(func.max(AsRunRow.id))) or 0

    def for_occurrence(self, occurrence_start: datetime, slot_id: int | None) -> list[AsRunEntry]:
        query = (
            select(AsRunRow)
            .where(AsRunRow.occurrence_start == _naive_utc(occurrence_start), AsRunRow.slot_id == slot_id)
            .order_by(AsRunRow.id)
        )
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(query)]

