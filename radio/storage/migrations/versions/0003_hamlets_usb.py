"""hamlets and USB packages

The hamlet registry, and a record of every USB package written (for the programme
report: USB packages prepared per hamlet).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hamlets",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("languages", sa.String(64), nullable=False),
        sa.Column("topics", sa.String, nullable=False),
        sa.Column("notes", sa.String, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "usb_packages",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("hamlet_code", sa.String(32), nullable=False),
        sa.Column("hamlet_name", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("content_date", sa.Date, nullable=False),
        sa.Column("profile", sa.String(32), nullable=False),
        sa.Column("playlist", sa.String, nullable=True),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("destination", sa.String, nullable=False),
    )
    op.create_index("ix_usb_packages_hamlet_code", "usb_packages", ["hamlet_code"])
    op.create_index("ix_usb_packages_created_at", "usb_packages", ["created_at"])
    op.create_table(
        "usb_package_items",
        sa.Column("package_id", sa.String(64), sa.ForeignKey("usb_packages.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("file", sa.String, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_usb_package_items_item_id", "usb_package_items", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_usb_package_items_item_id", "usb_package_items")
    op.drop_table("usb_package_items")
    op.drop_index("ix_usb_packages_created_at", "usb_packages")
    op.drop_index("ix_usb_packages_hamlet_code", "usb_packages")
    op.drop_table("usb_packages")
    op.drop_table("hamlets")
