"""Relay sources in the database, as domain objects."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.relay import Resume, Source
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.storage.library_repo import _naive_utc
from radio.storage.tables import SlotRow, SourceRow

_FIELDS = ("name", "url", "topic", "buffer_s", "no_data_s", "silence_s", "silence_dbfs")


def to_source(row: SourceRow) -> Source:
    return Source(code=row.code, resume=Resume(row.resume), **{f: getattr(row, f) for f in _FIELDS})


class SourceRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, source: Source) -> Source:
        row = SourceRow(code=source.code, resume=str(source.resume), created_at=_naive_utc(datetime.now(timezone.utc)),
                        **{f: getattr(source, f) for f in _FIELDS})  # fmt: skip
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return to_source(row)
        except IntegrityError:
            raise RadioError(_("a source with the code '{code}' already exists").format(code=source.code)) from None

    def save(self, source: Source) -> Source:
        with self._sessions.begin() as session:
            row = session.get(SourceRow, source.code)
            if row is None:
                raise self._unknown(session, source.code)
            for f in _FIELDS:
                setattr(row, f, getattr(source, f))
            row.resume = str(source.resume)
            return to_source(row)

    def all(self) -> list[Source]:
        with self._sessions() as session:
            return [to_source(r) for r in session.scalars(select(SourceRow).order_by(SourceRow.code))]

    def get(self, code: str) -> Source:
        with self._sessions() as session:
            row = session.get(SourceRow, code)
            if row is None:
                raise self._unknown(session, code)
            return to_source(row)

    def find(self, code: str) -> Source | None:
        with self._sessions() as session:
            row = session.get(SourceRow, code)
            return None if row is None else to_source(row)

    def remove(self, code: str) -> None:
        """Remove a source no slot relays (the as-run log keeps its history by code and name)."""
        with self._sessions.begin() as session:
            row = session.get(SourceRow, code)
            if row is None:
                raise self._unknown(session, code)
            users = list(session.scalars(select(SlotRow.name).where(SlotRow.relay_source == code)))
            if users:
                raise RadioError(_("the source '{code}' is relayed by the slots {slots}: change or remove them "
                                   "first").format(code=code, slots=", ".join(users)))  # fmt: skip
            session.delete(row)

    @staticmethod
    def _unknown(session: Session, code: str) -> NotFoundError:
        codes = ", ".join(session.scalars(select(SourceRow.code).order_by(SourceRow.code))) or "-"
        return NotFoundError(_("no source with the code '{code}' (sources: {codes})").format(code=code, codes=codes))
