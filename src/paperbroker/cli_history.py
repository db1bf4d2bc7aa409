"""``paperbroker history`` and ``paperbroker rerun``: ended sessions, from the database.

Both open the settings' database (``PAPERBROKER_DATABASE_URL``, or ``--db``)
and go through the code the API uses, as an operator of the machine: the
history lists every owner's ended sessions (or one key's), and a rerun
replays an ended session's run record as a new backtest of its owner's, run
to its end, then compares the digests of the two runs' fills: exit 0 when
they are equal, 1 when not.

Errors are one line on stderr: exit code 2 for bad input, 1 for anything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory

DbOption = Annotated[
    str | None,
    typer.Option("--db", metavar="URL", help="The database (default: PAPERBROKER_DATABASE_URL)."),
]
_SORTS = "ended_at, total_return, max_drawdown, pnl, sharpe, trades, name"


@contextmanager
def cli_errors() -> Iterator[None]:
    """The session commands' one-line errors (exit 2 for bad input, 1 otherwise), with a
    refusal in the API's words (a strategy's parameter) as bad input too."""
    from paperbroker.api.errors import ApiError
    from paperbroker.cli_sessions import _errors, _fail

    try:
        with _errors():
            yield
    except ApiError as error:
        _fail(error, 2 if error.status == 422 else 1)


@contextmanager
def open_database(db: str | None) -> Iterator[tuple[Settings, SessionFactory]]:
    """The settings (with ``db`` as their database, if given) and their database."""
    from paperbroker.cli_common import _database
    from paperbroker.settings import load_settings

    settings = load_settings() if db is None else load_settings(database_url=db)
    with _database(settings) as factory:
        yield settings, factory


def history(
    kind: Annotated[
        str | None, typer.Option("--type", help="Only this type: backtest, paper, live.")
    ] = None,
    strategy: Annotated[str | None, typer.Option(help="Only sessions of this strategy.")] = None,
    state: Annotated[str | None, typer.Option(help="Only: stopped, killed, completed.")] = None,
    sort: Annotated[str, typer.Option(help=f"One of {_SORTS}.")] = "ended_at",
    ascending: Annotated[bool, typer.Option("--asc", help="Smallest first.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    key: Annotated[
        str | None, typer.Option("--key", metavar="KEY_ID", help="Only this key's sessions.")
    ] = None,
    db: DbOption = None,
) -> None:
    """List ended sessions (every owner's, newest end first) with what they came to."""
    from paperbroker.cli_sessions import _errors, _out, escape
    from paperbroker.core.errors import InvalidRequest
    from paperbroker.store.summaries import SORT_KEYS, HistoryQuery, SummariesRepo

    with _errors():
        if sort not in SORT_KEYS:
            raise InvalidRequest(f"--sort: one of {_SORTS}, got {sort!r}")
        if kind is not None and kind not in ("backtest", "paper", "live"):
            raise InvalidRequest(f"--type: backtest, paper or live, got {kind!r}")
        query = HistoryQuery(
            kind=kind, strategy=strategy, state=state, sort=sort,  # type: ignore[arg-type]
            descending=not ascending, limit=limit,
        )  # fmt: skip
        with open_database(db) as (_settings, factory):
            page = SummariesRepo(factory).list(key, query)
    from rich.table import Table

    table = Table(title=f"History: {len(page.items)} of {page.total} ended sessions")
    for column in ("session", "name", "type", "state", "strategy", "ended", "P&L", "return",
                   "max DD", "Sharpe", "trades"):  # fmt: skip
        table.add_column(column, no_wrap=column == "session", overflow="fold")
    for s in page.items:
        table.add_row(
            s.session_id, escape(s.name), s.kind, s.state, escape(s.strategy or "-"),
            _when(s.ended_at), str(s.pnl), _pct(s.total_return), _pct(s.max_drawdown),
            "-" if s.sharpe is None else f"{s.sharpe:.2f}", str(s.trades),
        )  # fmt: skip
    _out().print(table)


def rerun(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="An ended session's id.")],
    db: DbOption = None,
) -> None:
    """Replay an ended session's run record as a new backtest and compare the fills' digests
    (exit 0 when equal, 1 when not)."""
    from paperbroker.api.session_bodies import rerun_session
    from paperbroker.cli_sessions import _offline_service
    from paperbroker.store.keys import ApiKeys
    from paperbroker.store.sessions_repo import SessionsRepo

    with cli_errors(), open_database(db) as (settings, factory):
        record = SessionsRepo(factory).find(_canonical(session_id))
        caller = ApiKeys(factory).get(record.owner_key_id)
        service = _offline_service(settings, factory)
        try:
            original = service.history.get(caller.key_id, record.id)
            created = rerun_session(service, caller, record.id)
            again = service.history.get(caller.key_id, created.id)
        finally:
            service.shutdown()
    first, second = original.run_record["fills_digest"], again.run_record["fills_digest"]
    typer.echo(f"original {record.id}  fills {original.run_record['fills']:>6}  digest {first}")
    typer.echo(f"rerun    {created.id}  fills {again.run_record['fills']:>6}  digest {second}")
    if first != second:
        typer.echo("the rerun's fills differ from the original's")
        raise typer.Exit(code=1)
    typer.echo("reproduced: the same fills")


def _canonical(session_id: str) -> str:
    import uuid

    from paperbroker.core.errors import NotFound

    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        raise NotFound(f"session {session_id!r} not found") from None


def _when(ts_ns: int) -> str:
    from paperbroker.core.clock import ns_to_text

    return ns_to_text(ts_ns)[:19].replace("T", " ")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"
