"""A station's side of its link to a hub in the database: the hub's sessions it holds and
what became of them, and the outbox of finished as-run rows waiting for the hub."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.network import EntryState, HeldEntry
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import AsRunRow, HubEntryRow, ItemRow, OutboxRow


class LinkRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # the hub's sessions, as held here

    def held(self) -> dict[int, HeldEntry]:
        with self._sessions() as session:
            return {r.hub_entry_id: HeldEntry(r.hub_entry_id, r.item_sha256, _utc(r.at), EntryState(r.state))
                    for r in session.scalars(select(HubEntryRow))}  # fmt: skip

    def local_entry(self, hub_id: int) -> int | None:
        with self._sessions() as session:
            return session.scalar(select(HubEntryRow.local_entry_id).where(HubEntryRow.hub_entry_id == hub_id))

    def record(self, hub_id: int, sha256: str, at: datetime | None, state: EntryState,
               local_entry_id: int | None = None, note: str | None = None) -> None:  # fmt: skip
        with self._sessions.begin() as session:
            session.merge(HubEntryRow(hub_entry_id=hub_id, local_entry_id=local_entry_id, item_sha256=sha256,
                                      at=_naive_utc(at), state=str(state), note=note))  # fmt: skip

    # the outbox

    def enqueue_finished(self) -> int:
        """Put every finished as-run row not yet in the outbox into it, in row order (a
        row is sent once it is final: the hub never sees a row change)."""
        now = _naive_utc(datetime.now(timezone.utc))
        with self._sessions.begin() as session:
            last = session.scalar(select(func.max(OutboxRow.as_run_id))) or 0
            ids = session.scalars(
                select(AsRunRow.id).outerjoin(OutboxRow, OutboxRow.as_run_id == AsRunRow.id)
                .where(OutboxRow.seq.is_(None), AsRunRow.status != "playing",
                       AsRunRow.id >= max(0, last - 10_000))
                .order_by(AsRunRow.id)).all()  # fmt: skip
            session.add_all(OutboxRow(row_uuid=str(uuid.uuid4()), as_run_id=i, queued_at=now) for i in ids)
            return len(ids)

    def pending(self, limit: int = 500) -> list[dict]:
        """The oldest rows not acknowledged yet, as sent to the hub."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow, AsRunRow, ItemRow.sha256)
                .join(AsRunRow, AsRunRow.id == OutboxRow.as_run_id)
                .outerjoin(ItemRow, ItemRow.id == AsRunRow.item_id)
                .where(OutboxRow.acked_at.is_(None)).order_by(OutboxRow.seq).limit(limit)).all()  # fmt: skip
        return [_wire_row(o, a, sha) for o, a, sha in rows]

    def unacked(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.acked_at.is_(None)))

    def acknowledge(self, through_seq: int, now: datetime | None = None) -> None:
        """The hub holds every row up to *through_seq*; acked rows older than the keep time go."""
        now = now or datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            session.execute(update(OutboxRow).where(OutboxRow.seq <= through_seq, OutboxRow.acked_at.is_(None))
                            .values(acked_at=_naive_utc(now)))  # fmt: skip

    def reopen_after(self, seq: int) -> None:
        """Rows after *seq* count as unacknowledged again (the hub no longer holds them)."""
        with self._sessions.begin() as session:
            session.execute(update(OutboxRow).where(OutboxRow.seq > seq).values(acked_at=None))

    def renumber_unacked(self, first: int) -> None:
        """Number the rows not yet acknowledged from *first* on, in their order (their UUIDs
        stay): the hub holds another life's rows under the numbers they had."""
        with self._sessions.begin() as session:
            low = session.scalar(select(func.min(OutboxRow.seq)).where(OutboxRow.acked_at.is_(None)))
            if low is None or low >= first:
                return
            shift = first - low
            # through negative numbers: no two rows hold one number at any moment of the update
            session.execute(update(OutboxRow).where(OutboxRow.acked_at.is_(None)).values(seq=-(OutboxRow.seq + shift)))
            session.execute(update(OutboxRow).where(OutboxRow.seq < 0).values(seq=-OutboxRow.seq))

    def prune_acked(self, keep: timedelta, now: datetime | None = None) -> int:
        now = now or datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            newest = session.scalar(select(func.max(OutboxRow.seq)))
            # the newest row stays, acked or not: the next sequence numbers continue from it
            return session.execute(delete(OutboxRow).where(
                OutboxRow.acked_at < _naive_utc(now - keep), OutboxRow.seq != newest)).rowcount  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return _utc(value).isoformat() if value else None


def _wire_row(o: OutboxRow, a: AsRunRow, sha: str | None) -> dict:
    return {
        "uuid": o.row_uuid, "seq": o.seq, "item_sha256": sha, "title": a.title, "topic": a.topic,
        "language": a.language, "source": a.source, "approved_by": a.approved_by, "slot_name": a.slot_name,
        "occurrence_start": _iso(a.occurrence_start), "scheduled_at": _iso(a.scheduled_at),
        "started_at": _iso(a.started_at), "ended_at": _iso(a.ended_at), "seconds_played": a.seconds_played,
        "status": a.status, "reason": a.reason, "relay_source": a.relay_source, "emergency": bool(a.emergency),
    }  # fmt: skip
