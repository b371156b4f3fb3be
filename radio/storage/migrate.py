"""Bring a station database to the current schema with Alembic, backing it up first."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_database(db_path: Path, backup_dir: Path, revision: str) -> Path:
    """A consistent copy of the live database (SQLite online backup), safe while others write."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"radio-{revision}-{stamp}.db"
    source = sqlite3.connect(db_path)
    try:
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, db_path: Path, backup_dir: Path, to: str = "head") -> Path | None:
    """Migrate to *to* (default: the newest revision). Returns the backup made, if any.

    A database that already holds data is backed up before any change; a new one is not.
    """
    current = current_revision(engine)
    target = head_revision() if to == "head" else to
    if current == target:
        return None
    backup = backup_database(db_path, backup_dir, current) if current is not None else None
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, to)
    return backup
