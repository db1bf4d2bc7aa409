"""The journal database schema as typed SQLAlchemy ORM tables.

Every timestamp is an integer count of nanoseconds since the Unix epoch (UTC),
as everywhere else in paperbroker. Event payloads and session
configs are JSON text produced by the caller's codec and stored exactly as
given. Money is never a float column: the only floats are ratios a history
or a sweep sorts by (returns, drawdowns, Sharpe ratios, a sweep's score).

The Alembic migrations in ``migrations/versions`` must produce exactly this
schema; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Deterministic constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base holding the metadata of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKeyRow(Base):
    """An API key: its public id and a salted hash of its secret, never the secret.

    A key bound to a session (``session_id`` and ``account_id``) trades that
    account of that session through ``/v2``; it is deleted with the session.
    """

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    session_id: Mapped[str | None] = mapped_column(
        # use_alter: sessions refer to their owner key, so the two tables form a cycle.
        String(36),
        ForeignKey("sessions.id", ondelete="CASCADE", use_alter=True),
        index=True,
    )
    account_id: Mapped[str | None] = mapped_column(String(36))


class SessionRow(Base):
    """A trading session owned by one API key; its state lives in its events."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(64), ForeignKey("api_keys.key_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="backtest", server_default="backtest")
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    simulation_start: Mapped[int] = mapped_column(BigInteger)
    simulation_end: Mapped[int] = mapped_column(BigInteger)
    config: Mapped[str] = mapped_column(Text)


class SessionEventRow(Base):
    """One journaled event: ``seq`` runs 1, 2, 3, … without gaps within a session."""

    __tablename__ = "session_events"

    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ts: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    # Indexed for the activity feed, which lists events newest-committed first.
    committed_at: Mapped[int] = mapped_column(BigInteger, index=True)


class SystemEventRow(Base):
    """One event of an owner's ``system`` stream: ``seq`` runs 1, 2, 3, … per owner key.

    Sessions created and deleted, systems started and stopped, server restarts:
    what happened to an owner outside any one session's journal. ``ts`` is
    wall time; ``session_id`` names the session an event is about, if any (no
    foreign key: the record outlives its session). There is no foreign key to
    the owner either, so deleting a bound key never fails on its history.
    """

    __tablename__ = "system_events"
    __table_args__ = (UniqueConstraint("owner_key_id", "seq"),)

    # SQLite auto-increments only an INTEGER primary key (its rowid).
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    owner_key_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    ts: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)


class WatchlistRow(Base):
    """A named, ordered list of symbols of one account of a session (Alpaca's watchlist).

    Account configuration, not trading state: it is kept here rather than in
    the session's journal, changes take effect at once, and it goes with its
    session (``ON DELETE CASCADE``). ``symbols`` is a JSON array of symbols.
    """

    __tablename__ = "watchlists"
    __table_args__ = (UniqueConstraint("session_id", "account_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(64))
    symbols: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class CheckpointRow(Base):
    """A snapshot of a session at journal seq ``seq``: it bounds a restore's replay.

    The journal stays what makes a session durable; a checkpoint only saves
    replaying the events up to ``seq``. ``payload`` is the snapshot's JSON,
    zlib-compressed (never pickle); ``digest`` the SHA-256 of the uncompressed
    JSON, checked before a restore uses it. It goes with its session.
    """

    __tablename__ = "session_checkpoints"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class BrokerCredentialRow(Base):
    """A broker account's credentials, encrypted at rest with the server's key.

    ``ciphertext`` is the Fernet token of the credentials' JSON; only
    ``key_hint`` (the last four characters of the key id) is ever shown.
    Owned by the API key that stored them.
    """

    __tablename__ = "broker_credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(200))
    broker: Mapped[str] = mapped_column(String(32))
    key_hint: Mapped[str] = mapped_column(String(16))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger)


class ReconciliationRow(Base):
    """One reconciliation run of a live session against its broker.

    ``differences`` is a JSON array of the differences found (empty for a
    clean run); ``outcome`` is ``clean``, ``adopted``, ``halted`` or
    ``approved``. Books are changed only by the journal's
    ``ReconciliationApplied`` events; this table is the record of every run.
    """

    __tablename__ = "reconciliation_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    ts: Mapped[int] = mapped_column(BigInteger)
    trigger: Mapped[str] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    differences: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class SessionSummaryRow(Base):
    """What a session came to, stored once when it ends: its history entry.

    Money (``initial_equity``, ``final_equity``, ``pnl``) is exact decimal
    text; the ratios a history list sorts and filters by (``total_return``,
    ``max_drawdown``, ``sharpe``) are floats, as every ratio in
    :mod:`paperbroker.analytics` is, and ``NULL`` where undefined.
    ``metrics`` is the JSON object of every metric; ``run_record`` the JSON
    object that makes the run reproducible (code version, data digest,
    parameters, seed, execution models).
    """

    __tablename__ = "session_summaries"

    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    owner_key_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    strategy: Mapped[str | None] = mapped_column(String(300))
    params: Mapped[str] = mapped_column(Text)
    symbols: Mapped[str] = mapped_column(Text)
    period_start: Mapped[int] = mapped_column(BigInteger)
    period_end: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int] = mapped_column(BigInteger, index=True)
    initial_equity: Mapped[str] = mapped_column(String(64))
    final_equity: Mapped[str] = mapped_column(String(64))
    pnl: Mapped[str] = mapped_column(String(64))
    total_return: Mapped[float | None] = mapped_column(Float)
    max_drawdown: Mapped[float | None] = mapped_column(Float)
    sharpe: Mapped[float | None] = mapped_column(Float)
    trades: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[str] = mapped_column(Text)
    run_record: Mapped[str] = mapped_column(Text)


class TemplateRow(Base):
    """A named session configuration an owner saved, to create sessions from.

    ``config`` is the JSON body a session is created with (the same schema as
    ``POST /v1/sessions`` or the paper/live routes, by ``kind``); built-in
    presets are code, not rows.
    """

    __tablename__ = "session_templates"
    __table_args__ = (UniqueConstraint("owner_key_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    config: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class SweepRow(Base):
    """A parameter sweep: its specification (JSON) and how far it has come."""

    __tablename__ = "sweeps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    strategy: Mapped[str] = mapped_column(String(300))
    spec: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)


class SweepResultRow(Base):
    """One backtest of a sweep: a parameter set on one window (``fold``; 0 without walk-forward).

    ``window`` is a JSON object (its phase, ``in_sample`` / ``out_of_sample``
    / ``full``, and its start and end); ``metrics`` the run's metrics as JSON;
    ``score`` the sweep's objective, a float for sorting (``NULL`` where undefined).
    """

    __tablename__ = "sweep_results"

    sweep_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("sweeps.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fold: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    params: Mapped[str] = mapped_column(Text)
    window: Mapped[str] = mapped_column(Text)
    metrics: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    fills_digest: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
