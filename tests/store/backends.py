"""Test databases: a SQLite file per test, or a PostgreSQL schema per test.

The API tests' databases come migrated: a copy of a SQLite file migrated once
per process (:func:`migrated_sqlite`), or the process's migrated PostgreSQL
schema emptied for the test (:func:`migrated_schema`).

PostgreSQL isolation: each pytest process (each xdist worker) creates its own
database ``pb_test_<random>`` through the ``test`` database and drops it (with
``FORCE``) when it ends; each test gets a fresh schema in it, selected through
the connection's ``search_path``, and dropped after the test. Runs never see
each other's tables and leave nothing behind.

The server is found at ``PAPERBROKER_TEST_POSTGRES_URL`` if set, else at
``postgresql://<user>@127.0.0.1:5432/test`` with ``PGUSER``, ``postgres`` or the
current user (trust auth). If none answers, PostgreSQL tests skip with one
line, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, Connection, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from paperbroker.store.db import create_engine_for, normalize_database_url
from paperbroker.store.migrate import migrate

POSTGRES_URL_ENV = "PAPERBROKER_TEST_POSTGRES_URL"


def in_ci() -> bool:
    """Whether the CI environment asks for every backend to run."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _candidate_urls() -> list[URL]:
    explicit = os.environ.get(POSTGRES_URL_ENV)
    if explicit:
        return [normalize_database_url(explicit)]
    users = [os.environ.get("PGUSER"), "postgres", getpass.getuser()]
    unique = list(dict.fromkeys(user for user in users if user))
    return [normalize_database_url(f"postgresql://{user}@127.0.0.1:5432/test") for user in unique]


def find_postgres() -> URL:
    """The URL of the ``test`` database, or skip (fail under CI) if unreachable."""
    failures: list[str] = []
    for url in _candidate_urls():
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return url
        except DBAPIError as exc:
            failures.append(f"{url.render_as_string()}: {str(exc.orig).strip().splitlines()[0]}")
        finally:
            engine.dispose()
    reason = f"PostgreSQL not reachable: {'; '.join(failures)}"
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def temporary_database(server: URL) -> Iterator[URL]:
    """Create ``pb_test_<random>`` on ``server``'s cluster; drop it on exit."""
    name = f"pb_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def temporary_schema(database: URL) -> Iterator[URL]:
    """Create a fresh schema in ``database``; yield a URL whose search_path is it."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield database.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


#: Per process: each database's migrated schema (its URL), its tables and sequences.
_MIGRATED: dict[str, tuple[URL, list[str], list[str]]] = {}
#: Per process: a SQLite file with every migration applied, copied for each test.
_SQLITE_TEMPLATE: list[Path] = []


@contextmanager
def migrated_schema(database: URL) -> Iterator[URL]:
    """A schema of ``database`` with every migration applied and no rows; yield a URL
    whose search_path is it.

    Made and migrated once per process (its database is the process's own, dropped at
    its end), then emptied for each test: its rows deleted and its sequences
    restarted. A test sees the database a fresh migration leaves, without
    paying for the migration's DDL each time (most of an API test's setup on
    PostgreSQL); ``DELETE`` rather than ``TRUNCATE``, which makes new files for every
    table and costs more on tables this small.
    """
    key = url_text(database)
    found = _MIGRATED.get(key)
    if found is None:
        schema = f"t_{secrets.token_hex(6)}"
        admin = create_engine(database, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = database.update_query_dict({"options": f"-csearch_path={schema}"})
        engine = create_engine_for(url)
        migrate(engine)
        tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
        with engine.connect() as conn:
            sequences = conn.scalars(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()"
                )
            ).all()
        engine.dispose()
        found = _MIGRATED[key] = (url, tables, list(sequences))
    url, tables, sequences = found
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _empty(conn, tables, sequences)
    finally:
        engine.dispose()
    yield url


def _empty(conn: Connection, tables: list[str], sequences: list[str]) -> None:
    """Delete every row of ``tables`` and restart ``sequences``. Foreign keys (some run
    both ways) are not checked while it deletes, as a superuser may ask; another user
    empties the tables with one ``TRUNCATE … CASCADE`` instead."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        names = ", ".join(f'"{table}"' for table in tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in tables:
        conn.execute(text(f'DELETE FROM "{table}"'))
    for name in sequences:
        conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


def migrated_sqlite(path: Path) -> str:
    """A SQLite file at ``path`` with every migration applied and no rows: a copy of one
    migrated once per process. Its URL."""
    if not _SQLITE_TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="pb-sqlite-template-")) / "migrated.db"
        engine = create_engine_for(f"sqlite:///{template}")
        migrate(engine)
        engine.dispose()
        _SQLITE_TEMPLATE.append(template)
    shutil.copyfile(_SQLITE_TEMPLATE[0], path)
    return f"sqlite:///{path}"


def url_text(url: URL) -> str:
    """``url`` as a string a subprocess can use (password included)."""
    return url.render_as_string(hide_password=False)
