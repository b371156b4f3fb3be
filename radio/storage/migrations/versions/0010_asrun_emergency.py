"""as-run rows say whether they aired as an emergency broadcast (khẩn cấp)

The as-run log is the station's legal record: whether a row aired as an emergency is a fact
of that airing, kept with it (before, the console worked it out from the queue, which an
operator may clear afterwards, and a hub never had). Rows from before stay false; the
listings still recognise them from the queue where it is kept.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: a batch copy of as_run would drop its append-only triggers
    op.add_column("as_run", sa.Column("emergency", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.execute("ALTER TABLE as_run DROP COLUMN emergency")
