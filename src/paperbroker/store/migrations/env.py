"""Alembic environment for the paperbroker journal database.

Run programmatically by :func:`paperbroker.store.migrate.migrate`, which hands
over an open connection in ``config.attributes["connection"]``. Without one
(for instance when generating a revision by hand) it connects to the
``sqlalchemy.url`` main option. SQLite runs in batch mode, so column and
constraint changes work there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from paperbroker.store.db import create_engine_for
from paperbroker.store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url configured")
    engine = create_engine_for(url)
    try:
        with engine.begin() as owned:
            _run(owned)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
_run_online()
