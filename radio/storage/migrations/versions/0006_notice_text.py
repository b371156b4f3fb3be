"""the text of spoken notices

An item made by `radio announce` from a typed notice keeps the text it was spoken from,
so `library show` and the weekly log book can print what was said. NULL for recorded
bulletins.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("notice_text", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("notice_text")
