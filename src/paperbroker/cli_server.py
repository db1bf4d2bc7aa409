"""``paperbroker serve``, ``paperbroker openapi`` and ``paperbroker keys …``: the session
server, its OpenAPI document and its API keys."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperbroker.cli_common import (
    _console,
    _credential_store,
    _database,
    _invalid,
    _settings,
    _user_errors,
)
from paperbroker.cli_help import Cli
from paperbroker.core.clock import ns_to_datetime

if TYPE_CHECKING:
    from paperbroker.store.db import SessionFactory

keys_app = Cli(help="API keys of the server's database.", no_args_is_help=True)


def _base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    host: Annotated[
        str | None,
        typer.Option(help="The address to bind (default: PAPERBROKER_HOST, or 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="The port to bind (default: PAPERBROKER_PORT, or 5000)."),
    ] = None,
) -> None:
    """Run the session server (the /v1 API) until interrupted.

    On its first start on an empty database it creates an admin key and
    prints it once. It answers at once; every session comes back in the
    state it was in when the server stopped, restored in the background (a
    request for a session waits for its restore). A port that is in use is
    an error before anything else happens.
    """
    with _user_errors(), _collections_paused() as resume:
        import uvicorn

        from paperbroker.api import create_app
        from paperbroker.core.crashpoints import ENVIRONMENT, armed
        from paperbroker.feeds.config import AlpacaCredentials
        from paperbroker.services.events import EventSettings
        from paperbroker.services.sessions import SessionService
        from paperbroker.session.market import MarketData
        from paperbroker.store.keys import ApiKeys

        settings = _settings(host, port)
        listener = _listen(settings.host.strip("[]"), settings.port)
        with listener, _database(settings) as factory:
            credentials = _credential_store(settings, factory)  # a bad secret key: before a key
            keys = ApiKeys(factory)
            admin = keys.ensure_admin()
            base = _base_url(settings.host, settings.port)
            if admin is not None:
                typer.echo(f"admin key: {admin[0]}:{admin[1]}")
                typer.echo("(shown once; only a hash of the secret is stored)")
            typer.echo(f"base URL: {base}")
            typer.echo(f"API docs: {base}/docs")
            typer.echo(f"dashboard: {base}/")
            if armed() is not None:  # a test facility: docs/recovery.md, "Crash points"
                typer.echo(f"{ENVIRONMENT}: this server kills itself at {armed()}")
            service = SessionService(
                factory=factory,
                market=MarketData.load(settings.data_dir, deferred=True),
                log_dir=settings.log_dir,
                news_dir=settings.data_dir / "news",
                checkpoint_interval=settings.checkpoint_interval_seconds,
            )
            if settings.alpaca_key_id and settings.alpaca_secret_key:
                service.alpaca_credentials = AlpacaCredentials(
                    settings.alpaca_key_id.get_secret_value(),
                    settings.alpaca_secret_key.get_secret_value(),
                )
            service.credentials = credentials
            service.risk_free_rate = settings.risk_free_rate
            application = create_app(
                service,
                keys,
                event_settings=EventSettings(allowed_origins=settings.origins),
                restore=True,
                dashboard_dir=settings.dashboard_dir,
            )
            config = uvicorn.Config(
                application,
                host=settings.host.strip("[]"),
                port=settings.port,
                log_level=settings.log_level.lower(),
            )
            config.load()  # imports uvicorn's protocols, with the rest
            server = uvicorn.Server(config)
            resume()
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: it has shut down cleanly
                server.run(sockets=[listener])
    if not server.started:  # the application did not start (uvicorn logged why)
        raise typer.Exit(code=1)


def openapi(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write it here (default: stdout)."),
    ] = None,
) -> None:
    """Print the server's OpenAPI document (what GET /openapi.json serves).

    It needs no server, database or market data: for generating a client's
    types from it (the web dashboard's are).
    """
    text = json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    with _user_errors():
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _invalid(f"cannot write {output}: {error.strerror or error}") from None


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the application ``serve`` runs, built without a database
    (the application touches none until it serves)."""
    import tempfile

    from paperbroker.api import create_app
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.market import MarketData
    from paperbroker.store.db import create_engine_for, session_factory
    from paperbroker.store.keys import ApiKeys

    with tempfile.TemporaryDirectory() as unused:
        engine = create_engine_for(f"sqlite:///{Path(unused) / 'never-opened.db'}")
        try:
            factory = session_factory(engine)
            service = SessionService(factory=factory, market=MarketData.deferred(dict))
            return create_app(service, ApiKeys(factory)).openapi()
        finally:
            engine.dispose()


@contextlib.contextmanager
def _collections_paused() -> Iterator[Callable[[], None]]:
    """No cyclic garbage collection inside, or until the function it gives is called.

    For the server's start: its imports and the application it builds create
    a few hundred thousand objects that live as long as the process
    (modules, classes, pydantic models, routes), and little garbage (about a
    thousand objects). With the collector on, it walks the growing heap again
    and again, a tenth of the start. When collection resumes, what the start
    made is frozen (:func:`gc.freeze`): no collection walks it again, neither
    the first one, which would otherwise delay the first answer by a tenth of
    a second, nor the server's later full collections.
    """
    if not gc.isenabled():
        yield lambda: None
        return

    def resume() -> None:
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    gc.disable()
    try:
        yield resume
    finally:
        resume()


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, before the database is touched: a port in use
    is an error before a first start creates (and prints) its admin key.

    Raises:
        OperationalError: naming the address and the way to choose another port.
    """
    from paperbroker.core.errors import OperationalError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise OperationalError(
                f"cannot listen on {_base_url(host, port)}: the port is in use; stop what "
                "listens there, or choose another port with --port or PAPERBROKER_PORT"
            ) from None
        raise OperationalError(
            f"cannot listen on {_base_url(host, port)}: {error.strerror or error}"
        ) from None
    sock.set_inheritable(True)
    return sock


@keys_app.command("create")
def keys_create(
    label: Annotated[str, typer.Option(help="What the key is for.")] = "api",
    admin: Annotated[bool, typer.Option("--admin", help="Make it an admin key.")] = False,
    session: Annotated[
        str | None,
        typer.Option(
            metavar="SESSION_ID", help="Bind the key to this session: its /v2 calls trade there."
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option(
            metavar="ACCOUNT_ID",
            help="The session's account the key trades (default: its first).",
        ),
    ] = None,
) -> None:
    """Issue a key and print ``key_id:secret`` (the secret is not shown again).

    With ``--session`` the key is bound to one account of that session, so an
    Alpaca bot configured with it trades there through ``/v2``.
    """
    from paperbroker.store.keys import ApiKeys

    with _user_errors(), _database(_settings()) as factory:
        if session is None:
            if account is not None:
                raise _invalid("--account needs --session")
            key_id, secret = ApiKeys(factory).create(label, is_admin=admin)
        else:
            session, account = _binding(factory, session, account)
            key_id, secret = ApiKeys(factory).create(
                label, is_admin=admin, session_id=session, account_id=account
            )
    typer.echo(f"{key_id}:{secret}")
    if session is not None:
        typer.echo(f"bound to session {session}, account {account}", err=True)


def _binding(factory: SessionFactory, session: str, account: str | None) -> tuple[str, str]:
    """The session and account a key is to be bound to, checked against the database."""
    import uuid

    from paperbroker.core.errors import NotFound
    from paperbroker.session.accounts import session_account_ids
    from paperbroker.store.journal import Journal

    try:
        session = str(uuid.UUID(session))
    except ValueError:
        raise NotFound(f"session {session!r} not found") from None
    accounts = session_account_ids(Journal(factory), session)
    if account is None:
        return session, accounts[0]
    if account not in accounts:
        raise NotFound(
            f"session {session} has no account {account!r}: it has {', '.join(accounts)}"
        )
    return session, account


@keys_app.command("list")
def keys_list() -> None:
    """List every key (never a secret), revoked ones included."""
    from rich.table import Table

    from paperbroker.store.keys import ApiKeys

    with _user_errors(), _database(_settings()) as factory:
        records = ApiKeys(factory).list()
    table = Table(title="API keys")
    for column in ("key id", "label", "admin", "created", "revoked"):
        table.add_column(column)
    for record in records:
        revoked = record.revoked_at
        table.add_row(
            record.key_id,
            record.label,
            "yes" if record.is_admin else "no",
            ns_to_datetime(record.created_at).isoformat(timespec="seconds"),
            "-" if revoked is None else ns_to_datetime(revoked).isoformat(timespec="seconds"),
        )
    _console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key id (PK…).")]) -> None:
    """Revoke a key: it stops authenticating at once; its sessions stay in the database."""
    from paperbroker.store.keys import ApiKeys

    with _user_errors(), _database(_settings()) as factory:
        record = ApiKeys(factory).revoke(key_id)
    typer.echo(f"revoked {record.key_id}")
