"""Test databases: a SQLite file per test, or a PostgreSQL schema per test.

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
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import URL, create_engine, text
from sqlalchemy.exc import DBAPIError

from paperbroker.store.db import normalize_database_url

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


def url_text(url: URL) -> str:
    """``url`` as a string a subprocess can use (password included)."""
    return url.render_as_string(hide_password=False)
