"""The ``paperbroker`` command line.

Each command imports what it needs when it runs: ``paperbroker --help`` and a
command's ``--help`` load Typer and this module only (no engine, NumPy,
SQLAlchemy or Rich), so they answer at once. Help is written by
:mod:`paperbroker.cli_help`.
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args, get_origin

import typer

from paperbroker.cli_checkpoints import checkpoints_app
from paperbroker.cli_common import _console, _invalid, _user_errors, parse_params, parse_symbols
from paperbroker.cli_help import Cli, plain_text, summary_line
from paperbroker.cli_history import history, rerun
from paperbroker.cli_live import credentials_app  # and `sessions create-live`
from paperbroker.cli_reconcile import reconcile
from paperbroker.cli_report import compare, report
from paperbroker.cli_risk import read_json_file  # and the risk commands of `sessions`
from paperbroker.cli_run import run
from paperbroker.cli_server import keys_app, openapi, serve
from paperbroker.cli_sessions import sessions_app
from paperbroker.cli_sweep import sweep
from paperbroker.cli_templates import templates_app
from paperbroker.core.clock import ns_to_datetime

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries
    from paperbroker.engine.backtest import Backtest
    from paperbroker.engine.result import BacktestResult

app = Cli(
    name="paperbroker",
    help="Backtest, paper-trade and run trading bots on one engine.",
    no_args_is_help=True,
)
data_app = Cli(help="Bundled sample data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(sessions_app, name="sessions")
app.add_typer(checkpoints_app, name="checkpoints")  # paperbroker checkpoints …: recovery points
app.command("reconcile")(reconcile)
app.command("report")(report)  # paperbroker report SESSION: tearsheet, JSON, CSV
app.command("compare")(compare)  # paperbroker compare S1 S2 …: metrics side by side

# Show a progress bar only for runs long enough to be worth watching.
_PROGRESS_MIN_BARS = 200_000

T = TypeVar("T")


def main() -> None:
    """Entry point of the ``paperbroker`` console script."""
    app()


@app.command()
def backtest(
    strategy: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="A strategy name (see 'paperbroker strategies list') or FILE.py:CLASS.",
        ),
    ] = "sma_crossover",
    param: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME=VALUE", help="A strategy parameter (repeatable)."),
    ] = None,
    symbols: Annotated[
        str, typer.Option(metavar="SYMBOL,...", help="The symbols to trade.")
    ] = "AAPL",
    start: Annotated[
        str | None, typer.Option(metavar="DATE", help="First day (YYYY-MM-DD or an ISO time).")
    ] = None,
    end: Annotated[str | None, typer.Option(metavar="DATE", help="Last day, inclusive.")] = None,
    cash: Annotated[str, typer.Option(metavar="AMOUNT", help="Initial cash.")] = "100000",
    data: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="CSV or Parquet bars (default: the bundled samples)."),
    ] = None,
    execution: Annotated[
        str,
        typer.Option(
            metavar="PRESET",
            help="The execution preset: ideal, alpaca_paper, equities_realistic, crypto_taker.",
        ),
    ] = "equities_realistic",
    commission: Annotated[
        str | None,
        typer.Option(
            metavar="MODEL",
            help="Replace the preset's fees: none, percent:RATE, "
            "per_share:RATE[:MIN[:MAX]] or fixed:AMOUNT.",
        ),
    ] = None,
    slippage_bps: Annotated[
        str | None,
        typer.Option(metavar="BPS", help="Replace the preset's slippage: fixed basis points."),
    ] = None,
    fill_timing: Annotated[
        str | None,
        typer.Option(
            metavar="TIMING",
            help="When a decision on a bar's close trades: next_bar (the default: from the "
            "next bar on) or signal_close (market orders at that bar's close; optimistic).",
        ),
    ] = None,
    risk: Annotated[
        Path | None,
        typer.Option("--risk", metavar="FILE", help="Risk settings, JSON (docs/risk.md)."),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option(
            metavar="SYMBOL",
            help="Measure alpha and beta against buy and hold of SYMBOL (from the same data).",
        ),
    ] = None,
    risk_free_rate: Annotated[
        float,
        typer.Option(
            metavar="RATE", help="The annual risk-free rate the ratios subtract, e.g. 0.02."
        ),
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run a backtest and print its summary."""
    from paperbroker.engine.backtest import Backtest
    from paperbroker.strategy.registry import resolve_strategy
    from paperbroker.venue.cli_models import parse_commission, parse_execution, parse_slippage

    with _user_errors():
        strategy_cls = resolve_strategy(strategy)
        params = parse_params(param or [])
        series = _load_series(symbols, data)
        run = Backtest(
            series,
            strategy_cls,
            params=params,
            cash=cash,
            execution=parse_execution(execution),
            commission=None if commission is None else parse_commission(commission),
            slippage=None if slippage_bps is None else parse_slippage(slippage_bps),
            fill_timing=fill_timing,
            start=start,
            end=end,
            risk=None if risk is None else read_json_file(risk, "--risk"),
            benchmark=None if benchmark is None else _benchmark(benchmark, series, data),
            risk_free_rate=risk_free_rate,
        )
        result = _with_progress(run, show=not as_json)
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
    else:
        _print_summary(result)


app.command()(serve)  # paperbroker serve: the session server (cli_server.py)
app.command()(openapi)  # paperbroker openapi: its OpenAPI document, for generated clients
app.command()(run)  # paperbroker run: a paper trading loop from the command line (cli_run.py)
app.command()(history)  # paperbroker history: ended sessions' summaries (cli_history.py)
app.command()(rerun)  # paperbroker rerun: replay a run record, compare fills digests
app.add_typer(templates_app, name="templates")  # paperbroker templates …: session templates
app.command()(sweep)  # paperbroker sweep: a parameter sweep on this machine (cli_sweep.py)

strategies_app = Cli(
    help="Strategies available by name: built-ins and installed packages' entry points.",
    invoke_without_command=True,
)
app.add_typer(strategies_app, name="strategies")
app.add_typer(keys_app, name="keys")  # paperbroker keys …: the server's API keys
app.add_typer(credentials_app, name="credentials")  # paperbroker credentials …: broker keys


@strategies_app.callback()
def strategies(ctx: typer.Context) -> None:
    """List the strategies and their parameters (as ``strategies list``)."""
    if ctx.invoked_subcommand is None:
        strategies_list()


@strategies_app.command("list")
def strategies_list() -> None:
    """List every built-in and installed strategy with its parameters' types, defaults and help."""
    from rich.markup import escape
    from rich.table import Table

    from paperbroker.strategy.registry import ENTRY_POINT_GROUP, available_strategies

    out = _console()
    for listing in available_strategies():
        cls = listing.strategy
        origin = "built-in" if listing.origin == "built-in" else f"package {listing.origin}"
        if cls is None:
            out.print(
                f"[bold]{escape(listing.name)}[/] ({escape(origin)}): [red]cannot be loaded[/]"
            )
            out.print(f"  {listing.error}", markup=False, highlight=False, soft_wrap=True)
            continue
        summary = summary_line(inspect.getdoc(cls))
        title = escape(f"{listing.name} ({origin}): {summary}")
        table = Table(title=title, title_justify="left")
        for column in ("parameter", "type", "default", "description"):
            table.add_column(column, overflow="fold")
        for field_name, field in cls.Params.model_fields.items():
            table.add_row(
                field_name,
                _type_name(field.annotation),
                escape(repr(field.default)),
                escape(plain_text(field.description)),
            )
        if not cls.Params.model_fields:
            table.add_row("-", "", "", "no parameters")
        out.print(table)
    out.print(
        f"Packages add strategies with entry points in the group {ENTRY_POINT_GROUP!r}.",
        highlight=False,
    )


def _type_name(annotation: Any) -> str:
    """A parameter's type as a user writes it: ``int``, ``float | None``, ``'a' | 'b'``."""
    if get_origin(annotation) is Literal:
        return " | ".join(repr(value) for value in get_args(annotation))
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


@data_app.command("list")
def data_list() -> None:
    """List the bundled symbols and their date ranges."""
    from rich.table import Table

    from paperbroker.data.samples import sample_symbols

    table = Table(title="Bundled sample data")
    for column in ("symbol", "sample", "first", "last"):
        table.add_column(column)
    for symbol, (sample, first, last) in sorted(sample_symbols().items()):
        table.add_row(symbol, sample, first.isoformat(), last.isoformat())
    _console().print(table)


@data_app.command("import")
def data_import(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet bars of one symbol.")],
    symbol: Annotated[str, typer.Option(help="The symbol the bars belong to.")],
    timeframe: Annotated[str, typer.Option(help="1Min, 1Hour or 1Day.")] = "1Min",
    timezone: Annotated[
        str | None,
        typer.Option(
            help="The zone of times without an offset (default: the exchange's, "
            "America/New_York for equities)."
        ),
    ] = None,
    tick: Annotated[
        str | None,
        typer.Option(help="The price tick (default: the finest the prices need, at most 0.01)."),
    ] = None,
) -> None:
    """Import bars into the server's market data (PAPERBROKER_DATA_DIR)."""
    from zoneinfo import ZoneInfo

    from paperbroker.data.store import MarketDataStore
    from paperbroker.settings import load_settings

    with _user_errors():
        store = MarketDataStore(load_settings().data_dir)
        imported = store.import_file(file, symbol, timeframe, timezone=timezone, tick=tick)
    series = imported.series
    exchange = ZoneInfo(series.instrument.hours.timezone)

    def when(ts: int) -> str:
        moment = ns_to_datetime(ts)
        return f"{moment.astimezone(exchange):%Y-%m-%d %H:%M %Z} ({moment:%Y-%m-%d %H:%M} UTC)"

    opens = [int(series.ts[0]) - series.duration_ns, int(series.ts[-1]) - series.duration_ns]
    origin = "the finest the prices need" if imported.tick_inferred else "as given"
    lines = [
        f"imported {len(series):,} {timeframe} bars of {series.symbol} into {store.directory}",
        f"first bar opens {when(opens[0])}",
        f"last bar opens  {when(opens[1])}",
        f"times without an offset were read in {imported.timezone}",
        f"tick {series.instrument.tick_size:f} ({origin})",
    ]
    for line in lines:
        _console().print(line, highlight=False, soft_wrap=True, markup=False)
    if imported.note is not None:
        _console(stderr=True).print(
            f"warning: {imported.note}", highlight=False, soft_wrap=True, markup=False
        )


def _load_series(symbols_text: str, data: Path | None) -> dict[str, BarSeries]:
    from paperbroker.data.loaders import load_bars
    from paperbroker.data.samples import load_sample, sample_symbols

    wanted = parse_symbols(symbols_text)
    if data is not None:
        available = load_bars(data)
        return _pick(wanted, available, f"{data}")
    bundled = sample_symbols()
    series: dict[str, BarSeries] = {}
    for symbol in wanted:
        if symbol not in bundled:
            known = ", ".join(sorted(bundled))
            raise _invalid(f"unknown symbol {symbol!r}: the bundled data has {known}")
        series.update(load_sample(bundled[symbol][0], symbols=[symbol]))
    return series


def _benchmark(symbol: str, series: Mapping[str, BarSeries], data: Path | None) -> BarSeries:
    """The benchmark's bars: one of the traded series, else loaded like them."""
    [wanted] = parse_symbols(symbol)
    return series.get(wanted) or _load_series(wanted, data)[wanted]


def _pick(wanted: list[str], available: Mapping[str, T], source: str) -> dict[str, T]:
    missing = [s for s in wanted if s not in available]
    if missing:
        known = ", ".join(sorted(available))
        raise _invalid(f"unknown symbol {missing[0]!r}: {source} has {known}")
    return {s: available[s] for s in wanted}


def _with_progress(run: Backtest, *, show: bool) -> BacktestResult:
    total = sum(len(s) for s in run.series)
    if not show or total < _PROGRESS_MIN_BARS or not sys.stderr.isatty():
        return run.run()
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("backtest"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} bars"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task("backtest", total=total)
        update: Callable[[int, int], None] = lambda done, _total: progress.update(  # noqa: E731
            task, completed=done
        )
        return run.run(progress=update)


def _denials(by_rule: dict[str, int]) -> str:
    """``12 (limits.max_position_qty 10, hours.blackouts 2)``, or ``-``."""
    if not by_rule:
        return "-"
    rules = ", ".join(f"{rule} {count}" for rule, count in sorted(by_rule.items()))
    return f"{sum(by_rule.values())} ({rules})"


def _tripped(breakers: list[dict[str, str]]) -> str:
    """``daily_loss at 2012-01-20``, one per trip, or ``-``."""
    return ", ".join(f"{b['breaker']} at {b['at'][:10]}" for b in breakers) or "-"


def _print_summary(result: BacktestResult) -> None:
    from rich.table import Table

    summary = result.summary()
    metrics: dict[str, Any] = summary["metrics"]
    table = Table(
        title=f"{summary['strategy']} on {', '.join(summary['symbols'])}", show_header=False
    )
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    rows = [
        ("Period", f"{summary['start'][:10]} to {summary['end'][:10]}"),
        ("Bars", f"{summary['bars']:,}"),
        ("Parameters", ", ".join(f"{k}={v}" for k, v in summary["params"].items()) or "-"),
        ("Initial cash", _money(summary["initial_cash"])),
        ("Final equity", _money(summary["final_equity"])),
        ("Total return", _pct(metrics["total_return"])),
        ("CAGR", _pct(metrics["cagr"])),
        ("Volatility (annual)", _pct(metrics["volatility_annual"])),
        ("Max drawdown", _pct(metrics["max_drawdown"])),
        ("Sharpe / Sortino", f"{_num(metrics['sharpe'])} / {_num(metrics['sortino'])}"),
        ("Calmar / Omega", f"{_num(metrics['calmar'])} / {_num(metrics['omega'])}"),
        ("VaR / ES 95% (daily)", f"{_pct(metrics['var_95'])} / {_pct(metrics['es_95'])}"),
        *_benchmark_rows(metrics),
        ("Trades (closed / open)", f"{metrics['num_trades']} / {metrics['num_open_trades']}"),
        ("Win rate", _pct(metrics["win_rate"])),
        ("Profit factor", _num(metrics["profit_factor"])),
        ("Avg win / avg loss", f"{_money(metrics['avg_win'])} / {_money(metrics['avg_loss'])}"),
        ("Execution", summary["execution"]),
        ("Fees", _money(summary["fees"])),
        ("Slippage paid", _quality_slippage(summary["execution_quality"])),
        ("Fill ratio", _ratio(summary["execution_quality"]["fill_ratio"])),
        ("Exposure", _pct(metrics["exposure"])),
        ("Risk denials", _denials(summary["risk"]["denials"])),
        ("Breakers tripped", _tripped(summary["risk"]["breakers_tripped"])),
        ("Fills digest", summary["fills_digest"][:16]),
    ]
    for name, value in rows:
        table.add_row(name, value)
    _console().print(table)


def _benchmark_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    if metrics["benchmark_return"] is None:
        return []
    return [
        ("Benchmark return", _pct(metrics["benchmark_return"])),
        ("Alpha / beta", f"{_pct(metrics['alpha'])} / {_num(metrics['beta'])}"),
    ]


def _quality_slippage(quality: dict[str, Any]) -> str:
    bps = quality["slippage_bps"]
    if bps is None:
        return "-"
    return f"{_money(quality['slippage_cost'])} ({Decimal(bps):.2f} bps)"


def _ratio(text: str | None) -> str:
    return "-" if text is None else _pct(float(text))


def _money(text: str | None) -> str:
    return "-" if text is None else f"{Decimal(text):,.2f}"


def _pct(value: Any) -> str:
    if value is None:
        return "-"
    return f"{float(value) * 100:.2f}%" if not isinstance(value, str) else value


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{float(value):.3f}" if not isinstance(value, str) else value
