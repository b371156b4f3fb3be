"""slots, queue and the as-run log

The as-run log is append-only: triggers refuse deletes, and refuse updates of a row
that is no longer 'playing' (a row is written when an item starts and completed once).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from radio.storage.migrations.triggers import drop_trigger, refuse_trigger

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True),
        sa.Column("days", sa.String(32), nullable=False),
        sa.Column("start_time", sa.String(15), nullable=False),
        sa.Column("max_minutes", sa.Integer, nullable=False),
        sa.Column("start_kind", sa.String(16), nullable=False),
        sa.Column("wait_s", sa.Integer, nullable=True),
        sa.Column("jingles", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "queue_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
        sa.Column("slot_id", sa.Integer, sa.ForeignKey("slots.id"), nullable=True),
        sa.Column("occurrence_date", sa.Date, nullable=True),
        sa.Column("at", sa.DateTime, nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("priority", sa.String(16), nullable=True),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_queue_occurrence", "queue_entries", ["slot_id", "occurrence_date"])
    op.create_index("ix_queue_at", "queue_entries", ["at"])
    op.create_table(
        "as_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=True, index=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("source", sa.String, nullable=True),
        sa.Column("approved_by", sa.String, nullable=True),
        sa.Column("slot_id", sa.Integer, nullable=True),
        sa.Column("slot_name", sa.String, nullable=True),
        sa.Column("occurrence_start", sa.DateTime, nullable=False),
        sa.Column("scheduled_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=True),
        sa.Column("ended_at", sa.DateTime, nullable=True),
        sa.Column("seconds_played", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String, nullable=True),
    )
    refuse_trigger("as_run_never_deleted", "DELETE", "as_run", "as-run rows are never deleted")
    refuse_trigger("as_run_completed_once", "UPDATE", "as_run", "an as-run row is final once completed",
                   when="OLD.status != 'playing'")


def downgrade() -> None:
    drop_trigger("as_run_completed_once", "as_run")
    drop_trigger("as_run_never_deleted", "as_run")
    op.drop_table("as_run")
    op.drop_index("ix_queue_at", "queue_entries")
    op.drop_index("ix_queue_occurrence", "queue_entries")
    op.drop_table("queue_entries")
    op.drop_table("slots")
