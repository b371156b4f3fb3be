"""The database tables, as SQLAlchemy 2 typed mappings. Migrations live in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
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

    __table_args__ = (Index("ix_items_status_topic", "status", "topic"),)
