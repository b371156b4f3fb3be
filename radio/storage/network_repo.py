"""The hub's side of a network in the database: its stations (tokens kept hashed, health),
the sessions meant for each, and the as-run rows they send up (stored once each)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from radio.domain.network import (
    DesiredEntry, acked_through, check_wire_row, is_for, is_online, online_after_beat,
)  # fmt: skip
from radio.errors import NotFoundError, RadioError
from radio.i18n import _
from radio.storage.library_repo import _naive_utc, _utc
from radio.storage.tables import AsRunRow, ItemRow, LibraryChangesRow, QueueEntryRow, SlotRow, SourceRow, StationRow


SHARE_FOR_S = 2.0  # a shared read of the window serves the long polls of one change this long at most


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    created_at: datetime
    revoked: bool
    last_seen: datetime | None
    online: bool  # as of now, with hysteresis (domain.network.is_online)
    health: dict
    acked_seq: int
    commune: str | None = None


def _to_station(row: StationRow, now: datetime) -> Station:
    last_seen = _utc(row.last_seen)
    return Station(row.code, row.name, _utc(row.created_at), row.revoked_at is not None, last_seen,
                   is_online(row.online, last_seen, now), json.loads(row.health or "{}"), row.acked_seq,
                   row.commune)  # fmt: skip


def _insert(session: Session):
    """An INSERT … ON CONFLICT DO NOTHING for the database at hand (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(AsRunRow)


class StationRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._local = threading.local()
        self._shared_lock = threading.Lock()
        self._shared: tuple | None = None  # (key, read at, window rows): see sharing()

    def add(self, code: str, name: str, token_hash: str, commune: str | None = None) -> Station:
        now = datetime.now(timezone.utc)
        with self._sessions.begin() as session:
            if session.get(StationRow, code) is not None:
                raise RadioError(_("station {code} already exists").format(code=code))
            row = StationRow(code=code, name=name, commune=commune, token_hash=token_hash,
                             created_at=_naive_utc(now), online=False, acked_seq=0)  # fmt: skip
            session.add(row)
            session.flush()
            return _to_station(row, now)

    def edit(self, code: str, name: str | None = None, commune: str | None = None) -> Station:
        """Change a station's name or commune (an empty commune clears it)."""
        with self._sessions.begin() as session:
            row = session.get(StationRow, code)
            if row is None:
                raise NotFoundError(_("no station {code}").format(code=code))
            if name is not None:
                row.name = name
            if commune is not None:
                row.commune = commune or None
            session.flush()
            return _to_station(row, datetime.now(timezone.utc))

    def all(self) -> list[Station]:
        now = datetime.now(timezone.utc)
        with self._sessions() as session:
            return [_to_station(r, now) for r in session.scalars(select(StationRow).order_by(StationRow.code))]

    def by_token_hash(self, digest: str) -> str | None:
        """The code of the (not revoked) station holding this token, or None."""
        with self._sessions() as session:
            return session.scalar(select(StationRow.code).where(
                StationRow.token_hash == digest, StationRow.revoked_at.is_(None)))  # fmt: skip

    def set_token(self, code: str, token_hash: str | None) -> None:
        """A new token (the old one stops working), or None: revoked."""
        now = _naive_utc(datetime.now(timezone.utc))
        values = {"revoked_at": now} if token_hash is None else {"token_hash": token_hash, "revoked_at": None}
        with self._sessions.begin() as session:
            if session.execute(update(StationRow).where(StationRow.code == code).values(**values)).rowcount == 0:
                raise NotFoundError(_("no station {code}").format(code=code))

    def heartbeat(self, code: str, health: dict, now: datetime) -> bool:
        """Record a heartbeat; whether the station is online after it."""
        with self._sessions.begin() as session:
            row = session.get(StationRow, code, with_for_update=True)
            online = online_after_beat(row.online, _utc(row.last_seen), now)
            row.online, row.last_seen, row.health = online, _naive_utc(now), json.dumps(health, ensure_ascii=False)
            return online

    def codes(self) -> list[str]:
        with self._sessions() as session:
            return list(session.scalars(select(StationRow.code).where(StationRow.revoked_at.is_(None))))

    def desired_entries(self, code: str, now: datetime, horizon: timedelta, history: timedelta,
                        zone=None) -> tuple[list[DesiredEntry], list[int]]:  # fmt: skip
        """The one-off sessions and emergencies queued at the hub for *code* from *now - history*
        to *now + horizon* (and, given the hub's *zone*, those queued into slots), and the ids
        of their items."""
        mine = [(d, item) for targets, d, item in self._window(now, horizon, history, zone) if is_for(targets, code)]
        entries = sorted((d for d, _item in mine), key=lambda d: (d.at, d.position))
        return entries, sorted({item for _d, item in mine})

    @contextlib.contextmanager
    def sharing(self, key):
        """Within this block (in this thread) the sessions of the window are read once per *key*
        and shared: the hub's server wakes hundreds of long polls on one change (key: that
        change's generation), and each would otherwise read the same rows again."""
        self._local.key = key
        try:
            yield
        finally:
            self._local.key = None

    def _window(self, now: datetime, horizon: timedelta, history: timedelta, zone) -> list[tuple]:
        key = getattr(self._local, "key", None)
        if key is None:
            return self._read_window(now, horizon, history, zone)
        with self._shared_lock:
            wanted = (key, horizon, history, zone)
            if self._shared is None or self._shared[0] != wanted or clock.monotonic() - self._shared[1] > SHARE_FOR_S:
                self._shared = (wanted, clock.monotonic(), self._read_window(now, horizon, history, zone))
            return self._shared[2]

    def _read_window(self, now: datetime, horizon: timedelta, history: timedelta, zone) -> list[tuple]:
        """Every hub session for stations in the window: (targets, DesiredEntry, item id)."""
        with self._sessions() as session:
            rows = session.execute(
                select(QueueEntryRow.id, QueueEntryRow.stations, QueueEntryRow.at, QueueEntryRow.priority,
                       QueueEntryRow.position, QueueEntryRow.item_id, ItemRow.sha256)
                .join(ItemRow, ItemRow.id == QueueEntryRow.item_id)
                .where(QueueEntryRow.stations.is_not(None), QueueEntryRow.at.is_not(None),
                       QueueEntryRow.at >= _naive_utc(now - history), QueueEntryRow.at <= _naive_utc(now + horizon))
                .order_by(QueueEntryRow.at, QueueEntryRow.position)).all()  # fmt: skip
        found = [(targets, DesiredEntry(i, sha, _utc(at), priority, position), item)
                 for i, targets, at, priority, position, item, sha in rows]  # fmt: skip
        return found + (self._slot_entries(now, horizon, history, zone) if zone else [])

    def _slot_entries(self, now: datetime, horizon: timedelta, history: timedelta, zone) -> list[tuple]:
        """Entries queued at the hub into a slot's occurrence: sent at the occurrence's instant
        (in the hub's zone) with the slot's name."""
        first, last = (now - history).astimezone(zone).date(), (now + horizon).astimezone(zone).date()
        with self._sessions() as session:
            rows = session.execute(
                select(QueueEntryRow, ItemRow.sha256, SlotRow.name, SlotRow.start_time)
                .join(ItemRow, ItemRow.id == QueueEntryRow.item_id).join(SlotRow, SlotRow.id == QueueEntryRow.slot_id)
                .where(QueueEntryRow.stations.is_not(None), QueueEntryRow.occurrence_date >= first,
                       QueueEntryRow.occurrence_date <= last)).all()  # fmt: skip
        found = []
        for e, sha, name, start in rows:
            at = datetime.combine(e.occurrence_date, time.fromisoformat(start), tzinfo=zone).astimezone(timezone.utc)
            if now - history <= at <= now + horizon:
                found.append((e.stations, DesiredEntry(e.id, sha, at, e.priority, e.position, slot_name=name),
                              e.item_id))  # fmt: skip
        return found

    def uses_media(self, code: str, sha256: str, now: datetime, horizon: timedelta, history: timedelta,
                   zone) -> bool:  # fmt: skip
        """Whether a session meant for *code* within the desired state's window airs the file
        *sha256*: only the entries of that one file are read (by the items' sha256 index), not
        the station's whole schedule."""
        first, last = (now - history).astimezone(zone).date(), (now + horizon).astimezone(zone).date()
        with self._sessions() as session:
            rows = session.execute(
                select(QueueEntryRow.stations, QueueEntryRow.at, QueueEntryRow.occurrence_date, SlotRow.start_time)
                .join(ItemRow, ItemRow.id == QueueEntryRow.item_id)
                .outerjoin(SlotRow, SlotRow.id == QueueEntryRow.slot_id)
                .where(ItemRow.sha256 == sha256, QueueEntryRow.stations.is_not(None),
                       ((QueueEntryRow.at >= _naive_utc(now - history)) & (QueueEntryRow.at <= _naive_utc(now + horizon)))
                       | ((QueueEntryRow.occurrence_date >= first) & (QueueEntryRow.occurrence_date <= last)))).all()  # fmt: skip
        for stations, at, day, start in rows:
            if not is_for(stations, code):
                continue
            if at is not None:
                return True
            if start is not None:
                instant = datetime.combine(day, time.fromisoformat(start), tzinfo=zone).astimezone(timezone.utc)
                if now - history <= instant <= now + horizon:
                    return True
        return False

    def fingerprint(self, now: datetime | None = None) -> tuple:
        """A summary that changes whenever anything a desired state is made of does: the hub's
        sessions for stations (moved, re-targeted, removed) with their items' metadata, the
        slots (renamed, moved) and the relay sources, and the library as a whole. The server's
        long polls wake on it and recompute the states only then. Cheap: the sessions of a
        few days, the slots and sources (tens), and aggregates of the library."""
        since = _naive_utc((now or datetime.now(timezone.utc)) - timedelta(days=2))
        digest = hashlib.sha256()
        with self._sessions() as session:
            queue = session.execute(
                select(*QueueEntryRow.__table__.c, *ItemRow.__table__.c)
                .join(ItemRow, ItemRow.id == QueueEntryRow.item_id)
                .where(QueueEntryRow.stations.is_not(None),
                       (QueueEntryRow.at >= since) | (QueueEntryRow.occurrence_date >= since.date()))
                .order_by(QueueEntryRow.id)).all()  # fmt: skip
            for table in (SlotRow, SourceRow):
                digest.update(repr(session.execute(select(*table.__table__.c).order_by(*table.__table__.primary_key))
                                   .all()).encode())  # fmt: skip
            digest.update(repr(queue).encode())
            items = session.execute(select(func.count(), func.max(ItemRow.approved_at), func.max(ItemRow.retired_at),
                                           func.max(ItemRow.id))).one()  # fmt: skip
            changes = session.scalar(select(LibraryChangesRow.n))
            return (digest.hexdigest(), len(queue)) + tuple(items) + (changes,)

    def library_changes(self) -> int:
        """How many times the library has changed (any item inserted or edited): one row."""
        with self._sessions() as session:
            return int(session.scalar(select(LibraryChangesRow.n)) or 0)

    def ingest(self, code: str, rows: Sequence[dict]) -> Ingested:
        """Store as-run rows sent by station *code*. A row is known by the UUID the station made:
        one already stored is left as it is (sending twice stores once), whatever sequence it
        comes with now. A new row whose sequence number is taken by another row (a station
        rebuilt from a fresh home numbers from 1 again) stores nothing of the batch: the answer
        names the next free sequence, the station renumbers and sends again, no row lost."""
        with self._sessions.begin() as session:
            station = session.get(StationRow, code, with_for_update=True)
            known: set[int] = set()
            if rows:
                values = [_asrun_values(code, r) for r in rows]  # checked before anything is stored
                # known by UUID whichever station holds it (a PC re-joined under another code sends
                # again rows the hub has): stored once, acknowledged, never a stuck outbox
                stored = set(session.scalars(select(AsRunRow.row_uuid).where(
                    AsRunRow.row_uuid.in_([v["row_uuid"] for v in values]))).all())  # fmt: skip
                fresh = [v for v in values if v["row_uuid"] not in stored]
                known = {v["station_seq"] for v in values if v["row_uuid"] in stored}
                taken = session.scalar(select(func.count()).select_from(AsRunRow).where(
                    AsRunRow.station == code, AsRunRow.station_seq.in_([v["station_seq"] for v in fresh]))) \
                    if fresh else 0  # fmt: skip
                if taken:
                    highest = session.scalar(select(func.max(AsRunRow.station_seq)).where(AsRunRow.station == code))
                    return Ingested(station.acked_seq, next_seq=max(highest or 0, station.acked_seq) + 1)
                shas = {r["item_sha256"] for r in rows if r.get("item_sha256")}
                ids = dict(session.execute(select(ItemRow.sha256, ItemRow.id).where(ItemRow.sha256.in_(shas))).all()) \
                    if shas else {}  # fmt: skip
                for v, r in zip(values, rows):
                    v["item_id"] = ids.get(r.get("item_sha256") or "")
                if fresh:  # executemany (batched into multi-row INSERTs by SQLAlchemy): one cached statement
                    session.execute(_insert(session).on_conflict_do_nothing(), fresh)
            seqs = session.scalars(select(AsRunRow.station_seq).where(
                AsRunRow.station == code, AsRunRow.station_seq > station.acked_seq)
                .order_by(AsRunRow.station_seq)).all()  # fmt: skip
            station.acked_seq = acked_through(station.acked_seq, set(seqs) | known)
            return Ingested(station.acked_seq)


@dataclass(frozen=True)
class Ingested:
    """The hub's answer to a batch of as-run rows: the highest contiguous sequence it holds,
    and, when the batch's numbers were taken by other rows, the number to renumber from."""

    acked: int
    next_seq: int | None = None


def _moment(value: str | None) -> datetime | None:
    return _naive_utc(datetime.fromisoformat(value)) if value else None


def _asrun_values(code: str, r: dict) -> dict:
    check_wire_row(r)  # a malformed row is refused (ValueError) before anything is stored
    return {
        "station": code, "row_uuid": str(r["uuid"]), "station_seq": int(r["seq"]),
        "item_id": None,  # the hub's own item of that file, looked up for the batch
        "title": str(r["title"]), "topic": str(r["topic"]), "language": str(r["language"]),
        "source": r.get("source"), "approved_by": r.get("approved_by"), "slot_id": None,
        "slot_name": r.get("slot_name"), "occurrence_start": _moment(r["occurrence_start"]),
        "scheduled_at": _moment(r["scheduled_at"]), "started_at": _moment(r.get("started_at")),
        "ended_at": _moment(r.get("ended_at")), "seconds_played": float(r["seconds_played"]),
        "status": str(r["status"]), "reason": r.get("reason"), "relay_source": r.get("relay_source"),
        "emergency": bool(r.get("emergency")),
    }  # fmt: skip
