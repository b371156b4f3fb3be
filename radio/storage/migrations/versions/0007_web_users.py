"""web console users and the audit log

Users of the web console (argon2 password hashes, a role, a session epoch that ends
older sessions on a password change) and an append-only audit log of who did what.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from radio.storage.migrations.triggers import drop_trigger, refuse_trigger

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("display", sa.String, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.String, nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    # The audit log is append-only: the database refuses changes and deletions.
    refuse_trigger("audit_log_no_update", "UPDATE", "audit_log", "the audit log is append-only")
    refuse_trigger("audit_log_no_delete", "DELETE", "audit_log", "the audit log is append-only")


def downgrade() -> None:
    drop_trigger("audit_log_no_delete", "audit_log")
    drop_trigger("audit_log_no_update", "audit_log")
    op.drop_index("ix_audit_log_at", "audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
