"""Fixtures of the tests that run the real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url
from tests.store.backends import find_postgres, temporary_database, url_text


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database for the server: a SQLite file, then a temporary PostgreSQL one."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    with temporary_database(find_postgres()) as url:
        yield url_text(make_url(url))
