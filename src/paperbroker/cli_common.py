"""What the ``paperbroker`` commands share: output, one-line errors, settings, the database.

Nothing here imports more than Typer at import time: Rich, the settings and
the store are imported by the command that uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from paperbroker.core.errors import InvalidRequest, PaperbrokerError

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet
    from rich.console import Console

    from paperbroker.broker.credentials import CredentialStore
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


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a dict (a later NAME wins).

    Raises:
        InvalidRequest: for a pair that is not ``NAME=VALUE``.
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise _invalid(f"--param {pair!r} is not NAME=VALUE")
        params[name.strip()] = value.strip()
    return params


def parse_symbols(text: str) -> list[str]:
    """``--symbols aapl,MSFT`` as ``["AAPL", "MSFT"]``: upper case everywhere, as in the
    API and the files; repeats dropped.

    Raises:
        InvalidRequest: for an empty list.
    """
    wanted = list(dict.fromkeys(s.strip().upper() for s in text.split(",") if s.strip()))
    if not wanted:
        raise _invalid("--symbols is empty")
    return wanted


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


def _credential_store(settings: Settings, factory: SessionFactory) -> CredentialStore:
    """The broker credentials of the settings' database, under the server's secret key
    (``PAPERBROKER_SECRET_KEY``, or the key file in the data directory, read or made
    when a credential first needs it), with the server's own Alpaca keys as the
    ``server`` credential.

    Raises:
        OperationalError: for a configured secret key that is not one.
    """
    import functools

    from paperbroker.broker.credentials import BrokerCredentials, CredentialStore, load_secret_keys

    secret = settings.secret_key
    configured = None if secret is None else secret.get_secret_value()
    keys: MultiFernet | Callable[[], MultiFernet]
    if configured:  # checked now: a bad key stops the server before it serves
        keys = load_secret_keys(configured, settings.data_dir)
    else:  # the key file is made when a credential first needs it
        keys = functools.partial(load_secret_keys, None, settings.data_dir)
    server = None
    if settings.alpaca_key_id and settings.alpaca_secret_key:
        server = BrokerCredentials(
            settings.alpaca_key_id.get_secret_value(), settings.alpaca_secret_key.get_secret_value()
        )
    return CredentialStore(factory, keys, server=server)
