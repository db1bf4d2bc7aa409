"""``paperbroker credentials …`` and ``paperbroker sessions create-live``: broker credentials
and live sessions, from the machine the server runs on.

As :mod:`paperbroker.cli_sessions`, the commands open the settings' database
and go through the code the API uses, as an operator of the machine (for
every owner). A secret is never an argument (a command line is visible to
other users of the machine): ``credentials add`` reads it from standard
input, hidden when that is a terminal. The secret key the credentials are
encrypted with is the server's (``PAPERBROKER_SECRET_KEY``, or the key file
in the data directory): run the commands with the server's settings.

``sessions create-live`` creates the session **paused**: the command runs no
feed and no broker link (only the server does), and a live session must not
look as if it traded while nothing drives it. Resume it on the server
(``POST /v1/sessions/{id}/resume``, or the dashboard): its feed and its
broker link start there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paperbroker.cli_help import Cli
from paperbroker.cli_risk import read_json_file
from paperbroker.cli_sessions import JsonOption, KeyOption, _errors, _open, _out, _usage, escape
from paperbroker.cli_sessions import sessions_app as sessions_app

if TYPE_CHECKING:
    from paperbroker.broker.credentials import CredentialRecord, CredentialStore
    from paperbroker.cli_sessions import _Db

credentials_app = Cli(
    help="Broker credentials of the server's database, every owner's: add, list, remove; "
    "the secret key they are encrypted with.",
    no_args_is_help=True,
)


def _store(db: _Db) -> CredentialStore:
    from paperbroker.cli_common import _credential_store

    store = _credential_store(db.settings, db.factory)
    db.service.credentials = store
    return store


def _shown(record: CredentialRecord) -> dict[str, str]:
    from paperbroker.cli_sessions import _time

    return {
        "id": record.id, "owner_key_id": record.owner_key_id, "label": record.label,
        "broker": record.broker, "key_hint": record.key_hint,
        "created_at": _time(record.created_at),
    }  # fmt: skip


def _read_secret() -> str:
    """The secret, from standard input: prompted without echo on a terminal, else its first line."""
    if sys.stdin.isatty():
        secret: str = typer.prompt("secret key", hide_input=True, err=True)
        return secret
    return sys.stdin.readline().rstrip("\r\n")


@credentials_app.command("add")
def credentials_add(
    key: Annotated[
        str, typer.Option("--key", metavar="KEY_ID", help="The API key that owns it (PK…).")
    ],
    key_id: Annotated[str, typer.Option("--key-id", metavar="ID", help="The broker's key id.")],
    label: Annotated[str, typer.Option(metavar="TEXT", help="What it is for.")] = "broker",
    broker: Annotated[str, typer.Option(metavar="BROKER", help="The broker: alpaca.")] = "alpaca",
    as_json: JsonOption = False,
) -> None:
    """Add a broker credential; its secret key is read from standard input (never an
    argument) and stored encrypted. Prints its id, for ``--credentials``."""
    with _errors(), _open() as db:
        from paperbroker.store.keys import ApiKeys

        ApiKeys(db.factory).get(key)  # NotFound for a key that does not exist
        store = _store(db)
        record = store.create(
            key, label=label, broker=broker, key_id=key_id, secret_key=_read_secret()
        )
    if as_json:
        typer.echo(json.dumps(_shown(record)))
    else:
        _out().print(f"{record.id}: {escape(record.label)} ({record.broker}, …{record.key_hint})")


@credentials_app.command("list")
def credentials_list(key: KeyOption = None, as_json: JsonOption = False) -> None:
    """List the credentials (every owner's, or ``--key``'s): never a secret."""
    with _errors(), _open() as db:
        store = _store(db)
        records = store.all() if key is None else store.list(key)
    rows = [_shown(record) for record in records]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table(title="Broker credentials (times in UTC)")
    for column in ("id", "label", "broker", "key id", "owner", "added"):
        table.add_column(column, no_wrap=column == "id", overflow="fold")
    for row in rows:
        table.add_row(
            row["id"], escape(row["label"]), row["broker"], "…" + row["key_hint"],
            row["owner_key_id"], row["created_at"][:19].replace("T", " "),
        )  # fmt: skip
    _out().print(table)


@credentials_app.command("remove")
def credentials_remove(
    credential_id: Annotated[str, typer.Argument(metavar="ID", help="The credential's id.")],
) -> None:
    """Remove a credential (refused while a live session that has not ended trades with it)."""
    with _errors(), _open() as db:
        import uuid

        from paperbroker.core.errors import NotFound

        try:
            credential_id = str(uuid.UUID(credential_id))
        except ValueError:
            raise NotFound(f"broker credential {credential_id!r} not found") from None
        record = _store(db).find(credential_id)
        db.service.remove_credential(record.owner_key_id, record.id)
    _out().print(f"{record.id} removed")


@credentials_app.command("new-key")
def credentials_new_key() -> None:
    """Print a new secret key, for ``PAPERBROKER_SECRET_KEY`` (it is not stored anywhere)."""
    from paperbroker.broker.credentials import generate_key

    typer.echo(generate_key())


@credentials_app.command("rotate")
def credentials_rotate() -> None:
    """Encrypt every credential again with the first of ``PAPERBROKER_SECRET_KEY``'s keys
    (the others only decrypt): the step of a key's rotation that retires the old one."""
    with _errors(), _open() as db:
        count = _store(db).rotate()
    _out().print(f"{count} credential(s) encrypted with the first secret key")


# -- sessions create-live -----------------------------------------------------------------
@sessions_app.command("create-live")
def sessions_create_live(
    key: Annotated[
        str, typer.Option("--key", metavar="KEY_ID", help="The key that owns the session (PK…).")
    ],
    broker: Annotated[
        str,
        typer.Option(
            metavar="BROKER",
            help="alpaca-paper, alpaca-live (REAL MONEY: needs --confirm-real-money) or the "
            "URL of a server speaking Alpaca's trading API.",
        ),
    ],
    credentials: Annotated[
        str,
        typer.Option(
            metavar="ID",
            help="A credential's id (credentials list), or server for the server's Alpaca keys.",
        ),
    ],
    symbols: Annotated[str, typer.Option(metavar="SYMBOL,...", help="The symbols it trades.")],
    name: Annotated[str | None, typer.Option(metavar="NAME", help="The session's name.")] = None,
    strategy: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Run this strategy (default: traded by hand)."),
    ] = None,
    feed: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Feed settings, JSON (docs/operations.md; default: replay)."
        ),
    ] = None,
    risk: Annotated[
        Path | None,
        typer.Option("--risk", metavar="FILE", help="Risk settings, JSON (docs/risk.md)."),
    ] = None,
    confirm_real_money: Annotated[
        bool,
        typer.Option(
            "--confirm-real-money", help="Required with alpaca-live: it trades real money."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a live session, paused: resume it on the server to start trading.

    As ``POST /api/live-trading/sessions`` does: its initial cash is the broker
    account's cash, read now through the broker.
    """
    with _errors():
        from paperbroker.agents.pipeline import standard_pipeline
        from paperbroker.broker.settings import BrokerSettings
        from paperbroker.risk.settings import RiskSettings
        from paperbroker.services.catalog import check_strategy_params
        from paperbroker.store.keys import ApiKeys

        settings = BrokerSettings.of_choice(broker, credentials)
        if settings.real_money and not confirm_real_money:
            raise _usage(
                "--confirm-real-money: alpaca-live trades real money; give the flag to "
                "create the session"
            )
        chosen = [s.strip().upper() for s in symbols.split(",") if s.strip()]
        rules = None if risk is None else RiskSettings.read(read_json_file(risk, "--risk"))
        feed_settings = None if feed is None else read_json_file(feed, "--feed")
        if feed_settings is not None and not isinstance(feed_settings, dict):
            raise _usage("--feed: the file must hold a JSON object")
        pipeline = None
        if strategy is not None:
            check_strategy_params(strategy, {})
            pipeline = standard_pipeline(strategy, {}, chosen, strategy_files=False)
        with _open() as db:
            ApiKeys(db.factory).get(key)  # NotFound for a key that does not exist
            _store(db)
            view = db.service.create_live(
                key, name=name, symbols=chosen, pipeline=pipeline, feed=feed_settings,
                broker=settings, risk=rules, confirm_real_money=confirm_real_money, start=False,
            )  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"id": view.id, "name": view.name, "state": view.state,
                               "real_money": view.real_money}))  # fmt: skip
        return
    marker = " [bold red]REAL MONEY[/]" if view.real_money else ""
    _out().print(
        f"{view.id}: {escape(view.name)} created ({view.state}){marker}; resume it on the "
        "server to start trading"
    )
