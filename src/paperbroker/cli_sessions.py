"""``paperbroker sessions …``: the server's sessions, seen and ended from the machine it runs on.

The commands open the settings' database (``PAPERBROKER_DATABASE_URL``) and go
through the code the API uses: the session service restores a session from
its journal and stops it exactly as ``POST /v1/sessions/{id}/stop`` would,
journal events and all. They act as an operator of the machine, for every
owner's sessions. The service here starts no threads: a running backtest does
not play and a paper session's feed does not run while a command looks at it.

A graceful stop of a backtest finishes at once (its clock moves through the
data until the closing orders are done). A paper session's closing orders
need bars from its feed, which only the server runs: a paper session with
open orders or positions is left ``stopping``, and the server finishes the
stop when it next runs (it restores the session and restarts its feed).

Errors are one line on stderr: exit code 2 for bad input on the command line,
1 for anything else (an unknown session or key, a move the lifecycle does not
have, invalid settings, an unreachable database, a refused clear).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from paperbroker.cli_help import Cli

if TYPE_CHECKING:
    from rich.console import Console

    from paperbroker.services.sessions import SessionService
    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory
    from paperbroker.store.sessions_repo import SessionRecord

#: The width of tables written to a pipe or a file rather than a terminal.
_PIPE_WIDTH = 200

sessions_app = Cli(
    help="Sessions of the server's database, every owner's: list, show, create, stop, "
    "clear; their risk and emergency controls.",
    no_args_is_help=True,
)

KeyOption = Annotated[
    str | None,
    typer.Option("--key", metavar="KEY_ID", help="Only the sessions owned by this key (PK…)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _out() -> Console:
    from rich.console import Console

    # Piped output is not folded to 80 columns: a line stays whole for grep and cut.
    wide = None if sys.stdout.isatty() else _PIPE_WIDTH
    return Console(highlight=False, soft_wrap=True, width=wide)


def escape(text: str) -> str:
    """``text`` with Rich's markup escaped (Rich is imported when something is printed)."""
    from rich.markup import escape

    return escape(text)


def _fail(message: object, code: int) -> NoReturn:
    from rich.console import Console

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(f"[bold red]error:[/] {escape(str(message))}")
    raise typer.Exit(code=code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn errors into one line on stderr: exit 2 for bad input, 1 for anything else."""
    from sqlalchemy.exc import SQLAlchemyError

    from paperbroker.core.errors import InvalidRequest, PaperbrokerError

    try:
        yield
    except InvalidRequest as error:
        _fail(error, 2)
    except PaperbrokerError as error:
        _fail(error, 1)
    except SQLAlchemyError as error:  # an unreachable or broken database
        cause = getattr(error, "orig", None) or error
        lines = str(cause).strip().splitlines() or [type(cause).__name__]
        _fail(f"database error: {lines[0]}", 1)


@dataclass
class _Db:
    """The settings, their database and (built on first use) the session service."""

    settings: Settings
    factory: SessionFactory
    _service: SessionService | None = None

    @property
    def service(self) -> SessionService:
        if self._service is None:
            self._service = _offline_service(self.settings, self.factory)
        return self._service

    def records(self, key: str | None) -> list[SessionRecord]:
        """Every session, oldest first, or those of ``key`` (which must exist)."""
        from paperbroker.store.keys import ApiKeys
        from paperbroker.store.sessions_repo import SessionsRepo

        records = SessionsRepo(self.factory).list_all()
        if key is None:
            return records
        ApiKeys(self.factory).get(key)  # NotFound for a key that does not exist
        return [r for r in records if r.owner_key_id == key]

    def record(self, session_id: str) -> SessionRecord:
        import uuid

        from paperbroker.core.errors import NotFound
        from paperbroker.store.sessions_repo import SessionsRepo

        try:
            session_id = str(uuid.UUID(session_id))
        except ValueError:
            raise NotFound(f"session {session_id!r} not found") from None
        return SessionsRepo(self.factory).find(session_id)


@contextmanager
def _open() -> Iterator[_Db]:
    from paperbroker.cli_common import _database, _settings

    settings = _settings()
    with _database(settings) as factory:
        db = _Db(settings, factory)
        try:
            yield db
        finally:
            if db._service is not None:
                db._service.shutdown()


def _offline_service(settings: Settings, factory: SessionFactory) -> SessionService:
    """The server's session service on this database, without play loops or feeds."""
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.market import MarketData

    # Restoring a session must not set it moving in this process: the server plays
    # and feeds sessions, a command only reads or ends them.
    return SessionService(
        factory=factory,
        market=MarketData.load(settings.data_dir),
        log_dir=settings.log_dir,
        news_dir=settings.data_dir / "news",
        drive=False,
    )


# -- list ------------------------------------------------------------------------------
@sessions_app.command("list")
def sessions_list(
    key: KeyOption = None,
    state: Annotated[
        str | None,
        typer.Option(
            help="Only sessions in this state: paused, running, stopping, stopped, "
            "killed, completed, error."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List every session (of every owner, oldest first) with its state and clock."""
    with _errors():
        wanted = None if state is None else _state(state)
        with _open() as db:
            rows = [_row(db, record) for record in db.records(key)]
    rows = [row for row in rows if wanted is None or row["state"] == wanted]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table(title="Sessions (times in UTC)")
    for column in ("id", "name", "type", "state", "owner", "current time", "created"):
        table.add_column(column, no_wrap=column == "id", overflow="fold")
    for row in rows:
        state_text = row["state"] if row["error"] is None else f"{row['state']} (unreadable)"
        kind = f"{row['type']} [bold red]REAL MONEY[/]" if row["real_money"] else row["type"]
        table.add_row(
            row["id"], escape(row["name"]), kind, state_text, row["owner_key_id"],
            _short(row["current_time"]), _short(row["created_at"]),
        )  # fmt: skip
    out = _out()
    out.print(table)
    for row in rows:
        if row["error"] is not None:
            out.print(f"{row['id']} could not be restored: {escape(row['error'])}")


def _state(text: str) -> str:
    from paperbroker.core.errors import InvalidRequest
    from paperbroker.session.lifecycle import SessionState

    states = [s.value for s in SessionState]
    if text.lower() not in states:
        raise InvalidRequest(f"unknown state {text!r}: one of {', '.join(states)}")
    return text.lower()


def _row(db: _Db, record: SessionRecord) -> dict[str, Any]:
    """One line of the list; a session that does not restore shows its stored status."""
    from paperbroker.core.errors import PaperbrokerError
    from paperbroker.services.live import broker_of

    try:  # from what is stored: shown even for a session that does not restore
        broker = broker_of(json.loads(record.config))
    except (PaperbrokerError, ValueError):
        broker = None
    row: dict[str, Any] = {
        "id": record.id,
        "name": record.name,
        "type": record.kind,
        "real_money": broker is not None and broker.real_money,
        "state": record.status,
        "owner_key_id": record.owner_key_id,
        "current_time": None,
        "created_at": _time(record.created_at),
        "error": None,
    }
    try:
        view = db.service.get(record.owner_key_id, record.id)
    except PaperbrokerError as error:
        row["error"] = str(error)
        return row
    row["state"] = view.state
    row["current_time"] = _time(view.current_time)
    return row


def _time(ts_ns: int) -> str:
    """RFC 3339 UTC with ``Z``, to the nanosecond, as the API writes times.

    (Not ``api.formats.time_text``: importing the API would slow every ``list`` down.)
    """
    from paperbroker.core.clock import NANOS_PER_SECOND, ns_to_datetime

    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    text = ns_to_datetime(seconds * NANOS_PER_SECOND).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{nanos:09d}".rstrip("0") if nanos else "") + "Z"


def _short(stamp: str | None) -> str:
    """``2012-01-03T14:30:00Z`` as ``2012-01-03 14:30:00`` (UTC), for a table."""
    return "-" if stamp is None else stamp[:19].replace("T", " ")


# -- show ------------------------------------------------------------------------------
@sessions_app.command("show")
def sessions_show(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session's id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one session: the API's session view, its accounts, positions and agents."""
    with _errors(), _open() as db:
        detail = _detail(db, db.record(session_id))
    if as_json:
        typer.echo(json.dumps(detail, indent=2))
    else:
        _print_detail(detail)


def _detail(db: _Db, record: SessionRecord) -> dict[str, Any]:
    from paperbroker.api.responses import AccountPublic, PositionPublic, SessionPublic

    owner, service = record.owner_key_id, db.service
    view = service.get(owner, record.id)
    detail: dict[str, Any] = {
        **SessionPublic.of(view).model_dump(mode="json"),
        "owner_key_id": owner,
    }
    accounts = []
    for account_id in service.runtime(owner, record.id).kernel.portfolios:
        account = AccountPublic.of(service.account(owner, record.id, account_id))
        accounts.append(
            {
                **account.model_dump(mode="json"),
                "open_orders": len(service.orders(owner, record.id, account_id, "open")),
                "positions": [
                    PositionPublic.of(p).model_dump(mode="json")
                    for p in service.positions(owner, record.id, account_id)
                ],
            }
        )
    detail["accounts"] = accounts
    pipeline = service.pipeline(owner, record.id)
    detail["agents"] = [] if pipeline is None else pipeline.graph()[0]
    return detail


def _print_detail(detail: dict[str, Any]) -> None:
    from rich.table import Table

    out = _out()
    if detail["real_money"]:
        out.print(
            f"[bold red]REAL MONEY[/]: this session trades a real-money account "
            f"({escape(detail['broker']['type'])}, endpoint {escape(detail['broker']['endpoint'])})"
        )
    facts = Table(title=f"Session {detail['id']}", show_header=False, title_justify="left")
    facts.add_column("field", style="bold")
    facts.add_column("value", overflow="fold")
    for name, value in detail.items():
        if name in ("accounts", "agents"):
            continue
        facts.add_row(name, escape(_flat(value)))
    out.print(facts)

    accounts = Table(title="Accounts", title_justify="left")
    for column in ("account", "cash", "equity", "realized P&L", "unrealized P&L", "open orders"):
        accounts.add_column(column, justify="left" if column == "account" else "right")
    positions = Table(title="Positions", title_justify="left")
    for column in ("account", "symbol", "qty", "avg entry", "market value", "unrealized P&L"):
        positions.add_column(column, justify="left" if column in ("account", "symbol") else "right")
    for account in detail["accounts"]:
        accounts.add_row(
            account["id"], account["cash"], account["equity"], account["realized_pnl"],
            account["unrealized_pnl"], str(account["open_orders"]),
        )  # fmt: skip
        for p in account["positions"]:
            positions.add_row(
                account["id"], p["symbol"], p["qty"], p["avg_entry_price"], p["market_value"],
                p["unrealized_pnl"],
            )  # fmt: skip
    out.print(accounts)
    if positions.row_count:
        out.print(positions)
    else:
        out.print("No open positions.")
    if not detail["agents"]:
        out.print("No pipeline: the session is traded by hand.")
        return
    agents = Table(title="Agents", title_justify="left")
    for column in ("name", "type", "status", "id"):
        agents.add_column(column)
    for agent in detail["agents"]:
        agents.add_row(agent["name"], agent["type"], agent["status"], agent["id"])
    out.print(agents)


def _flat(value: object) -> str:
    """A field's value on one line, as JSON's values read: nested settings as
    ``key=value`` pairs, lists in brackets, ``-`` for nothing."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_nested(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return str(value)


def _nested(value: object) -> str:
    return f"({_flat(value)})" if isinstance(value, dict) else _flat(value)


# -- stop ------------------------------------------------------------------------------
@sessions_app.command("stop")
def sessions_stop(
    session_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="The session to stop.")
    ] = None,
    stop_all: Annotated[
        bool, typer.Option("--all", help="Stop every session that has not ended.")
    ] = False,
    key: KeyOption = None,
    yes: YesOption = False,
) -> None:
    """Stop sessions gracefully: cancel open orders, close positions, end.

    A backtest stops at once. A paper session with something to close stays
    ``stopping``: its closing orders need bars, which its feed brings only
    while the server runs; the server finishes the stop when it next runs.
    """
    with _errors():
        if (session_id is None) == (not stop_all):
            raise _usage("give a session ID or --all (not both)")
        if key is not None and not stop_all:
            raise _usage("--key goes with --all")
        failed = 0
        with _open() as db:
            if session_id is not None:
                record = db.record(session_id)
                _out().print(_stopped_line(record.id, *_stop(db, record)))
            else:
                failed = _stop_all(db, key, yes)
    if failed:
        _fail(f"{failed} session(s) could not be stopped", 1)


def _stop_all(db: _Db, key: str | None, yes: bool) -> int:
    """Stop every session of ``key`` (or everyone's) that can stop; how many failed."""
    from paperbroker.core.errors import PaperbrokerError
    from paperbroker.session.lifecycle import (
        ENDED,
        SESSION_TRANSITIONS,
        SessionState,
        SessionTrigger,
    )

    stoppable = {
        s.value for s in SessionState if SESSION_TRANSITIONS.allows(s, SessionTrigger.STOP)
    }
    candidates: list[tuple[SessionRecord, str | None]] = []  # with why it cannot be read
    for record in db.records(key):
        if record.status in ENDED:  # stored after the journal's last move: it has ended
            continue
        try:
            state = db.service.get(record.owner_key_id, record.id).state
        except PaperbrokerError as error:
            candidates.append((record, str(error)))
            continue
        if state in stoppable:
            candidates.append((record, None))
    if not candidates:
        _out().print("No sessions to stop.")
        return 0
    if not yes:
        whose = "" if key is None else f" of {key}"
        typer.confirm(f"Stop {len(candidates)} session(s){whose}?", abort=True)
    failed = 0
    for record, unreadable in candidates:
        try:
            if unreadable is not None:
                raise PaperbrokerError(unreadable)
            line = _stopped_line(record.id, *_stop(db, record))
        except PaperbrokerError as error:
            failed += 1
            line = f"{record.id}: not stopped: {escape(str(error))}"
        _out().print(line)
    return failed


def _stop(db: _Db, record: SessionRecord) -> tuple[str, str]:
    """Stop the session through the service; its new state and the reason journaled with it."""
    from paperbroker.model.events import SessionStateChanged

    view = db.service.stop(record.owner_key_id, record.id)
    runtime = db.service.runtime(record.owner_key_id, record.id)
    moves = [e for e in runtime.kernel.events if isinstance(e, SessionStateChanged)]
    return view.state, moves[-1].reason if moves else ""


def _stopped_line(session_id: str, state: str, reason: str) -> str:
    if state == "stopping":
        return (
            f"{session_id}: stopping (its closing orders wait for bars from its feed, which "
            "only the server runs; the server finishes the stop when it next runs)"
        )
    return f"{session_id}: {state}" + (f" ({escape(reason)})" if reason else "")


def _usage(message: str) -> Exception:
    from paperbroker.core.errors import InvalidRequest

    return InvalidRequest(message)


# -- clear -----------------------------------------------------------------------------
@sessions_app.command("clear")
def sessions_clear(
    key: KeyOption = None,
    yes: YesOption = False,
    backup_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where the backup goes (default: next to a SQLite database; "
            "PAPERBROKER_DATA_DIR/backups for PostgreSQL).",
        ),
    ] = None,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="Delete without backing the database up first.")
    ] = False,
) -> None:
    """Delete sessions (every one, or one key's) with their journals, after a verified backup.

    The whole database is backed up first (SQLite: the backup API; PostgreSQL:
    pg_dump) and the backup is checked; if it cannot be written or does not
    hold every session to delete, nothing is deleted.
    """
    with _errors(), _open() as db:
        records = db.records(key)
        if not records:
            _out().print("No sessions to clear.")
            return
        if not no_backup:
            _check_tools(db.settings.database_url)
        whose = "" if key is None else f" of {key}"
        if not yes:
            typer.confirm(
                f"Delete {len(records)} session(s){whose} and their journals?", abort=True
            )
        if no_backup:
            typer.echo("warning: no backup was made (--no-backup)", err=True)
        else:
            _backup(db, records, backup_dir)
        deleted = _delete(db, records)
        _out().print(f"Deleted {deleted} session(s){whose} with their journals.")


def _check_tools(database_url: str) -> None:
    from paperbroker.core.errors import OperationalError
    from paperbroker.store.backup import missing_tools

    missing = missing_tools(database_url)
    if missing:
        raise OperationalError(
            f"nothing deleted: {' and '.join(missing)} not found, so the database cannot be "
            "backed up first; install the PostgreSQL client programs, or pass --no-backup"
        )


def _backup(db: _Db, records: Sequence[SessionRecord], backup_dir: Path | None) -> None:
    from paperbroker.core.errors import OperationalError
    from paperbroker.store.backup import backup_database
    from paperbroker.store.db import normalize_database_url

    url = db.settings.database_url
    if backup_dir is None and normalize_database_url(url).get_backend_name() != "sqlite":
        backup_dir = db.settings.data_dir / "backups"
    try:
        backup = backup_database(url, backup_dir)
    except OperationalError as error:
        raise OperationalError(f"nothing deleted: {error}") from error
    missing = [r.id for r in records if r.id not in backup.session_ids]
    if missing:
        raise OperationalError(
            f"nothing deleted: the backup {backup.path} lacks {len(missing)} of the sessions "
            f"(e.g. {missing[0]})"
        )
    _out().print(
        f"Backup: {backup.path} ({len(backup.session_ids)} session(s), {backup.size:,} bytes, "
        "verified)"
    )


def _delete(db: _Db, records: Sequence[SessionRecord]) -> int:
    from paperbroker.core.errors import NotFound
    from paperbroker.store.sessions_repo import SessionsRepo

    repo = SessionsRepo(db.factory)
    deleted = 0
    # Newest first: a session that a bound key created (earlier versions allowed it) goes
    # before the session its key is bound to, which would otherwise hand it to its owner.
    for record in reversed(records):
        try:
            repo.delete(record.owner_key_id, record.id)  # its events and bound keys go too
        except NotFound:
            continue  # deleted meanwhile
        deleted += 1
    return deleted
