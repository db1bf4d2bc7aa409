"""Ways to look at a backtest's result: a short repr, pandas DataFrames and notebook HTML.

Times are shown as times (RFC 3339 UTC in text, ``datetime64[ns, UTC]`` in
DataFrames, exact to the nanosecond), never as epoch nanoseconds.  Money,
prices and quantities stay exact ``Decimal`` in the DataFrames (columns of
``object`` dtype); ratios and the equity curve are floats, as in the result.

pandas is not a dependency of paperbroker: :func:`frames` imports it when
called and says how to get it when it is missing; the HTML needs nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from paperbroker.core.clock import ns_to_text

if TYPE_CHECKING:
    import pandas as pd

    from paperbroker.data.series import BarSeries
    from paperbroker.engine.result import BacktestResult

#: How many trades the HTML view lists (the first ones; the rest are counted).
HTML_TRADES = 10


class BacktestFrames(NamedTuple):
    """A result as DataFrames: one row per trade, per fill, and per equity sample."""

    trades: pd.DataFrame
    fills: pd.DataFrame
    equity: pd.DataFrame


def describe(result: BacktestResult) -> str:
    """A one-line repr: what ran, over which period, and how it ended."""
    curve = result.equity_curve
    period = (
        f"{ns_to_text(int(curve.ts[0]))} – {ns_to_text(int(curve.ts[-1]))}" if len(curve) else "-"
    )
    return (
        f"BacktestResult({result.strategy} on {', '.join(result.symbols)}, {period}, "
        f"final_equity={result.final_equity}, total_return={result.metrics.total_return!r}, "
        f"trades={len(result.trades)}, fills={len(result.fills)}, orders={len(result.orders)}, "
        f"data_notes={len(result.data_notes)})"
    )


def frames(result: BacktestResult) -> BacktestFrames:
    """The trades, fills and equity curve as DataFrames (see the module doc).

    Raises:
        ImportError: if pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "BacktestResult.to_pandas() needs pandas, which paperbroker does not install: "
            "pip install pandas"
        ) from None

    def times(values: Sequence[int | None]) -> Any:
        return pd.to_datetime(list(values), unit="ns", utc=True)

    def exact(values: Sequence[Any]) -> Any:
        return pd.Series(list(values), dtype=object)

    trades = result.trades
    trade_frame = pd.DataFrame(
        {
            "symbol": [t.symbol for t in trades],
            "direction": [t.direction for t in trades],
            "qty": exact([t.qty for t in trades]),
            "entry_time": times([t.entry_ts for t in trades]),
            "exit_time": times([t.exit_ts for t in trades]),
            "entry_price": exact([t.entry_price for t in trades]),
            "exit_price": exact([t.exit_price for t in trades]),
            "gross_pnl": exact([t.gross_pnl for t in trades]),
            "fees": exact([t.fees for t in trades]),
            "pnl": exact([t.pnl for t in trades]),
            "return_pct": pd.Series([t.return_pct for t in trades], dtype="float64"),
            "fill_ids": [t.fill_ids for t in trades],
        }
    )
    fills = result.fills
    fill_frame = pd.DataFrame(
        {
            "time": times([f.ts for f in fills]),
            "id": [f.id for f in fills],
            "order_id": [f.order_id for f in fills],
            "account_id": [f.account_id for f in fills],
            "symbol": [f.symbol for f in fills],
            "side": [f.side.value for f in fills],
            "qty": exact([f.qty for f in fills]),
            "price": exact([f.price for f in fills]),
            "fee": exact([f.fee for f in fills]),
            "liquidity": [f.liquidity.value for f in fills],
            "rule": [f.rule.value for f in fills],
            "reference_price": exact([f.reference_price for f in fills]),
            "slippage": exact([f.slippage for f in fills]),
            "path": [f.path for f in fills],
            "bar_time": times([f.bar_ts for f in fills]),
            "model": [f.model for f in fills],
            "latency": pd.to_timedelta([f.latency_ns for f in fills], unit="ns"),
        }
    )
    curve = result.equity_curve
    equity_frame = pd.DataFrame(
        {"equity": curve.equity, "exposed": curve.exposed},
        index=pd.DatetimeIndex(pd.to_datetime(curve.ts, unit="ns", utc=True), name="time"),
    )
    return BacktestFrames(trade_frame, fill_frame, equity_frame)


def report_html(
    result: BacktestResult,
    path: str | Path | None = None,
    *,
    benchmark: BarSeries | None = None,
    bars: Iterable[BarSeries] = (),
) -> str:
    """The result's HTML tearsheet (:mod:`paperbroker.analytics.report`), also written to
    ``path`` (UTF-8) when one is given."""
    from paperbroker.analytics.report import from_backtest, render_html

    page = render_html(from_backtest(result, benchmark=benchmark, bars=bars))
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


def to_html(result: BacktestResult) -> str:
    """The result as an HTML summary for notebooks: the books, the key metrics, a sparkline
    of the equity curve, the first trades."""
    from paperbroker.analytics.report.svg import sparkline

    metrics = result.metrics
    curve = result.equity_curve
    period = (
        f"{ns_to_text(int(curve.ts[0]))} – {ns_to_text(int(curve.ts[-1]))}" if len(curve) else "-"
    )
    rows = [
        ("Period", period),
        ("Bars", f"{result.bars_processed:,}"),
        ("Parameters", ", ".join(f"{k}={v}" for k, v in result.params.items()) or "-"),
        ("Execution", result.execution),
        ("Initial cash", f"{result.initial_cash:,}"),
        ("Final equity", f"{result.final_equity:,}"),
        ("Total return", f"{metrics.total_return:.2%}"),
        ("CAGR", f"{metrics.cagr:.2%}"),
        ("Max drawdown", f"{metrics.max_drawdown:.2%}"),
        ("Sharpe ratio", f"{metrics.sharpe:.3f}"),
        ("Sortino ratio", f"{metrics.sortino:.3f}"),
        ("Calmar ratio", _optional(metrics.calmar, ".3f")),
        ("VaR / ES 95% (daily)", f"{_optional(metrics.var_95, '.2%')} / "
                                 f"{_optional(metrics.es_95, '.2%')}"),
        *(
            [(f"Alpha / beta vs {result.benchmark}",
              f"{_optional(metrics.alpha, '.2%')} / {_optional(metrics.beta, '.3f')}")]
            if result.benchmark else []
        ),
        ("Trades (closed / open)", f"{metrics.num_trades} / {metrics.num_open_trades}"),
        ("Win rate", f"{metrics.win_rate:.2%}"),
        ("Fees", f"{result.fees:,}"),
        ("Exposure", f"{metrics.exposure:.2%}"),
    ]  # fmt: skip
    title = f"{result.strategy} on {', '.join(result.symbols)}"
    parts = [
        '<div class="paperbroker-result">',
        f'<div title="equity">{sparkline(curve.equity.tolist(), width=240, height=40)}</div>',
        f"<table><caption>{_text(title)}</caption><tbody>",
        *(f"<tr><th>{_text(name)}</th><td>{_text(value)}</td></tr>" for name, value in rows),
        "</tbody></table>",
    ]
    if result.data_notes:
        notes = "".join(f"<li>{_text(note)}</li>" for note in result.data_notes)
        parts.append(f"<p>Data notes:</p><ul>{notes}</ul>")
    if result.trades:
        shown = result.trades[:HTML_TRADES]
        caption = f"Trades (the first {len(shown)} of {len(result.trades)})"
        columns = ("symbol", "direction", "qty", "entry", "entry price", "exit", "exit price",
                   "P&amp;L", "fees")  # fmt: skip
        parts.append(f"<table><caption>{_text(caption)}</caption><thead><tr>")
        parts.extend(f"<th>{column}</th>" for column in columns)
        parts.append("</tr></thead><tbody>")
        for trade in shown:
            cells = (
                trade.symbol, trade.direction, trade.qty, ns_to_text(trade.entry_ts),
                trade.entry_price, "open" if trade.exit_ts is None else ns_to_text(trade.exit_ts),
                "-" if trade.exit_price is None else trade.exit_price, trade.pnl, trade.fees,
            )  # fmt: skip
            parts.append("<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


def _text(value: object) -> str:
    if isinstance(value, Decimal):  # plain digits: 0, not 0E-10
        value = "0" if not value else format(value, "f")
    return html.escape(str(value))


def _optional(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
