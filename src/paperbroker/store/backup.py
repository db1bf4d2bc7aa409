"""Backups of the journal database, written and verified before anything is deleted.

:func:`backup_database` copies the database behind a URL to a timestamped file
and checks the copy before it returns, so a caller may delete afterwards
(``paperbroker sessions clear`` does). A backup that cannot be written or does
not verify raises :class:`~paperbroker.core.errors.OperationalError` and leaves
no file behind: the copy is written as ``<name>.partial`` and renamed only once
it has passed its checks.

- **SQLite**: the online backup API (:meth:`sqlite3.Connection.backup`) copies
  a consistent snapshot, even while a server writes (in WAL mode readers do
  not block writers), to ``<stem>-backup-<UTC time>.db`` next to the database
  or in the given directory. The copy is switched to rollback-journal mode, so
  it is one self-contained file that opens as a database of its own. It is
  verified with ``PRAGMA integrity_check`` and by reading its sessions back.
- **PostgreSQL**: ``pg_dump --format=custom`` of the whole database to
  ``<database>-backup-<UTC time>.dump`` (restore it with ``pg_restore``). It is
  verified with ``pg_restore --list`` (its table of contents must hold the
  sessions table's data) and by reading the sessions back out of the dump.
  ``pg_dump`` and ``pg_restore`` must be installed; :func:`missing_tools` says
  which are not, so a caller can refuse before it asks anyone anything.

The backup reports the ids of the sessions it holds: a caller deleting
sessions checks that every one of them is in it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import URL, text
from sqlalchemy.exc import SQLAlchemyError

from paperbroker.core.clock import ns_to_datetime
from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.store.db import SQLITE_BUSY_TIMEOUT_MS, create_engine_for, normalize_database_url

#: The PostgreSQL client programs a backup needs.
POSTGRES_TOOLS: Final = ("pg_dump", "pg_restore")
_PARTIAL: Final = ".partial"


@dataclass(frozen=True, slots=True)
class DatabaseBackup:
    """A verified backup: where it is, of which backend, and the sessions it holds."""

    path: Path
    backend: str  # "sqlite" | "postgresql"
    size: int  # bytes
    session_ids: frozenset[str]


def missing_tools(url: str | URL) -> list[str]:
    """The programs a backup of ``url``'s database needs but cannot find on the PATH.

    Always empty for SQLite (Python's ``sqlite3`` does the work).

    Raises:
        InvalidRequest: for an unsupported database URL.
    """
    if normalize_database_url(url).get_backend_name() == "sqlite":
        return []
    return [tool for tool in POSTGRES_TOOLS if shutil.which(tool) is None]


def backup_database(
    url: str | URL,
    directory: Path | None = None,
    *,
    now_ns: Callable[[], int] = time.time_ns,
) -> DatabaseBackup:
    """Back up the database behind ``url`` to a timestamped file and verify it.

    ``directory`` is where the file goes (created if missing); by default a
    SQLite backup goes next to the database, and a PostgreSQL one needs it.

    Raises:
        InvalidRequest: for an unsupported URL, or a PostgreSQL backup without
            a directory.
        OperationalError: if the backup cannot be written (an unwritable
            directory, a full disk, a missing ``pg_dump``) or does not verify;
            no file is left behind then.
    """
    parsed = normalize_database_url(url)
    stamp = ns_to_datetime(now_ns()).strftime("%Y%m%dT%H%M%SZ")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_backup(parsed, directory, stamp)
    if directory is None:
        raise InvalidRequest("a PostgreSQL backup needs a directory to write to")
    return _postgres_backup(parsed, directory, stamp)


# -- SQLite ----------------------------------------------------------------------------
def _sqlite_backup(url: URL, directory: Path | None, stamp: str) -> DatabaseBackup:
    source = Path(url.database or "").resolve()
    if not source.is_file():
        raise OperationalError(f"the SQLite database {source} does not exist")
    folder = source.parent if directory is None else directory.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, f"{source.stem}-backup-{stamp}", ".db")
        partial = target.with_name(target.name + _PARTIAL)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    try:
        # mode=rw: never create a database where there was none.
        origin = sqlite3.connect(
            f"{source.as_uri()}?mode=rw", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        try:
            copy = sqlite3.connect(partial)
            try:
                origin.backup(copy)
                # One self-contained file: no -wal or -shm beside it.
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            origin.close()
        session_ids = _verify_sqlite(partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        _discard(partial)
        raise _unwritable(folder, exc) from exc
    except BaseException:
        _discard(partial)
        raise
    return DatabaseBackup(target, "sqlite", target.stat().st_size, session_ids)


def _verify_sqlite(path: Path) -> frozenset[str]:
    """Open the copy read-only: it must pass its integrity check and hold a sessions table."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise OperationalError(f"the backup failed its integrity check: {result[0]}")
            return frozenset(row[0] for row in conn.execute("SELECT id FROM sessions"))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise OperationalError(f"the backup does not verify: {exc}") from exc


# -- PostgreSQL ------------------------------------------------------------------------
def _postgres_backup(url: URL, directory: Path, stamp: str) -> DatabaseBackup:
    missing = missing_tools(url)
    if missing:
        raise OperationalError(
            f"{' and '.join(missing)} not found on the PATH: install the PostgreSQL client "
            "programs (e.g. the postgresql-client package) to back up a PostgreSQL database"
        )
    pg_dump, pg_restore = (shutil.which(tool) or tool for tool in POSTGRES_TOOLS)
    schema = _sessions_schema(url)
    folder = directory.resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, f"{url.database}-backup-{stamp}", ".dump")
        partial = target.with_name(target.name + _PARTIAL)
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    conninfo, env = _libpq(url)
    try:
        _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={conninfo}"], env)
        if not partial.is_file() or partial.stat().st_size == 0:
            raise OperationalError("pg_dump wrote an empty backup")
        listing = _run([pg_restore, "--list", str(partial)], env)
        if not re.search(rf"\bTABLE DATA {re.escape(schema)} sessions\b", listing):
            raise OperationalError("the backup's table of contents lacks the sessions' data")
        data = _run(
            [pg_restore, "--data-only", f"--schema={schema}", "--table=sessions", "--file=-",
             str(partial)],
            env,
        )  # fmt: skip
        session_ids = _copied_ids(data)
        os.replace(partial, target)
    except OSError as exc:
        _discard(partial)
        raise _unwritable(folder, exc) from exc
    except BaseException:
        _discard(partial)
        raise
    return DatabaseBackup(target, "postgresql", target.stat().st_size, session_ids)


def _sessions_schema(url: URL) -> str:
    """The schema whose ``sessions`` table the URL's connections use (its search_path)."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(
                text(
                    "SELECT n.nspname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.oid = to_regclass('sessions')"
                )
            ).scalar()
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise OperationalError(
            f"could not read the database: {cause[0] if cause else exc}"
        ) from exc
    finally:
        engine.dispose()
    if schema is None:
        raise OperationalError("the database has no sessions table to back up")
    return str(schema)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the client programs, and their environment.

    The password goes into the environment (``PGPASSWORD``), never onto a
    command line that ``ps`` would show.
    """
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    bare = url.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _run(command: Sequence[str], env: dict[str, str]) -> str:
    """Run a PostgreSQL client program; its stdout, or its first error line as an error."""
    program = Path(command[0]).name
    try:
        # The arguments are ours: the tool's absolute path, file names and a conninfo.
        done = subprocess.run(  # noqa: S603
            list(command), capture_output=True, text=True, env=env, check=False
        )
    except OSError as exc:
        raise OperationalError(f"{program} could not run: {exc}") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[0].strip() if lines else f"exit code {done.returncode}"
        raise OperationalError(f"{program} failed: {detail}")
    return done.stdout


def _copied_ids(dump: str) -> frozenset[str]:
    """The ``id`` column of the sessions table's COPY block in a plain-text dump."""
    lines = iter(dump.splitlines())
    for line in lines:
        header = re.match(r"COPY \S+ \((.*)\) FROM stdin;$", line)
        if header is None:
            continue
        columns = [name.strip().strip('"') for name in header.group(1).split(",")]
        position = columns.index("id")
        ids: set[str] = set()
        for row in lines:
            if row == "\\.":
                return frozenset(ids)
            ids.add(row.split("\t")[position])
        break
    raise OperationalError("the backup holds no readable data of the sessions table")


# -- files -----------------------------------------------------------------------------
def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem-2``, ``stem-3``, … if it is taken."""
    candidate = folder / f"{stem}{suffix}"
    number = 1
    while candidate.exists() or candidate.with_name(candidate.name + _PARTIAL).exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def _discard(partial: Path) -> None:
    with contextlib.suppress(OSError):  # the original error is the one to report
        partial.unlink(missing_ok=True)


def _unwritable(folder: Path, exc: BaseException) -> OperationalError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return OperationalError(f"could not write a backup to {folder}: {reason}")
