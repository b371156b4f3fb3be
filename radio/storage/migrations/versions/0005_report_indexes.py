"""indexes for the reports

The reports select as-run rows by their moment, COALESCE(started_at, scheduled_at)
(skipped and missed rows never started), and sum seconds per topic and status. One
expression index on that moment, covering topic, status and seconds_played, lets the
monthly by-topic report read only the month's index entries instead of the whole log
(see docs/benchmarks.md, "Reports"). Queries must spell the expression exactly so.
Items and USB packages are selected by when they were added / created.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_as_run_moment ON as_run "
        "(COALESCE(started_at, scheduled_at), topic, status, seconds_played)"
    )
    op.execute("CREATE INDEX ix_items_added_at ON items (added_at)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_items_added_at")
    op.execute("DROP INDEX ix_as_run_moment")
