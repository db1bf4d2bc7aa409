"""Fixtures for the storage tests: every test runs on SQLite and on PostgreSQL.

See :mod:`tests.store.backends` for how PostgreSQL runs are isolated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, make_url
from tests.store.backends import (
    find_postgres,
    migrated_schema,
    migrated_sqlite,
    temporary_database,
    temporary_schema,
)

from paperbroker.store.db import SessionFactory, create_engine_for, session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """A database of this test process's own on the local PostgreSQL, dropped at the end."""
    with temporary_database(find_postgres()) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database every storage test runs on, in turn."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'journal.db'}")
        return
    database: URL = request.getfixturevalue("postgres_database")
    with temporary_schema(database) as url:
        yield url


@pytest.fixture
def bare_engine(db_url: URL) -> Iterator[Engine]:
    """An engine on the empty database (not migrated)."""
    engine = create_engine_for(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a migrated database: ``bare_engine``'s, migrated, for a test that
    uses that or ``db_url`` too; else one a migration left, without running it again
    (``migrated_sqlite``, ``migrated_schema`` of :mod:`tests.store.backends`)."""
    if "bare_engine" in request.fixturenames or "db_url" in request.fixturenames:
        bare: Engine = request.getfixturevalue("bare_engine")
        migrate(bare)
        yield bare
        return
    if backend == "sqlite":
        engine = create_engine_for(migrated_sqlite(tmp_path / "journal.db"))
        yield engine
        engine.dispose()
        return
    with migrated_schema(request.getfixturevalue("postgres_database")) as url:
        engine = create_engine_for(url)
        yield engine
        engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
def journal(factory: SessionFactory) -> Journal:
    return Journal(factory)


@pytest.fixture
def keys(factory: SessionFactory) -> ApiKeys:
    return ApiKeys(factory)


@pytest.fixture
def repo(factory: SessionFactory) -> SessionsRepo:
    return SessionsRepo(factory)


@pytest.fixture
def owner(keys: ApiKeys) -> str:
    """The key id of an ordinary key."""
    key_id, _ = keys.create("owner")
    return key_id


@pytest.fixture
def trading_session(repo: SessionsRepo, owner: str) -> SessionRecord:
    """A session owned by ``owner``, with no events yet."""
    return repo.create(owner, name="s1", simulation_start=0, simulation_end=10**18)
