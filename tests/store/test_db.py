"""Engines: supported URLs only, and the durability settings on every SQLite connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError as SAOperationalError

from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.store.db import (
    READ_ONLY_OPTION,
    check_durability,
    create_engine_for,
    normalize_database_url,
)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///./paperbroker.db", "sqlite+pysqlite"),
        ("sqlite+pysqlite:////tmp/x.db", "sqlite+pysqlite"),
        ("postgresql://u@127.0.0.1:5432/test", "postgresql+psycopg"),
        ("postgres://u@127.0.0.1/test", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/test", "postgresql+psycopg"),
    ],
)
def test_supported_urls_map_to_their_driver(url: str, driver: str) -> None:
    assert normalize_database_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "backend 'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/db", "driver 'psycopg2' is not supported"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("not a url", "not a valid URL"),
    ],
)
def test_unsupported_urls_are_refused_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        create_engine_for(url)


def test_synchronous_off_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="synchronous level 'OFF'"):
        create_engine_for(f"sqlite:///{tmp_path / 'x.db'}", "OFF")


@pytest.mark.parametrize(("level", "code"), [("FULL", 2), ("normal", 1), ("EXTRA", 3)])
def test_every_sqlite_connection_gets_wal_synchronous_and_foreign_keys(
    tmp_path: Path, level: str, code: int
) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}", level)
    try:
        # Two connections at once: the settings are per connection, not per file.
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                conn.execution_options(**{READ_ONLY_OPTION: True})
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == code
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                busy_timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                assert busy_timeout is not None
                assert busy_timeout >= 1000
        check_durability(engine, level)
    finally:
        engine.dispose()


def test_check_durability_refuses_a_weaker_level_than_expected(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}", "NORMAL")
    try:
        with pytest.raises(OperationalError, match="synchronous is 1, expected 2"):
            check_durability(engine, "FULL")
    finally:
        engine.dispose()


def test_check_durability_accepts_the_configured_backend(bare_engine: Engine) -> None:
    check_durability(bare_engine)


def test_sqlite_writers_lock_at_begin_and_readers_do_not_wait(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as writer, engine.connect() as second:
            writer.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            writer.commit()
            writer.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: holds the write lock
            raw = second.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(SAOperationalError, match="locked"):
                second.exec_driver_sql("SELECT 1")  # a second BEGIN IMMEDIATE must wait
            second.rollback()
            second.execution_options(**{READ_ONLY_OPTION: True})
            assert second.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()
