"""Engines and sessions for the journal database: SQLite (WAL) or PostgreSQL (psycopg 3).

Only two backends are supported, each set up for durability:

- **SQLite**, a file database. Every connection gets ``journal_mode=WAL``,
  ``synchronous=<FULL|NORMAL|EXTRA>``, ``foreign_keys=ON`` and a
  ``busy_timeout``. Transactions start with ``BEGIN IMMEDIATE`` so that a
  writer takes the write lock before it reads (a deferred transaction that
  upgrades later fails at once with ``SQLITE_BUSY`` instead of waiting);
  read-only work opens its session with :func:`read_session`, which starts a
  deferred ``BEGIN`` and so never waits for a writer.
- **PostgreSQL** through psycopg 3: ``postgresql://`` (and ``postgres://``)
  URLs are rewritten to ``postgresql+psycopg://``; other drivers are refused.

:func:`check_durability` reads the settings back from a live connection, for
a server to assert at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from paperbroker.core.errors import InvalidRequest, OperationalError

#: The ``synchronous`` levels allowed for SQLite; OFF is never durable.
SQLITE_SYNCHRONOUS_LEVELS: Final = ("NORMAL", "FULL", "EXTRA")
_SYNCHRONOUS_CODES: Final = {"NORMAL": 1, "FULL": 2, "EXTRA": 3}
#: How long a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
#: The execution option :func:`read_session` sets; SQLite then starts a deferred BEGIN.
READ_ONLY_OPTION: Final = "paperbroker_read_only"

SessionFactory = sessionmaker[Session]


def normalize_database_url(url: str | URL) -> URL:
    """Parse ``url`` and map it onto a supported driver.

    Returns ``sqlite+pysqlite`` URLs for file databases and
    ``postgresql+psycopg`` URLs for PostgreSQL.

    Raises:
        InvalidRequest: for a malformed URL, an in-memory SQLite database,
            another PostgreSQL driver or any other backend.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # The URL is not echoed: it may hold a password.
        raise InvalidRequest(
            "the database URL is not a valid URL; use sqlite:///PATH or postgresql://…"
        ) from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise InvalidRequest(f"SQLite driver {driver!r} is not supported; use sqlite:///PATH")
        if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
            raise InvalidRequest(
                "an in-memory SQLite database is not durable; give a file, e.g. sqlite:///./x.db"
            )
        return parsed.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise InvalidRequest(
                f"PostgreSQL driver {driver!r} is not supported; use postgresql://… (psycopg 3)"
            )
        return parsed.set(drivername="postgresql+psycopg")
    raise InvalidRequest(
        f"database backend {backend!r} is not supported; use sqlite:///PATH or postgresql://…"
    )


def normalize_synchronous(level: str) -> str:
    """Upper-case ``level`` and check it is one of :data:`SQLITE_SYNCHRONOUS_LEVELS`.

    Raises:
        InvalidRequest: for any other value (OFF in particular).
    """
    upper = level.strip().upper()
    if upper not in SQLITE_SYNCHRONOUS_LEVELS:
        allowed = ", ".join(SQLITE_SYNCHRONOUS_LEVELS)
        raise InvalidRequest(f"SQLite synchronous level {level!r} is not one of {allowed}")
    return upper


def create_engine_for(url: str | URL, sqlite_synchronous: str = "FULL") -> Engine:
    """Create an engine for ``url`` with the durability settings described above.

    Raises:
        InvalidRequest: for an unsupported URL or synchronous level.
    """
    parsed = normalize_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, normalize_synchronous(sqlite_synchronous))
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL, synchronous: str) -> Engine:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module: the "begin"
        # hook below emits BEGIN itself, and PRAGMAs run outside transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise OperationalError(f"SQLite refused WAL mode (journal_mode is {mode!r})")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> SessionFactory:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def read_session(factory: SessionFactory) -> Iterator[Session]:
    """A session for reads only: on SQLite it never waits for a writer.

    Writing through it is possible but can fail with "database is locked"
    under contention; write with ``factory.begin()`` instead.
    """
    with factory() as session:
        session.connection(execution_options={READ_ONLY_OPTION: True})
        yield session


def check_durability(engine: Engine, sqlite_synchronous: str = "FULL") -> None:
    """Read the durability settings back from a live connection and refuse weak ones.

    SQLite must be in WAL mode with the expected ``synchronous`` level and
    foreign keys on; PostgreSQL must have ``fsync`` and ``synchronous_commit`` on.

    Raises:
        OperationalError: naming the first setting that is off.
    """
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY_OPTION: True})
        if engine.dialect.name == "sqlite":
            expected = _SYNCHRONOUS_CODES[normalize_synchronous(sqlite_synchronous)]
            found = {
                "journal_mode": str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()).lower(),
                "synchronous": conn.exec_driver_sql("PRAGMA synchronous").scalar(),
                "foreign_keys": conn.exec_driver_sql("PRAGMA foreign_keys").scalar(),
            }
            wanted: dict[str, tuple[object, ...]] = {
                "journal_mode": ("wal",),
                "synchronous": (expected,),
                "foreign_keys": (1,),
            }
        else:
            found = {
                name: str(conn.exec_driver_sql(f"SHOW {name}").scalar())
                for name in ("fsync", "synchronous_commit")
            }
            # remote_write and remote_apply also flush the local WAL before a commit returns.
            wanted = {
                "fsync": ("on",),
                "synchronous_commit": ("on", "remote_write", "remote_apply"),
            }
    for name, values in wanted.items():
        if found[name] not in values:
            raise OperationalError(
                f"database setting {name} is {found[name]!r}, expected {values[0]!r}"
            )
