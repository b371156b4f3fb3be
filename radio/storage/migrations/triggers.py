"""Triggers that refuse a change, written for the dialect at hand (SQLite for a station,
PostgreSQL for a province's hub): the append-only rules hold in both databases."""

from __future__ import annotations

from alembic import op


def _dialect() -> str:
    return op.get_bind().dialect.name


def refuse_trigger(name: str, event: str, table: str, message: str, when: str | None = None) -> None:
    """A trigger named *name* that aborts every *event* (UPDATE/DELETE) on *table* (where *when*)."""
    if _dialect() == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION radio_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$"
        )
        condition = f" WHEN ({when.replace('!=', '<>')})" if when else ""
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{condition} "
                   f"EXECUTE FUNCTION radio_refuse('{message}')")  # fmt: skip
        return
    condition = f" WHEN {when}" if when else ""
    op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} "
               f"BEGIN SELECT RAISE(ABORT, '{message}'); END")  # fmt: skip


def drop_trigger(name: str, table: str) -> None:
    if _dialect() == "postgresql":
        op.execute(f"DROP TRIGGER {name} ON {table}")
    else:
        op.execute(f"DROP TRIGGER {name}")
