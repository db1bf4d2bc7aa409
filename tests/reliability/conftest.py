"""Fixtures of the reliability tests: the real server's database, a SQLite file and a
PostgreSQL one (as the integration tests')."""

from __future__ import annotations

from tests.integration.conftest import database_url

__all__ = ["database_url"]
