"""approval record and validity window

Who approved an item and when (Thông tư 39/2020), when it was retired, and the dates
between which it may air.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date, nullable=True))
        batch.add_column(sa.Column("valid_until", sa.Date, nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String, nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("retired_at", sa.DateTime, nullable=True))
        batch.create_index("ix_items_status_topic", ["status", "topic"])


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index("ix_items_status_topic")
        for column in ("retired_at", "approved_at", "approved_by", "valid_until", "valid_from"):
            batch.drop_column(column)
