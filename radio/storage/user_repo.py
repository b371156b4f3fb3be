"""Console users and the audit log in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.users import Role, User
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import AuditRow, UserRow


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        name=row.name,
        display=row.display,
        role=Role(row.role),
        disabled=row.disabled,
        session_epoch=row.session_epoch,
        created_at=_utc(row.created_at),
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user_name: str
    action: str
    detail: str
    address: str | None


class UserRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, name: str, display: str, role: Role, password_hash: str) -> User:
        row = UserRow(
            name=name, display=display, role=str(role), password_hash=password_hash,
            disabled=False, session_epoch=0, created_at=_naive_utc(datetime.now(timezone.utc)),
        )  # fmt: skip
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return to_user(row)
        except IntegrityError:
            raise RadioError(_("a user named '{name}' already exists").format(name=name)) from None

    def _row(self, session: Session, name: str) -> UserRow:
        row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None:
            raise NotFoundError(_("no user named '{name}'").format(name=name))
        return row

    def named(self, name: str) -> User:
        with self._sessions() as session:
            return to_user(self._row(session, name))

    def exists(self, name: str) -> bool:
        with self._sessions() as session:
            return session.scalars(select(UserRow.id).where(UserRow.name == name)).first() is not None

    def get(self, user_id: int) -> User | None:
        with self._sessions() as session:
            row = session.get(UserRow, user_id)
            return to_user(row) if row else None

    def password_hash(self, name: str) -> tuple[User, str] | None:
        with self._sessions() as session:
            row = session.scalars(select(UserRow).where(UserRow.name == name)).first()
            return (to_user(row), row.password_hash) if row else None

    def list(self) -> list[User]:
        with self._sessions() as session:
            return [to_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]

    def update(self, name: str, *, password_hash: str | None = None, disabled: bool | None = None,
               role: Role | None = None, display: str | None = None, end_sessions: bool = False) -> User:  # fmt: skip
        with self._sessions.begin() as session:
            row = self._row(session, name)
            if password_hash is not None:
                row.password_hash = password_hash
            if disabled is not None:
                row.disabled = disabled
            if role is not None:
                row.role = str(role)
            if display is not None:
                row.display = display
            if end_sessions:
                row.session_epoch += 1
            return to_user(row)


class AuditRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(self, user_name: str, action: str, detail: str = "", address: str | None = None) -> None:
        with self._sessions.begin() as session:
            session.add(AuditRow(at=_naive_utc(datetime.now(timezone.utc)), user_name=user_name,
                                 action=action, detail=detail, address=address))  # fmt: skip

    def recent(self, limit: int = 200) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return [AuditEntry(r.id, _utc(r.at), r.user_name, r.action, r.detail, r.address)
                    for r in session.scalars(query)]  # fmt: skip
