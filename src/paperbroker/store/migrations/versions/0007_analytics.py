"""Analytics: session summaries (history), session templates, parameter sweeps and their results.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``session_summaries``, ``session_templates``, ``sweeps`` and ``sweep_results``."""
    op.create_table(
        "session_summaries",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("owner_key_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("strategy", sa.String(300), nullable=True),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("symbols", sa.Text(), nullable=False),
        sa.Column("period_start", sa.BigInteger(), nullable=False),
        sa.Column("period_end", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=False),
        sa.Column("initial_equity", sa.String(64), nullable=False),
        sa.Column("final_equity", sa.String(64), nullable=False),
        sa.Column("pnl", sa.String(64), nullable=False),
        sa.Column("total_return", sa.Float(), nullable=True),
        sa.Column("max_drawdown", sa.Float(), nullable=True),
        sa.Column("sharpe", sa.Float(), nullable=True),
        sa.Column("trades", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("run_record", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_summaries_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_summaries")),
    )
    op.create_index(
        op.f("ix_session_summaries_owner_key_id"), "session_summaries", ["owner_key_id"]
    )
    op.create_index(op.f("ix_session_summaries_ended_at"), "session_summaries", ["ended_at"])
    op.create_table(
        "session_templates",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("owner_key_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_templates")),
        sa.UniqueConstraint("owner_key_id", "name", name=op.f("uq_session_templates_owner_key_id")),
    )
    op.create_index(
        op.f("ix_session_templates_owner_key_id"), "session_templates", ["owner_key_id"]
    )
    op.create_table(
        "sweeps",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("owner_key_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("strategy", sa.String(300), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweeps")),
    )
    op.create_index(op.f("ix_sweeps_owner_key_id"), "sweeps", ["owner_key_id"])
    op.create_table(
        "sweep_results",
        sa.Column("sweep_id", sa.String(36), nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fold", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("window", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("fills_digest", sa.String(64), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sweep_id"],
            ["sweeps.id"],
            name=op.f("fk_sweep_results_sweep_id_sweeps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sweep_id", "idx", "fold", name=op.f("pk_sweep_results")),
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("sweep_results")
    op.drop_index(op.f("ix_sweeps_owner_key_id"), table_name="sweeps")
    op.drop_table("sweeps")
    op.drop_index(op.f("ix_session_templates_owner_key_id"), table_name="session_templates")
    op.drop_table("session_templates")
    for column in ("ended_at", "owner_key_id"):
        op.drop_index(op.f(f"ix_session_summaries_{column}"), table_name="session_summaries")
    op.drop_table("session_summaries")
