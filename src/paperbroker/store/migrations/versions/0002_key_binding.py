"""Keys bound to one account of one session (the /v2 API trades there).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``session_id`` (deleted with its session) and ``account_id`` to ``api_keys``."""
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("session_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("account_id", sa.String(36), nullable=True))
        batch.create_foreign_key(
            op.f("fk_api_keys_session_id_sessions"),
            "sessions",
            ["session_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_api_keys_session_id"), ["session_id"])


def downgrade() -> None:
    """Drop the binding columns."""
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_index(op.f("ix_api_keys_session_id"))
        batch.drop_constraint(op.f("fk_api_keys_session_id_sessions"), type_="foreignkey")
        batch.drop_column("account_id")
        batch.drop_column("session_id")
