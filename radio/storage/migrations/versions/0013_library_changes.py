"""a counter of library changes, so a hub notices any edit of any item with one cheap read

`library_changes` holds one row whose `n` grows with every INSERT or UPDATE of `items`
(triggers, whoever writes: the CLI, the console, an import). The hub's change watcher reads
it every half second and sends its whole library's metadata and approvals again only when it
moved (items have no edit time of their own: a title or approval changed left no trace).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

EVENTS = ("INSERT", "UPDATE")


def upgrade() -> None:
    op.create_table("library_changes", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("n", sa.BigInteger, nullable=False))  # fmt: skip
    op.execute("INSERT INTO library_changes (id, n) VALUES (1, 0)")
    bump = "UPDATE library_changes SET n = n + 1 WHERE id = 1;"
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"CREATE OR REPLACE FUNCTION radio_library_changed() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {bump} RETURN NULL; END $$")  # fmt: skip
    for event in EVENTS:
        name = f"items_changed_{event.lower()}"
        if postgres:  # once per statement: an import of many items bumps once
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON items FOR EACH STATEMENT "
                       "EXECUTE FUNCTION radio_library_changed()")  # fmt: skip
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON items BEGIN {bump} END")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for event in EVENTS:
        op.execute(f"DROP TRIGGER items_changed_{event.lower()}" + (" ON items" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION radio_library_changed()")
    op.drop_table("library_changes")
