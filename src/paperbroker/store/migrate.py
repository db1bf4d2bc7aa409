"""Apply the Alembic migrations shipped inside the package, without an alembic.ini.

:func:`migrate` runs ``upgrade head`` in one transaction, and only when the
database is behind: a database already at the packaged head (every restart
of a server) costs one query, and Alembic is not even imported. On
PostgreSQL an advisory lock makes concurrent start-ups wait for each other;
on SQLite ``BEGIN IMMEDIATE`` does the same. SQLite foreign keys are
switched off while a migration runs (batch migrations rebuild tables, and
dropping a parent table would otherwise cascade into its children) and
checked with ``PRAGMA foreign_key_check`` before the commit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, inspect, text

from paperbroker.core.errors import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions: it is needed once, at start-up,
# and importing it takes about as long as importing SQLAlchemy.

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY: Final = int.from_bytes(b"pbmigr", "big")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (and ``connection``, if given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise OperationalError("the packaged migrations have no head revision")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` if it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


#: A migration file's ``revision = "0003"`` or ``down_revision: str | None = "0002"``.
_REVISION_LINE = re.compile(r'^(down_)?revision\b[^=\n]*=\s*(?:"([^"]*)"|None)\s*$', re.MULTILINE)


def packaged_head() -> str | None:
    """The newest revision the package ships, read from the migration files without
    Alembic (``None`` if they do not name exactly one head: then ask Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, revision in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).update([revision] if revision else [])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_current(engine: Engine) -> bool:
    """Whether the database is at the packaged head already (one query, no Alembic)."""
    head = packaged_head()
    if head is None:
        return False
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stored == [head]


def migrate(engine: Engine) -> None:
    """Bring the database behind ``engine`` up to :func:`head_revision`, if it is behind.

    Raises:
        OperationalError: if the migrated SQLite database breaks a foreign key.
    """
    if is_current(engine):
        return
    from alembic import command

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(conn, on=False)
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
                command.upgrade(alembic_config(conn), "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise OperationalError(
                            f"migration left {len(broken)} rows with broken foreign keys"
                        )
        finally:
            if sqlite:
                _sqlite_foreign_keys(conn, on=True)


def _sqlite_foreign_keys(conn: Connection, *, on: bool) -> None:
    # PRAGMA foreign_keys is a no-op inside a transaction, so it goes to the
    # driver connection directly (which runs in autocommit mode, see db.py).
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
