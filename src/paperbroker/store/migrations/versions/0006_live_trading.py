"""Live trading: session checkpoints, encrypted broker credentials, reconciliation runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["sessions.id"],
        name=op.f(f"fk_{table}_session_id_sessions"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Create ``session_checkpoints``, ``broker_credentials`` and ``reconciliation_runs``."""
    op.create_table(
        "session_checkpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        _session_fk("session_checkpoints"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_checkpoints")),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_session_checkpoints_session_id")),
    )
    op.create_index(
        op.f("ix_session_checkpoints_session_id"), "session_checkpoints", ["session_id"]
    )
    op.create_table(
        "broker_credentials",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("owner_key_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("key_hint", sa.String(16), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_credentials")),
    )
    op.create_index(
        op.f("ix_broker_credentials_owner_key_id"), "broker_credentials", ["owner_key_id"]
    )
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("policy", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("differences", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        _session_fk("reconciliation_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
    )
    op.create_index(
        op.f("ix_reconciliation_runs_session_id"), "reconciliation_runs", ["session_id"]
    )


def downgrade() -> None:
    """Drop the three tables."""
    for table, column in (
        ("reconciliation_runs", "session_id"),
        ("broker_credentials", "owner_key_id"),
        ("session_checkpoints", "session_id"),
    ):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
