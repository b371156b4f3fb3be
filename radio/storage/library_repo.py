"""Library items in the database, as domain Items."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.library import Item, ItemStatus, Priority
from radio.domain.units import Dbtp, ItemId, Lufs, Seconds
from radio.errors import NotFoundError
from radio.i18n import _
from radio.storage.tables import ItemRow

_FIELDS = [f.name for f in dataclasses.fields(Item)]


def _utc(value: datetime | None) -> datetime | None:
    """SQLite keeps naive datetimes; ours are always UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def to_item(row: ItemRow) -> Item:
    return Item(
        id=ItemId(row.id),
        sha256=row.sha256,
        title=row.title,
        topic=row.topic,
        language=row.language,
        source=row.source,
        priority=Priority(row.priority),
        status=ItemStatus(row.status),
        duration_s=Seconds(row.duration_s),
        loudness_lufs=None if row.loudness_lufs is None else Lufs(row.loudness_lufs),
        true_peak_dbtp=None if row.true_peak_dbtp is None else Dbtp(row.true_peak_dbtp),
        sample_rate=row.sample_rate,
        channels=row.channels,
        codec=row.codec,
        media_path=row.media_path,
        original_name=row.original_name,
        added_at=_utc(row.added_at),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        approved_by=row.approved_by,
        approved_at=_utc(row.approved_at),
        retired_at=_utc(row.retired_at),
        notice_text=row.notice_text,
    )


def _row_values(item: Item) -> dict:
    values = {name: getattr(item, name) for name in _FIELDS if name != "id"}
    for key in ("added_at", "approved_at", "retired_at"):
        values[key] = _naive_utc(values[key])
    values["priority"] = str(item.priority)
    values["status"] = str(item.status)
    return values


def _matching(query, topic: str | None, status: str | None, language: str | None):
    """*query* narrowed to the items of that topic, status and language (each if given)."""
    if topic:
        query = query.where(ItemRow.topic == topic)
    if status:
        query = query.where(ItemRow.status == status)
    if language:
        query = query.where(ItemRow.language == language)
    return query


def _write_back(session: Session, item: Item) -> ItemRow:
    row = session.get(ItemRow, item.id)
    if row is None:
        raise NotFoundError(_("no item with id {id}").format(id=item.id))
    for key, value in _row_values(item).items():
        setattr(row, key, value)
    return row


class LibraryRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, item: Item) -> Item:
        """Insert *item* (its id is ignored) and return it with the id given by the database."""
        with self._sessions.begin() as session:
            row = ItemRow(**_row_values(item))
            session.add(row)
            session.flush()
            return to_item(row)

    def get(self, item_id: int) -> Item:
        with self._sessions() as session:
            row = session.get(ItemRow, item_id)
            if row is None:
                raise NotFoundError(_("no item with id {id}").format(id=item_id))
            return to_item(row)

    def get_many(self, ids: Sequence[int]) -> list[Item]:
        """The items in the order given; every id must exist."""
        with self._sessions() as session:
            rows = {r.id: r for r in session.scalars(select(ItemRow).where(ItemRow.id.in_(ids)))}
        missing = [str(i) for i in ids if i not in rows]
        if missing:
            raise NotFoundError(_("no item with id {id}").format(id=", ".join(missing)))
        return [to_item(rows[i]) for i in ids]

    def find_by_sha256(self, sha256: str) -> Item | None:
        with self._sessions() as session:
            row = session.scalars(select(ItemRow).where(ItemRow.sha256 == sha256)).first()
            return to_item(row) if row else None

    def list(
        self, topic: str | None = None, status: str | None = None, language: str | None = None,
        newest_first: bool = False, limit: int | None = None,
    ) -> list[Item]:  # fmt: skip
        query = select(ItemRow).order_by(ItemRow.id.desc() if newest_first else ItemRow.id).limit(limit)
        with self._sessions() as session:
            return [to_item(row) for row in session.scalars(_matching(query, topic, status, language))]

    def count(self, topic: str | None = None, status: str | None = None, language: str | None = None) -> int:
        """How many items match (one COUNT query: On air shows the number of drafts, not them all)."""
        query = select(func.count()).select_from(ItemRow)
        with self._sessions() as session:
            return session.scalar(_matching(query, topic, status, language)) or 0

    def index(
        self, topic: str | None = None, status: str | None = None, language: str | None = None
    ) -> list[tuple[int, str, str | None, str]]:
        """(id, title, source, original name) of the matching items, newest first: the few
        columns a search needs, without building whole items (the console pages these)."""
        query = select(ItemRow.id, ItemRow.title, ItemRow.source, ItemRow.original_name).order_by(ItemRow.id.desc())
        with self._sessions() as session:
            return [tuple(r) for r in session.execute(_matching(query, topic, status, language))]

    def save(self, item: Item) -> Item:
        """Write back an edited item (found by id)."""
        with self._sessions.begin() as session:
            return to_item(_write_back(session, item))

    def add_many(self, items: Sequence[Item]) -> None:
        """Insert *items* in one transaction (a hub's catalog: thousands at once)."""
        if items:
            with self._sessions.begin() as session:
                session.add_all([ItemRow(**_row_values(i)) for i in items])

    def save_many(self, items: Sequence[Item]) -> None:
        """Write back edited items (found by id) in one transaction."""
        if items:
            with self._sessions.begin() as session:
                for item in items:
                    _write_back(session, item)

    def notice_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """The notice text of those of *ids* that are spoken notices (for the log book)."""
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        query = select(ItemRow.id, ItemRow.notice_text).where(
            ItemRow.id.in_(wanted), ItemRow.notice_text.is_not(None)
        )
        with self._sessions() as session:
            return {row.id: row.notice_text for row in session.execute(query)}
