"""The database tables, as SQLAlchemy 2 typed mappings. Migrations live in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    """A library item. Never deleted while any log references it (items are retired instead)."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str]
    topic: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None]
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    duration_s: Mapped[float]
    loudness_lufs: Mapped[float | None]
    true_peak_dbtp: Mapped[float | None]
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    codec: Mapped[str | None] = mapped_column(String(32))
    media_path: Mapped[str]
    original_name: Mapped[str]
    added_at: Mapped[datetime]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    approved_by: Mapped[str | None]
    approved_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    notice_text: Mapped[str | None] = mapped_column(Text)  # the typed notice a spoken item was made from

    __table_args__ = (Index("ix_items_status_topic", "status", "topic"),)


class HamletRow(Base):
    """A hamlet that receives USB packages. Topics and languages are comma-separated codes."""

    __tablename__ = "hamlets"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    languages: Mapped[str] = mapped_column(String(64))
    topics: Mapped[str]  # empty: every topic
    notes: Mapped[str]
    added_at: Mapped[datetime]


class UsbPackageRow(Base):
    """A USB package written for a hamlet (code and name kept as they were, for reports)."""

    __tablename__ = "usb_packages"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hamlet_code: Mapped[str] = mapped_column(String(32), index=True)
    hamlet_name: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(index=True)
    content_date: Mapped[date]
    profile: Mapped[str] = mapped_column(String(32))
    playlist: Mapped[str | None]
    items: Mapped[int]
    bytes: Mapped[int]
    duration_s: Mapped[float]
    destination: Mapped[str]


class UsbPackageItemRow(Base):
    """Which library item went on a package, at which position."""

    __tablename__ = "usb_package_items"

    package_id: Mapped[str] = mapped_column(String(64), ForeignKey("usb_packages.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(index=True)
    file: Mapped[str]
    sha256: Mapped[str] = mapped_column(String(64))


class SlotRow(Base):
    """A recurring broadcast slot (khung giờ phát)."""

    __tablename__ = "slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    days: Mapped[str] = mapped_column(String(32))  # ISO weekdays, "1,2,3,4,5,6,7" = every day
    start_time: Mapped[str] = mapped_column(String(15))  # HH:MM:SS[.ffffff], station time
    max_minutes: Mapped[int]
    start_kind: Mapped[str] = mapped_column(String(16))  # hard | soft | wait
    wait_s: Mapped[int | None]
    jingles: Mapped[bool]
    created_at: Mapped[datetime]
    relay_source: Mapped[str | None] = mapped_column(String(32))  # a relay session: the source's code
    fallback_items: Mapped[str | None]  # item ids aired when the relay is dead air, "12,7"


class QueueEntryRow(Base):
    """An item queued into a slot's occurrence (slot + date) or as a one-off broadcast (at)."""

    __tablename__ = "queue_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id"))
    occurrence_date: Mapped[date | None]
    at: Mapped[datetime | None]  # UTC, one-off broadcasts and emergencies
    position: Mapped[int]
    priority: Mapped[str | None] = mapped_column(String(16))  # overrides the item's
    added_at: Mapped[datetime]
    stations: Mapped[str | None]  # at a hub: "*" every station, "A,B" those; None: this home's own

    __table_args__ = (Index("ix_queue_occurrence", "slot_id", "occurrence_date"), Index("ix_queue_at", "at"))


class AsRunRow(Base):
    """One attempt to air an item. Written when it starts, completed once when it ends, never
    deleted (enforced by triggers). Item facts are copied as they were at air time."""

    __tablename__ = "as_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    title: Mapped[str]
    topic: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None]
    approved_by: Mapped[str | None]
    slot_id: Mapped[int | None]
    slot_name: Mapped[str | None]
    occurrence_start: Mapped[datetime]  # UTC: the occurrence's scheduled start
    scheduled_at: Mapped[datetime]  # UTC: when this item was planned to start
    started_at: Mapped[datetime | None]  # UTC, milliseconds; None for skipped/missed
    ended_at: Mapped[datetime | None]
    seconds_played: Mapped[float]
    status: Mapped[str] = mapped_column(String(16))  # playing|completed|interrupted|failed|skipped|missed
    reason: Mapped[str | None]
    relay_source: Mapped[str | None] = mapped_column(String(32))  # a relay segment: the source's code
    station: Mapped[str | None] = mapped_column(String(32))  # at a hub: the station that aired it
    row_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)  # made by that station
    station_seq: Mapped[int | None] = mapped_column(BigInteger)
    emergency: Mapped[bool] = mapped_column(default=False, server_default=false())  # aired as an emergency


class AsRunDailyRow(Base):
    """Airings and seconds per station, local day, topic, language and status: kept by the
    triggers of migration 0012 in the same transaction as as_run, read by the airtime report
    (see radio.storage.migrations.rollup_triggers). Never written by the application."""

    __tablename__ = "as_run_daily"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD at ROLLUP_OFFSET_S
    station: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" for a home's own rows
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    airings: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float]


class LibraryChangesRow(Base):
    """One row whose `n` grows with every change to `items` (triggers of migration 0013):
    how a hub knows its library changed without reading it."""

    __tablename__ = "library_changes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)


class ClockConfirmationRow(Base):
    """An operator checked the PC's clock (against a phone or the radio's time signal) and
    said it is right: as-run rows written before it on a wrong, fast clock no longer hold the
    schedule (domain/clock.py). Append-only; the newest counts."""

    __tablename__ = "clock_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]  # UTC: the clock's reading when it was confirmed
    by: Mapped[str] = mapped_column(String(128))
    last_row_id: Mapped[int]  # the newest as-run row then (0: none)


class SourceRow(Base):
    """A stream or input the station relays (tiếp sóng)."""

    __tablename__ = "sources"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    url: Mapped[str]
    topic: Mapped[str] = mapped_column(String(64))
    buffer_s: Mapped[float]
    no_data_s: Mapped[float]
    silence_s: Mapped[float]
    silence_dbfs: Mapped[float]
    resume: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class UserRow(Base):
    """A web console user. Never deleted (the audit log names them): disabled instead."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    display: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str]
    disabled: Mapped[bool]
    session_epoch: Mapped[int]
    created_at: Mapped[datetime]


class AuditRow(Base):
    """Who did what, when, from where: one row per state change made through the console
    or the user commands. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str]
    address: Mapped[str | None] = mapped_column(String(64))


class StationRow(Base):
    """A station of the hub's network. Its join token is kept only as its sha256."""

    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str]
    commune: Mapped[str | None] = mapped_column(String(128))  # the commune or ward it serves (reports by commune)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen: Mapped[datetime | None]
    online: Mapped[bool] = mapped_column(default=False)
    health: Mapped[str | None] = mapped_column(Text)  # the last heartbeat, JSON
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class HubEntryRow(Base):
    """At a station: a session the hub sent, and what became of it here."""

    __tablename__ = "hub_entries"

    hub_entry_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    local_entry_id: Mapped[int | None]
    item_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16))  # domain.network.EntryState
    note: Mapped[str | None]


class OutboxRow(Base):
    """At a station: a finished as-run row waiting for the hub's acknowledgement (kept 30 days after)."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(primary_key=True)
    row_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    as_run_id: Mapped[int] = mapped_column(unique=True)
    queued_at: Mapped[datetime]
    acked_at: Mapped[datetime | None]
