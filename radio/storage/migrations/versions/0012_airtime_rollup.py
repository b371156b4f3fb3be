"""a daily airtime rollup kept beside the as-run log, so a province's report over millions
of rows reads thousands

`as_run_daily`: airings and seconds played per station (empty for a home's own rows),
local day (at ROLLUP_OFFSET_S, Vietnam's +07:00), topic, language and status. Triggers keep
it in the same transaction as every change to `as_run` (a station's insert at start and its
one completing update; the hub's idempotent ingest, where a row already held inserts nothing
and so adds nothing), in both databases. Existing rows are summed in here once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

from radio.domain.reports import ROLLUP_OFFSET_S
from radio.storage.migrations.rollup_triggers import create_rollup_triggers, drop_rollup_triggers, rollup_select

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "as_run_daily",
        sa.Column("station", sa.String(32), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("airings", sa.BigInteger, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("day", "station", "topic", "language", "status"),
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO as_run_daily (station, day, topic, language, status, airings, seconds) "
               f"{rollup_select('as_run', dialect, ROLLUP_OFFSET_S)}")  # fmt: skip
    create_rollup_triggers(dialect, ROLLUP_OFFSET_S)


def downgrade() -> None:
    drop_rollup_triggers(op.get_bind().dialect.name)
    op.drop_table("as_run_daily")
