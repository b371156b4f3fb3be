"""Operators' confirmations that the PC's clock is right (domain/clock.py says what they change)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.clock import ClockConfirmation
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import ClockConfirmationRow


class ClockConfirmationRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, confirmation: ClockConfirmation) -> None:
        with self._sessions.begin() as session:
            session.add(ClockConfirmationRow(at=_naive_utc(confirmation.at), by=confirmation.by,
                                             last_row_id=confirmation.last_row_id))  # fmt: skip

    def latest(self) -> ClockConfirmation | None:
        query = select(ClockConfirmationRow).order_by(ClockConfirmationRow.id.desc()).limit(1)
        with self._sessions() as session:
            row = session.scalar(query)
            return None if row is None else ClockConfirmation(_utc(row.at), row.last_row_id, row.by)
