"""a hub's station names the commune or ward it serves

Since 2025 a merged commune runs several former station sites and a province hub reports per
commune as well as per station: the airtime report groups by it (`--by commune`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stations", sa.Column("commune", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("commune")
