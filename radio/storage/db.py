"""Opening the station database: SQLite in WAL mode, durable commits, writers that wait.

- journal_mode=WAL: readers never block the daemon's writes, and a power cut never
  corrupts the file.
- synchronous=FULL: a committed as-run row survives a power cut, not only a crash.
- Every transaction begins IMMEDIATE (takes the write lock up front) and waits up to
  busy_timeout for it, so a CLI write while the daemon plays never fails with
  "database is locked" (a deferred transaction that upgrades to a write lock can).
- A full disk or a damaged file becomes a RadioError naming the file (radio/faults.py, radio/storage/damage.py),
  wherever in a command SQLite reports it.
"""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 15_000


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "handle_error")
    def _on_error(context) -> None:
        from radio.storage.damage import sqlite_fault

        if (fault := sqlite_fault(context.original_exception, path)) is not None:
            raise fault from context.original_exception

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from sqlalchemy.orm import sessionmaker  # here: a command that reads SQL only never loads the ORM

    return sessionmaker(engine, expire_on_commit=False)


def create_url_engine(url: str) -> Engine:
    """A hub's database given by URL (postgresql://user@host/db): psycopg 3 drives it.

    A connection pool sized for a hub's request handlers; each connection is checked
    before use, so a restarted PostgreSQL (a standby promoted) costs no failed request.
    """
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
