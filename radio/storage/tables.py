"""The database tables, as SQLAlchemy 2 typed mappings. Migrations live in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
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
