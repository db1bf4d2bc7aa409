"""Database backups: written, verified, restorable; refused whole when they cannot be made.

Every test runs on SQLite and on PostgreSQL (a schema of its own: the dump is
of the whole database, and the sessions are read from the schema in use).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url
from tests.store.backends import find_postgres, temporary_database, url_text

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.store.backup import backup_database, missing_tools
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

NOON = datetime_to_ns(datetime(2030, 5, 6, 12, 0, 1, tzinfo=UTC))


@pytest.fixture
def stored(repo: SessionsRepo, journal: Journal, owner: str) -> list[SessionRecord]:
    """Three sessions, the first with a few events."""
    records = [
        repo.create(owner, name=f"s{i}", simulation_start=0, simulation_end=10) for i in range(3)
    ]
    journal.append(
        records[0].id, [EncodedEvent(seq, seq, "Note", 1, f'{{"n": {seq}}}') for seq in (1, 2, 3)]
    )
    return records


def read_back(url: URL) -> tuple[list[SessionRecord], list[EncodedEvent]]:
    """The sessions of the database at ``url`` and the first one's events."""
    engine = create_engine_for(url)
    try:
        factory = session_factory(engine)
        records = SessionsRepo(factory).list_all()
        return records, Journal(factory).read(records[0].id) if records else []
    finally:
        engine.dispose()


def restore_dump(dump: Path, db_url: URL, into: URL) -> URL:
    """Restore a PostgreSQL dump of the database at ``db_url`` into the empty database
    ``into``; return the URL that reads it in the same schema."""
    libpq = url_text(into.set(drivername="postgresql"))
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={libpq}", str(dump)],
        check=True, capture_output=True,
    )  # fmt: skip
    return into.update_query_dict({"options": db_url.query["options"]})


def test_backup_holds_every_session_and_event_and_restores(
    db_url: URL, stored: list[SessionRecord], journal: Journal, tmp_path: Path
) -> None:
    backup = backup_database(db_url, tmp_path / "backups", now_ns=lambda: NOON)
    assert backup.session_ids == {r.id for r in stored}
    assert backup.path.parent == tmp_path / "backups"
    assert backup.path.stat().st_size == backup.size > 0
    stem = "journal" if backup.backend == "sqlite" else db_url.database
    suffix = ".db" if backup.backend == "sqlite" else ".dump"
    assert backup.path.name == f"{stem}-backup-20300506T120001Z{suffix}"
    assert not list(backup.path.parent.glob("*.partial"))

    if backup.backend == "sqlite":  # a SQLite backup is a database of its own
        records, events = read_back(make_url(f"sqlite:///{backup.path}"))
    else:
        with temporary_database(find_postgres()) as empty:
            records, events = read_back(restore_dump(backup.path, db_url, empty))
    assert records == stored
    assert events == journal.read(stored[0].id)


def test_backup_in_the_same_second_gets_a_name_of_its_own(
    db_url: URL, stored: list[SessionRecord], tmp_path: Path
) -> None:
    first = backup_database(db_url, tmp_path, now_ns=lambda: NOON)
    second = backup_database(db_url, tmp_path, now_ns=lambda: NOON)
    assert second.path != first.path
    assert second.path.stem == first.path.stem + "-2"
    assert first.path.exists()


def test_backup_to_an_unwritable_place_raises_and_leaves_nothing(
    db_url: URL, stored: list[SessionRecord], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(OperationalError, match=r"could not write a backup to .*a-file/sub"):
        backup_database(db_url, blocker / "sub")
    assert [p.name for p in tmp_path.rglob("*") if "backup" in p.name or "partial" in p.name] == []


def test_sqlite_backup_goes_next_to_the_database_by_default(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///{tmp_path / 'db' / 'server.db'}")
    with pytest.raises(OperationalError, match="does not exist"):
        backup_database(url)  # never creates the database it is to copy
    assert not (tmp_path / "db").exists()
    (tmp_path / "db").mkdir()
    engine = create_engine_for(url)
    try:
        from paperbroker.store.migrate import migrate

        migrate(engine)
    finally:
        engine.dispose()
    backup = backup_database(url, now_ns=lambda: NOON)
    assert backup.path == tmp_path / "db" / "server-backup-20300506T120001Z.db"
    assert backup.session_ids == frozenset()
    assert missing_tools(url) == []


def test_postgresql_backup_needs_its_tools_and_a_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_url("postgresql://someone@127.0.0.1:5432/somewhere")
    with pytest.raises(InvalidRequest, match="needs a directory"):
        backup_database(url)
    assert shutil.which("pg_dump")  # the tests run where the client programs are
    assert missing_tools(url) == []
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_tools(url) == ["pg_dump", "pg_restore"]
    with pytest.raises(OperationalError, match="pg_dump and pg_restore not found on the PATH"):
        backup_database(url, tmp_path / "backups")
    assert not (tmp_path / "backups").exists()


def test_postgresql_backup_of_an_unreachable_server_is_one_clear_error(tmp_path: Path) -> None:
    url = make_url("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(OperationalError, match=r"could not read the database: .*127\.0\.0\.1"):
        backup_database(url, tmp_path)
    assert list(tmp_path.iterdir()) == []
