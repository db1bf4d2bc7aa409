"""The journal database schema as typed SQLAlchemy ORM tables.

Every timestamp is an integer count of nanoseconds since the Unix epoch (UTC),
as everywhere else in paperbroker. Event payloads and session
configs are JSON text produced by the caller's codec and stored exactly as
given: there are no float columns, so money never passes through a float here.

The Alembic migrations in ``migrations/versions`` must produce exactly this
schema; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
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
