"""Bring a station database to the current schema with Alembic, backing it up first.

Every command opens the database through here. When it is already current (the usual
case) one tiny query says so and Alembic is not even imported: that keeps the CLI's
start-up and the player's memory small.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD = "0014"  # the newest revision in migrations/versions (a test keeps them equal)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def stored_revision(db_path: Path) -> str | None:
    """The revision recorded in the database file, read without Alembic (None: none yet)."""
    if not db_path.exists():
        return None
    con = sqlite3.connect(db_path)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return row[0] if row else None


def backup_database(db_path: Path, backup_dir: Path, revision: str) -> Path:
    """A consistent copy of the live database (SQLite online backup), safe while others write."""
    from radio.storage.backup import take_backup

    return take_backup(db_path, backup_dir, revision).path


def upgrade(engine: Engine, db_path: Path, backup_dir: Path, to: str = "head") -> Path | None:
    """Migrate to *to* (default: the newest revision). Returns the backup made, if any.

    A database that already holds data is backed up before any change; a new one is not.
    """
    if to == "head" and stored_revision(db_path) == HEAD:
        return None
    from alembic import command

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


def upgrade_server(engine: Engine) -> None:
    """Migrate a hub's PostgreSQL database to the newest revision (its backups are the
    province's: pg_dump and a streaming standby, see docs/network.md)."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    try:  # the usual case, current already: one query, Alembic not imported
        with engine.connect() as connection:
            if connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD:
                return
    except ProgrammingError:
        pass  # a new database: no alembic_version yet
    from alembic import command

    if current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
