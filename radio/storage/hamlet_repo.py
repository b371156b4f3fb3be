"""Hamlets and the record of USB packages written for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.usb import Hamlet
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.storage.tables import HamletRow, UsbPackageItemRow, UsbPackageRow


def _to_hamlet(row: HamletRow) -> Hamlet:
    return Hamlet(
        code=row.code,
        name=row.name,
        languages=tuple(x for x in row.languages.split(",") if x),
        topics=tuple(x for x in row.topics.split(",") if x),
        notes=row.notes,
    )


def _values(hamlet: Hamlet) -> dict:
    return {
        "name": hamlet.name,
        "languages": ",".join(hamlet.languages),
        "topics": ",".join(hamlet.topics),
        "notes": hamlet.notes,
    }


@dataclass(frozen=True)
class PackageRecord:
    """A package as recorded after it was written completely."""

    id: str
    hamlet_code: str
    hamlet_name: str
    created_at: datetime
    content_date: date
    profile: str
    playlist: str | None
    items: int
    bytes: int
    duration_s: float
    destination: str


class HamletRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def list(self) -> list[Hamlet]:
        with self._sessions() as session:
            return [_to_hamlet(r) for r in session.scalars(select(HamletRow).order_by(HamletRow.code))]

    def get(self, code: str) -> Hamlet:
        with self._sessions() as session:
            row = session.get(HamletRow, code)
            if row is None:
                raise NotFoundError(_("no hamlet with code {code} (see 'radio hamlet list')").format(code=code))
            return _to_hamlet(row)

    def get_many(self, codes: Sequence[str]) -> list[Hamlet]:
        with self._sessions() as session:
            rows = {r.code: r for r in session.scalars(select(HamletRow).where(HamletRow.code.in_(codes)))}
        missing = [c for c in codes if c not in rows]
        if missing:
            raise NotFoundError(
                _("no hamlet with code {code} (see 'radio hamlet list')").format(code=", ".join(missing))
            )
        return [_to_hamlet(rows[c]) for c in codes]

    def exists(self, code: str) -> bool:
        with self._sessions() as session:
            return session.get(HamletRow, code) is not None

    def add(self, hamlet: Hamlet) -> Hamlet:
        with self._sessions.begin() as session:
            if session.get(HamletRow, hamlet.code) is not None:
                raise RadioError(_("a hamlet with code {code} already exists").format(code=hamlet.code))
            session.add(
                HamletRow(code=hamlet.code, added_at=datetime.now(timezone.utc).replace(tzinfo=None), **_values(hamlet))
            )
        return hamlet

    def add_many(self, hamlets: Sequence[Hamlet], replace: bool = False) -> tuple[int, int]:
        """Insert (or, with *replace*, update) in one transaction. Returns (added, updated)."""
        added = updated = 0
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        with self._sessions.begin() as session:
            for hamlet in hamlets:
                row = session.get(HamletRow, hamlet.code)
                if row is None:
                    session.add(HamletRow(code=hamlet.code, added_at=now, **_values(hamlet)))
                    added += 1
                elif replace:
                    for key, value in _values(hamlet).items():
                        setattr(row, key, value)
                    updated += 1
        return added, updated

    def save(self, hamlet: Hamlet) -> Hamlet:
        with self._sessions.begin() as session:
            row = session.get(HamletRow, hamlet.code)
            if row is None:
                raise NotFoundError(_("no hamlet with code {code} (see 'radio hamlet list')").format(code=hamlet.code))
            for key, value in _values(hamlet).items():
                setattr(row, key, value)
        return hamlet

    def remove(self, code: str) -> None:
        """Remove a hamlet. Its package records stay (reports count what was distributed)."""
        with self._sessions.begin() as session:
            row = session.get(HamletRow, code)
            if row is None:
                raise NotFoundError(_("no hamlet with code {code} (see 'radio hamlet list')").format(code=code))
            session.delete(row)

    # --- packages ---

    def record_package(self, record: PackageRecord, entries: Sequence[tuple[int, int, str, str]]) -> None:
        """Record a written package; *entries* are (position, item id, file, sha256)."""
        self.record_packages([(record, entries)])

    def record_packages(self, packages: Sequence[tuple[PackageRecord, Sequence[tuple[int, int, str, str]]]]) -> None:
        """Record written packages in one transaction."""
        with self._sessions.begin() as session:
            for record, entries in packages:
                self._add_package(session, record, entries)

    @staticmethod
    def _add_package(session: Session, record: PackageRecord, entries) -> None:
        session.add(
            UsbPackageRow(
                id=record.id,
                hamlet_code=record.hamlet_code,
                hamlet_name=record.hamlet_name,
                created_at=record.created_at.astimezone(timezone.utc).replace(tzinfo=None),
                content_date=record.content_date,
                profile=record.profile,
                playlist=record.playlist,
                items=record.items,
                bytes=record.bytes,
                duration_s=record.duration_s,
                destination=record.destination,
            )
        )
        session.flush()
        for position, item_id, file, sha256 in entries:
            session.add(
                UsbPackageItemRow(package_id=record.id, position=position, item_id=item_id, file=file, sha256=sha256)
            )

    def packages(self, hamlet_code: str | None = None) -> list[PackageRecord]:
        query = select(UsbPackageRow).order_by(UsbPackageRow.created_at, UsbPackageRow.id)
        if hamlet_code:
            query = query.where(UsbPackageRow.hamlet_code == hamlet_code)
        with self._sessions() as session:
            return [
                PackageRecord(
                    id=r.id,
                    hamlet_code=r.hamlet_code,
                    hamlet_name=r.hamlet_name,
                    created_at=r.created_at.replace(tzinfo=timezone.utc),
                    content_date=r.content_date,
                    profile=r.profile,
                    playlist=r.playlist,
                    items=r.items,
                    bytes=r.bytes,
                    duration_s=r.duration_s,
                    destination=r.destination,
                )
                for r in session.scalars(query)
            ]

    def package_counts(self, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
        """(hamlet code, hamlet name, packages) for packages created in [start, end) (UTC)."""
        lo = start.astimezone(timezone.utc).replace(tzinfo=None)
        hi = end.astimezone(timezone.utc).replace(tzinfo=None)
        query = (
            select(UsbPackageRow.hamlet_code, func.max(UsbPackageRow.hamlet_name), func.count())
            .where(UsbPackageRow.created_at >= lo, UsbPackageRow.created_at < hi)
            .group_by(UsbPackageRow.hamlet_code)
            .order_by(UsbPackageRow.hamlet_code)
        )
        with self._sessions() as session:
            return [(code, name, n) for code, name, n in session.execute(query)]
