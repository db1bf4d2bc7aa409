"""Drop ``session_snapshots``: no code ever wrote to it.

A snapshot is derived data (a session's state as of an event, rebuilt by
replaying the journal up to it), and the table only ever served an unused
journal API, so every database holds it empty; dropping it loses nothing.
Checkpoints will come with a state codec and a table designed for them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Drop ``session_snapshots``."""
    op.drop_table("session_snapshots")


def downgrade() -> None:
    """Create ``session_snapshots`` again, empty, as revision 0001 made it."""
    op.create_table(
        "session_snapshots",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_snapshots_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "seq", name=op.f("pk_session_snapshots")),
    )
