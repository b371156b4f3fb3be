"""The triggers that keep `as_run_daily` (migration 0012) in step with `as_run`, for the
dialect at hand, and the SELECT that sums rows into it.

PostgreSQL (a hub taking 500-row batches from hundreds of stations): statement triggers over
the transition tables, so a batch is summed once and each (station, day, topic, language,
status) is touched once. SQLite (a station, one row at a time): row triggers. Either way the
rollup changes in the same transaction as the rows, and a row the idempotent ingest skips
(ON CONFLICT DO NOTHING) was never inserted, so it adds nothing.
"""

from __future__ import annotations

from alembic import op

KEYS = "day, station, topic, language, status"
MOMENT = "COALESCE({t}started_at, {t}scheduled_at)"


def day_sql(dialect: str, offset_s: int, table: str = "") -> str:
    """The local day (YYYY-MM-DD) of a row's moment, written as the report's raw query does."""
    moment = MOMENT.format(t=f"{table}." if table else "")
    if dialect == "postgresql":
        return f"to_char({moment} + interval '{offset_s:+d} seconds', 'YYYY-MM-DD')"
    return f"date({moment}, '{offset_s:+d} seconds')"


def rollup_select(table: str, dialect: str, offset_s: int) -> str:
    """SELECT station, day, topic, language, status, airings, seconds summed from *table*."""
    return (f"SELECT COALESCE(station, ''), {day_sql(dialect, offset_s)} AS d, topic, language, status, "
            f"COUNT(*), SUM(seconds_played) FROM {table} GROUP BY 1, 2, 3, 4, 5")  # fmt: skip


def _pg_add(table: str, offset_s: int) -> str:
    return (f"INSERT INTO as_run_daily (station, day, topic, language, status, airings, seconds) "
            f"{rollup_select(table, 'postgresql', offset_s)} ON CONFLICT ({KEYS}) DO UPDATE SET "
            f"airings = as_run_daily.airings + EXCLUDED.airings, seconds = as_run_daily.seconds + EXCLUDED.seconds;")  # fmt: skip


def _pg_match(alias: str) -> str:
    return " AND ".join(f"d.{k} = {alias}.{k}" for k in KEYS.split(", "))


def create_rollup_triggers(dialect: str, offset_s: int) -> None:
    if dialect == "postgresql":
        old = (f"SELECT COALESCE(station, '') AS station, {day_sql(dialect, offset_s)} AS day, topic, language, status,"
               f" COUNT(*) AS airings, SUM(seconds_played) AS seconds FROM old_rows GROUP BY 1, 2, 3, 4, 5")  # fmt: skip
        op.execute("CREATE OR REPLACE FUNCTION radio_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {_pg_add('new_rows', offset_s)} RETURN NULL; END $$")  # fmt: skip
        op.execute("CREATE OR REPLACE FUNCTION radio_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"UPDATE as_run_daily d SET airings = d.airings - o.airings, seconds = d.seconds - o.seconds "
                   f"FROM ({old}) o WHERE {_pg_match('o')}; {_pg_add('new_rows', offset_s)} "
                   f"DELETE FROM as_run_daily d USING ({old}) o WHERE {_pg_match('o')} AND d.airings = 0; "
                   "RETURN NULL; END $$")  # fmt: skip
        op.execute("CREATE TRIGGER as_run_rollup_insert AFTER INSERT ON as_run REFERENCING NEW TABLE AS new_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION radio_rollup_insert()")  # fmt: skip
        op.execute("CREATE TRIGGER as_run_rollup_update AFTER UPDATE ON as_run REFERENCING OLD TABLE AS old_rows "
                   "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION radio_rollup_update()")  # fmt: skip
        return
    new_key = f"COALESCE(NEW.station, ''), {day_sql(dialect, offset_s, 'NEW')}, NEW.topic, NEW.language, NEW.status"
    old_match = (f"station = COALESCE(OLD.station, '') AND day = {day_sql(dialect, offset_s, 'OLD')} "
                 "AND topic = OLD.topic AND language = OLD.language AND status = OLD.status")  # fmt: skip
    add = (f"INSERT INTO as_run_daily (station, day, topic, language, status, airings, seconds) "
           f"VALUES ({new_key}, 1, NEW.seconds_played) ON CONFLICT ({KEYS}) DO UPDATE SET "
           "airings = airings + 1, seconds = seconds + excluded.seconds;")  # fmt: skip
    op.execute(f"CREATE TRIGGER as_run_rollup_insert AFTER INSERT ON as_run BEGIN {add} END")
    op.execute(f"CREATE TRIGGER as_run_rollup_update AFTER UPDATE ON as_run BEGIN "
               f"UPDATE as_run_daily SET airings = airings - 1, seconds = seconds - OLD.seconds_played WHERE {old_match}; "
               f"{add} DELETE FROM as_run_daily WHERE {old_match} AND airings = 0; END")  # fmt: skip


def drop_rollup_triggers(dialect: str) -> None:
    for name in ("as_run_rollup_insert", "as_run_rollup_update"):
        op.execute(f"DROP TRIGGER {name} ON as_run" if dialect == "postgresql" else f"DROP TRIGGER {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION radio_rollup_insert(); DROP FUNCTION radio_rollup_update()")
