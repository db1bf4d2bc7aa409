"""Each owner's stream of system events; journal events indexed by commit time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``system_events``; index ``session_events.committed_at`` (the activity feed)."""
    op.create_table(
        "system_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("owner_key_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_events")),
        sa.UniqueConstraint("owner_key_id", "seq", name=op.f("uq_system_events_owner_key_id")),
    )
    op.create_index(op.f("ix_system_events_ts"), "system_events", ["ts"])
    op.create_index(op.f("ix_system_events_session_id"), "system_events", ["session_id"])
    op.create_index(op.f("ix_session_events_committed_at"), "session_events", ["committed_at"])


def downgrade() -> None:
    """Drop the index and the table."""
    op.drop_index(op.f("ix_session_events_committed_at"), table_name="session_events")
    op.drop_index(op.f("ix_system_events_session_id"), table_name="system_events")
    op.drop_index(op.f("ix_system_events_ts"), table_name="system_events")
    op.drop_table("system_events")
