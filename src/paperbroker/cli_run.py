"""``paperbroker run``: trade a strategy in a paper session from the command line, no code.

The command reads its options (:mod:`~paperbroker.cli_run_plan`), builds the
server's session service on the server's settings
(:mod:`~paperbroker.cli_run_session`) and runs the loop
(:mod:`~paperbroker.cli_run_loop`), printing as it goes
(:mod:`~paperbroker.cli_run_view`). Importing this module loads Typer only:
``paperbroker --help`` stays quick.
"""

from __future__ import annotations

from typing import Annotated

import typer

from paperbroker.cli_sessions import _errors


def run(
    symbols: Annotated[
        str | None,
        typer.Option(metavar="SYMBOL,...", help="The symbols to trade (a new session)."),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="The strategy, by name (see 'paperbroker strategies list')."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME=VALUE", help="A strategy parameter (repeatable)."),
    ] = None,
    duration: Annotated[
        float,
        typer.Option(metavar="MINUTES", help="How long to run; 0 (the default): until Ctrl+C."),
    ] = 0.0,
    interval: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="Wall seconds between bars, each a decision of the strategy (default 60): "
            "synthetic: one bar every SECONDS; replay: the history plays one of its bars "
            "every SECONDS; alpaca: the live one-minute bars (60 only).",
        ),
    ] = None,
    checkpoint_interval: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Seconds between checkpoints of the session."),
    ] = 30.0,
    keep_checkpoints: Annotated[
        int,
        typer.Option(metavar="N", help="Keep the newest N checkpoints; older ones are cleaned up."),
    ] = 10,
    broker: Annotated[
        str,
        typer.Option(
            metavar="BROKER",
            help="sim (a paper session on the simulated venue), alpaca-paper, alpaca-live or "
            "the URL of a server speaking Alpaca's trading API (a live session).",
        ),
    ] = "sim",
    feed: Annotated[
        str | None,
        typer.Option(
            metavar="FEED",
            help="Where the bars come from: replay (the default with sim: the server's data, "
            "the bundled samples included), synthetic (a seeded random walk, any symbol) or "
            "alpaca (live bars, the default with a broker; needs the server's Alpaca keys).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(metavar="N", help="synthetic: the walk's seed (default 0).")
    ] = None,
    replay_start: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="replay: where in history it starts (default: the data's first bar).",
        ),
    ] = None,
    cash: Annotated[
        str | None,
        typer.Option(metavar="AMOUNT", help="sim: initial cash (default 100000)."),
    ] = None,
    execution: Annotated[
        str | None,
        typer.Option(
            metavar="PRESET",
            help="sim: the execution preset: ideal, alpaca_paper, equities_realistic (the "
            "default), crypto_taker.",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(metavar="TEXT", help="The new session's name (default cli-run).")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            metavar="KEY_ID", help="The key that owns the session (default: the admin key)."
        ),
    ] = None,
    credentials: Annotated[
        str | None,
        typer.Option(
            metavar="ID",
            help="A live --broker's stored credential (default: server, the server's own "
            "Alpaca keys).",
        ),
    ] = None,
    confirm_real_money: Annotated[
        bool,
        typer.Option("--confirm-real-money", help="Required by --broker alpaca-live."),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Resume the newest session this command made that has not ended."
        ),
    ] = False,
    resume_session: Annotated[
        str | None, typer.Option(metavar="ID", help="Resume this session.")
    ] = None,
    reconcile_only: Annotated[
        bool,
        typer.Option(
            "--reconcile-only",
            help="With --resume or --resume-session: restore, reconcile, print, exit.",
        ),
    ] = False,
) -> None:
    """Run a strategy in a paper or live session until the duration ends or Ctrl+C.

    The session is one of the server's: it is made on the server's database
    and data (PAPERBROKER_DATABASE_URL, PAPERBROKER_DATA_DIR; the settings
    'paperbroker serve' reads), owned by the admin key, and a server started
    later shows it in the API and the dashboard. Do not run a server on the
    same database meanwhile: it would drive the session too.

    --broker sim trades a paper session on the simulated venue; alpaca-paper,
    alpaca-live (REAL MONEY: needs --confirm-real-money) or the URL of a
    server speaking Alpaca's trading API trade a live session through that
    broker, with --credentials ID (see 'paperbroker credentials list') or the
    server's own Alpaca keys.

    It prints a header, a status line (clock, equity, positions, open orders,
    fills, closed trades, last checkpoint) and, at the end, a summary. Ctrl+C
    or SIGTERM, or the end of --duration, stop it gracefully: a final
    checkpoint, and the session is paused, its positions and orders kept.
    --resume finds it again (the newest session made by this command that
    has not ended; --resume-session ID names one), restores it from its
    checkpoint and journal, prints its positions, closed trades, last
    checkpoint and portfolio value, reconciles a live session with its
    broker, and trades on. After a crash (kill -9) the session is restored
    the same way: nothing journaled is lost.

    Exit codes: 0 done (duration reached, the session completed, or
    --reconcile-only), 1 error (the session or its feed failed, a
    reconciliation halted it, the database or broker is unreachable, nothing
    to resume), 2 bad options, 130 stopped by Ctrl+C, 143 stopped by SIGTERM.
    """
    from paperbroker.cli_run_plan import read_plan

    with _errors():  # one line on stderr: exit 2 for bad options, 1 for anything else
        plan = read_plan(
            symbols=symbols, strategy=strategy, param=param, duration_minutes=duration,
            interval=interval, checkpoint_interval=checkpoint_interval,
            keep_checkpoints=keep_checkpoints, broker=broker, feed=feed,
            seed=seed, replay_start=replay_start, cash=cash, execution=execution, name=name,
            key=key, credentials=credentials, confirm_real_money=confirm_real_money,
            resume=resume, resume_session=resume_session, reconcile_only=reconcile_only,
        )  # fmt: skip
        from paperbroker.cli_common import _settings
        from paperbroker.cli_run_loop import operate

        code = operate(plan, _settings())
    raise typer.Exit(code=code)
