"""Slots and the queue in the database, as domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.library import Priority
from radio.domain.schedule import Slot, StartKind, StartRule, parse_time_of_day
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import QueueEntryRow, SlotRow


@dataclass(frozen=True)
class QueueEntry:
    id: int
    item_id: int
    slot_id: int | None
    occurrence_date: date | None
    at: datetime | None  # aware UTC for one-off broadcasts
    position: int
    priority: Priority | None  # override of the item's priority
    stations: str | None = None  # at a hub: the stations it is for ("*": all); None: aired here


def to_slot(row: SlotRow) -> Slot:
    return Slot(
        id=row.id,
        name=row.name,
        days=frozenset(int(d) for d in row.days.split(",") if d),
        start=parse_time_of_day(row.start_time),
        max_minutes=row.max_minutes,
        start_rule=StartRule(StartKind(row.start_kind), row.wait_s or 0),
        jingles=row.jingles,
        relay=row.relay_source,
        fallback=tuple(int(i) for i in (row.fallback_items or "").split(",") if i),
        created_at=_utc(row.created_at),
    )


def to_entry(row: QueueEntryRow) -> QueueEntry:
    return QueueEntry(
        id=row.id,
        item_id=row.item_id,
        slot_id=row.slot_id,
        occurrence_date=row.occurrence_date,
        at=_utc(row.at),
        position=row.position,
        priority=Priority(row.priority) if row.priority else None,
        stations=row.stations,
    )


class ScheduleRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # slots
    def add_slot(self, slot: Slot) -> Slot:
        row = SlotRow(
            name=slot.name,
            days=",".join(str(d) for d in sorted(slot.days)),
            start_time=slot.start.strftime("%H:%M:%S"),
            max_minutes=slot.max_minutes,
            start_kind=str(slot.start_rule.kind),
            wait_s=slot.start_rule.wait_s if slot.start_rule.kind is StartKind.WAIT else None,
            jingles=slot.jingles,
            created_at=_naive_utc(datetime.now(timezone.utc)),
            relay_source=slot.relay,
            fallback_items=",".join(str(i) for i in slot.fallback) or None,
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return to_slot(row)
        except IntegrityError:
            raise RadioError(_("a slot named '{name}' already exists").format(name=slot.name)) from None

    def save_slot(self, slot: Slot) -> Slot:
        with self._sessions.begin() as session:
            row = session.get(SlotRow, slot.id)
            row.name = slot.name
            row.days = ",".join(str(d) for d in sorted(slot.days))
            row.start_time = slot.start.strftime("%H:%M:%S")
            row.max_minutes = slot.max_minutes
            row.start_kind = str(slot.start_rule.kind)
            row.wait_s = slot.start_rule.wait_s if slot.start_rule.kind is StartKind.WAIT else None
            row.jingles = slot.jingles
            row.relay_source = slot.relay
            row.fallback_items = ",".join(str(i) for i in slot.fallback) or None
            return to_slot(row)

    def slots(self) -> list[Slot]:
        with self._sessions() as session:
            return [to_slot(r) for r in session.scalars(select(SlotRow).order_by(SlotRow.start_time, SlotRow.id))]

    def slot_named(self, name: str) -> Slot:
        with self._sessions() as session:
            row = session.scalars(select(SlotRow).where(SlotRow.name == name)).first()
            if row is None:
                names = ", ".join(session.scalars(select(SlotRow.name).order_by(SlotRow.name))) or "-"
                raise NotFoundError(_("no slot named '{name}' (slots: {names})").format(name=name, names=names))
            return to_slot(row)

    def remove_slot(self, slot_id: int) -> int:
        """Remove a slot and its queued entries; returns how many entries went with it."""
        with self._sessions.begin() as session:
            removed = session.execute(delete(QueueEntryRow).where(QueueEntryRow.slot_id == slot_id)).rowcount
            session.execute(delete(SlotRow).where(SlotRow.id == slot_id))
            return removed

    # queue
    def enqueue(
        self,
        item_ids: list[int],
        *,
        slot_id: int | None = None,
        day: date | None = None,
        at: datetime | None = None,
        priority: Priority | None = None,
        stations: str | None = None,
    ) -> list[QueueEntry]:
        now = _naive_utc(datetime.now(timezone.utc))
        with self._sessions.begin() as session:
            if slot_id is not None:
                where = (QueueEntryRow.slot_id == slot_id, QueueEntryRow.occurrence_date == day)
            else:
                where = (QueueEntryRow.slot_id.is_(None), QueueEntryRow.at == _naive_utc(at))
            last = session.scalar(select(func.max(QueueEntryRow.position)).where(*where)) or 0
            rows = [
                QueueEntryRow(
                    item_id=item_id,
                    slot_id=slot_id,
                    occurrence_date=day,
                    at=_naive_utc(at),
                    position=last + n,
                    priority=str(priority) if priority else None,
                    added_at=now,
                    stations=stations,
                )
                for n, item_id in enumerate(item_ids, start=1)
            ]
            session.add_all(rows)
            session.flush()
            return [to_entry(r) for r in rows]

    def entries_for(self, slot_id: int, day: date) -> list[QueueEntry]:
        query = (
            select(QueueEntryRow)
            .where(QueueEntryRow.slot_id == slot_id, QueueEntryRow.occurrence_date == day)
            .order_by(QueueEntryRow.position, QueueEntryRow.id)
        )
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(query)]

    def one_offs_between(self, start: datetime, end: datetime) -> list[QueueEntry]:
        query = (
            select(QueueEntryRow)
            .where(QueueEntryRow.slot_id.is_(None), QueueEntryRow.stations.is_(None),  # a hub's for its stations: not aired here
                   QueueEntryRow.at >= _naive_utc(start), QueueEntryRow.at < _naive_utc(end))
            .order_by(QueueEntryRow.at, QueueEntryRow.position, QueueEntryRow.id)
        )
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(query)]

    def entries_between(self, first_day: date, last_day: date, start: datetime, end: datetime) -> list[QueueEntry]:
        """Slot entries for days in [first_day, last_day] and one-offs in [start, end)."""
        query = (
            select(QueueEntryRow)
            .where(
                or_(
                    QueueEntryRow.occurrence_date.between(first_day, last_day),
                    (QueueEntryRow.at >= _naive_utc(start)) & (QueueEntryRow.at < _naive_utc(end)),
                )
            )
            .order_by(QueueEntryRow.occurrence_date, QueueEntryRow.at, QueueEntryRow.position, QueueEntryRow.id)
        )
        with self._sessions() as session:
            return [to_entry(r) for r in session.scalars(query)]

    def entry_priorities(self, entry_ids: list[int]) -> list[Priority | None]:
        """The priorities queue entries were given (None: their items' own)."""
        with self._sessions() as session:
            found = session.scalars(select(QueueEntryRow.priority).where(QueueEntryRow.id.in_(entry_ids)))
            return [Priority(p) if p else None for p in found]

    def remove_entries(self, entry_ids: list[int]) -> int:
        with self._sessions.begin() as session:
            found = set(session.scalars(select(QueueEntryRow.id).where(QueueEntryRow.id.in_(entry_ids))))
            missing = [str(i) for i in entry_ids if i not in found]
            if missing:
                raise NotFoundError(_("no queue entry with id {id}").format(id=", ".join(missing)))
            return session.execute(delete(QueueEntryRow).where(QueueEntryRow.id.in_(entry_ids))).rowcount

    def move_entry(self, entry_id: int, delta: int) -> None:
        """Move an entry *delta* places within its occurrence (its queue order), renumbering
        the occurrence's positions 1..n."""
        with self._sessions.begin() as session:
            row = session.get(QueueEntryRow, entry_id)
            if row is None:
                raise NotFoundError(_("no queue entry with id {id}").format(id=entry_id))
            if row.slot_id is not None:
                where = (QueueEntryRow.slot_id == row.slot_id, QueueEntryRow.occurrence_date == row.occurrence_date)
            else:
                where = (QueueEntryRow.slot_id.is_(None), QueueEntryRow.at == row.at)
            rows = list(session.scalars(select(QueueEntryRow).where(*where).order_by(QueueEntryRow.position, QueueEntryRow.id)))
            index = rows.index(row)
            target = max(0, min(len(rows) - 1, index + delta))
            rows.insert(target, rows.pop(index))
            for position, r in enumerate(rows, start=1):
                r.position = position
