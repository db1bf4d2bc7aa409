"""Migrations: applied at start-up, idempotent, reversible, and equal to the ORM schema."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Engine, inspect, text
from tests.store.backends import url_text

from paperbroker.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_current,
    migrate,
    packaged_head,
)
from paperbroker.store.tables import Base

TABLES = {
    "api_keys",
    "sessions",
    "session_events",
    "system_events",
    "watchlists",
    "session_checkpoints",
    "broker_credentials",
    "reconciliation_runs",
    "session_summaries",
    "session_templates",
    "sweeps",
    "sweep_results",
    "alembic_version",
}


def schema_diff(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_a_fresh_database_is_migrated_to_head(bare_engine: Engine) -> None:
    assert current_revision(bare_engine) is None
    migrate(bare_engine)
    assert current_revision(bare_engine) == head_revision() == "0007"
    assert set(inspect(bare_engine).get_table_names()) == TABLES


def test_migrate_is_idempotent(bare_engine: Engine) -> None:
    migrate(bare_engine)
    migrate(bare_engine)
    assert current_revision(bare_engine) == head_revision()
    assert schema_diff(bare_engine) == []


def test_the_migrated_schema_matches_the_orm_tables(engine: Engine) -> None:
    assert schema_diff(engine) == []


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert schema_diff(engine) == []


def test_0005_drops_the_snapshots_table_and_keeps_the_journal(bare_engine: Engine) -> None:
    with bare_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0004")
    assert "session_snapshots" in inspect(bare_engine).get_table_names()
    with bare_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (key_id, secret_hash, is_admin, label, created_at) "
                "VALUES ('k1', 'x', false, 'owner', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sessions (id, owner_key_id, name, status, created_at, "
                "simulation_start, simulation_end, config) "
                "VALUES ('s1', 'k1', 'kept', 'paused', 0, 0, 1, '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO session_events (session_id, seq, ts, kind, schema_version, payload, "
                "committed_at) VALUES ('s1', 1, 0, 'AccountOpened', 1, '{}', 0)"
            )
        )
    migrate(bare_engine)
    assert current_revision(bare_engine) == head_revision()
    assert "session_snapshots" not in inspect(bare_engine).get_table_names()
    assert schema_diff(bare_engine) == []
    with bare_engine.connect() as conn:
        assert conn.execute(text("SELECT seq FROM session_events")).scalars().all() == [1]
    with bare_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    assert "session_snapshots" in inspect(bare_engine).get_table_names()


def test_the_packaged_head_read_from_the_files_is_alembic_s() -> None:
    assert packaged_head() == head_revision()


def test_a_database_behind_is_brought_to_head(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert not is_current(engine)
    migrate(engine)
    assert is_current(engine)
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []


def test_a_database_at_head_is_left_alone_without_importing_alembic(
    engine: Engine, db_url: URL
) -> None:
    assert is_current(engine)
    probe = (
        "import sys\n"
        "from paperbroker.store.db import create_engine_for\n"
        "from paperbroker.store.migrate import migrate\n"
        f"engine = create_engine_for({url_text(db_url)!r})\n"
        "migrate(engine)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert current_revision(engine) == head_revision()
