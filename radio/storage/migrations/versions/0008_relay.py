"""relay sources, relay slots and relay rows in the as-run log

`sources`: the streams and inputs a station relays (VOV1, the provincial station, a
receiver on the line input), with their dead-air thresholds. A slot may relay one
(`slots.relay_source`) with fallback items (`slots.fallback_items`, ids in order). An
as-run row of a relay segment names its source (`as_run.relay_source`, item_id NULL).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("buffer_s", sa.Float, nullable=False),
        sa.Column("no_data_s", sa.Float, nullable=False),
        sa.Column("silence_s", sa.Float, nullable=False),
        sa.Column("silence_dbfs", sa.Float, nullable=False),
        sa.Column("resume", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    # plain ALTER TABLE ADD/DROP COLUMN: a batch copy of as_run would drop its append-only triggers
    op.add_column("slots", sa.Column("relay_source", sa.String(32), nullable=True))
    op.add_column("slots", sa.Column("fallback_items", sa.String, nullable=True))
    op.add_column("as_run", sa.Column("relay_source", sa.String(32), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE as_run DROP COLUMN relay_source")
    op.execute("ALTER TABLE slots DROP COLUMN fallback_items")
    op.execute("ALTER TABLE slots DROP COLUMN relay_source")
    op.drop_table("sources")
