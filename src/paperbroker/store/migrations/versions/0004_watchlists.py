"""Watchlists: named lists of symbols per account of a session, deleted with the session.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``watchlists``."""
    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("symbols", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_watchlists_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
        sa.UniqueConstraint(
            "session_id", "account_id", "name", name=op.f("uq_watchlists_session_id")
        ),
    )
    op.create_index(op.f("ix_watchlists_session_id"), "watchlists", ["session_id"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index(op.f("ix_watchlists_session_id"), table_name="watchlists")
    op.drop_table("watchlists")
