"""What the ``paperbroker`` commands share: output, one-line errors, settings, the database.

Nothing here imports more than Typer at import time: Rich, the settings and
the store are imported by the command that uses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from paperbroker.core.errors import InvalidRequest, PaperbrokerError

if TYPE_CHECKING:
    from rich.console import Console

    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory


def _console(*, stderr: bool = False) -> Console:
    """A Rich console on stdout or stderr (Rich is imported when something is printed)."""
    from rich.console import Console

    return Console(stderr=stderr)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn paperbroker's errors into one line on stderr and exit code 2."""
    try:
        yield
    except PaperbrokerError as error:
        _console(stderr=True).print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _invalid(message: str) -> PaperbrokerError:
    return InvalidRequest(message)


def _settings(host: str | None = None, port: int | None = None) -> Settings:
    from paperbroker.settings import load_settings

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    return load_settings(**overrides)


@contextmanager
def _database(settings: Settings) -> Iterator[SessionFactory]:
    """The settings' database, durable and migrated; disposed of on exit."""
    from paperbroker.store.db import check_durability, create_engine_for, session_factory
    from paperbroker.store.migrate import migrate

    engine = create_engine_for(settings.database_url, settings.sqlite_synchronous)
    try:
        check_durability(engine, settings.sqlite_synchronous)
        migrate(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()
