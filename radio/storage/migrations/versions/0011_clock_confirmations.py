"""an operator's confirmation that the PC's clock is right

A PC without NTP whose clock ran fast (rows written hours or days ahead) and was then set right
by hand was held until real time passed its newest row: an operator who checked the clock
against a phone could not resume the schedule. A confirmation records the clock's reading and
the newest as-run row then; rows up to it no longer count against the clock.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_confirmations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("last_row_id", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("clock_confirmations")
