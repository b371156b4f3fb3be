"""a network of stations: the hub's stations, targeted queue entries, as-run rows sent up,
and a station's link to its hub (what it applied, what it still has to send)

Hub side: `stations` (code, name, the sha256 of its token, heartbeat and health, the
highest contiguous as-run sequence received), `queue_entries.stations` ("*" every
station, "A,B" some; NULL an entry of this home's own), `as_run.station`,
`as_run.row_uuid` (made by the station; unique: a row sent twice is stored once) and
`as_run.station_seq`.

Station side: `hub_entries` (each session the hub sent and what became of it here) and
`outbox` (each finished as-run row in order, with its UUID and sequence, until acked).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stations",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=True),
        sa.Column("online", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("health", sa.Text, nullable=True),
        sa.Column("acked_seq", sa.BigInteger, nullable=False, server_default="0"),
    )
    # plain ALTER TABLE ADD COLUMN: a batch copy of as_run would drop its append-only triggers
    op.add_column("queue_entries", sa.Column("stations", sa.String, nullable=True))
    op.add_column("as_run", sa.Column("station", sa.String(32), nullable=True))
    op.add_column("as_run", sa.Column("row_uuid", sa.String(36), nullable=True))
    op.add_column("as_run", sa.Column("station_seq", sa.BigInteger, nullable=True))
    op.create_index("ux_as_run_row_uuid", "as_run", ["row_uuid"], unique=True)
    op.create_index("ux_as_run_station_seq", "as_run", ["station", "station_seq"], unique=True)
    op.create_table(
        "hub_entries",
        sa.Column("hub_entry_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("local_entry_id", sa.Integer, nullable=True),
        sa.Column("item_sha256", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.String, nullable=True),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("row_uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("as_run_id", sa.Integer, nullable=False, unique=True),
        sa.Column("queued_at", sa.DateTime, nullable=False),
        sa.Column("acked_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("hub_entries")
    op.drop_index("ux_as_run_station_seq", "as_run")
    op.drop_index("ux_as_run_row_uuid", "as_run")
    op.execute("ALTER TABLE as_run DROP COLUMN station_seq")
    op.execute("ALTER TABLE as_run DROP COLUMN row_uuid")
    op.execute("ALTER TABLE as_run DROP COLUMN station")
    op.execute("ALTER TABLE queue_entries DROP COLUMN stations")
    op.drop_table("stations")
