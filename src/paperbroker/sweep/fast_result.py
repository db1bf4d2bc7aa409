"""A fast-path run's metrics and fills digest, equal to the kernel's for the same fills.

Every figure is computed by the same code as a backtest's, or by the same
operations in the same order where the backtest walks objects the fast path
does not build:

- the equity curve is :class:`~paperbroker.portfolio.equity.FillLedger`'s
  formula (cash after each fill, plus the position times the marks on the
  tick grid), with the marks computed once per window;
- :func:`~paperbroker.analytics.metrics.compute_metrics` gives everything
  over the curve; the trade statistics are
  :func:`~paperbroker.analytics.trade_stats.trade_stats` of the round trips;
  turnover, slippage and the fill ratio repeat
  :func:`~paperbroker.analytics.execution_quality.execution_quality`'s sums;
- the digest hashes each fill's line as
  :func:`~paperbroker.engine.fills_digest.fills_digest` writes it (every
  order of the fast path fills at most once, so order numbers are fill numbers).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from paperbroker.analytics.metrics import Metrics, compute_metrics
from paperbroker.analytics.trade_stats import TradeStats, trade_stats, turnover
from paperbroker.analytics.trades import Trade
from paperbroker.data.series import BarSeries
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import FillRule
from paperbroker.model.values import ZERO, price_on_grid
from paperbroker.sweep.fast import FastRun

FloatArray = npt.NDArray[np.float64]

_BPS = Decimal(10_000)
RATIO_PLACES = Decimal("0.0001")
_BPS_PLACES = Decimal("0.01")
SIDE_TEXT = {True: OrderSide.BUY.value, False: OrderSide.SELL.value}
TAKER_AT_OPEN = f"{LiquiditySide.TAKER.value}|{FillRule.MARKET_AT_OPEN.value}"


def fast_metrics(
    series: BarSeries, run: FastRun, initial_cash: Decimal, marks: FloatArray
) -> Metrics:
    """The metrics a backtest reports for ``run``'s fills on ``series``.

    ``marks`` are the closes on the tick grid (``grid_floats``), shared by every run
    on the same bars.
    """
    fills = run.fills
    value = ZERO
    if run.position:
        mark = price_on_grid(float(series.close[-1]), series.instrument.tick_size)
        value = ZERO + run.position * mark
    equity, metrics = _curve_metrics(
        series,
        [f.row for f in fills],
        [float(f.cash_after) for f in fills],
        [float(f.qty if f.is_buy else -f.qty) for f in fills],
        initial_cash,
        run.cash + value,
        run.fees,
        marks,
    )
    stats = trade_stats(_trades(series, run), int(series.ts[-1]) - int(series.ts[0]))
    notional = slippage = reference = ZERO
    for f in fills:
        notional += f.price * f.qty
        slippage += (f.price - f.price) * f.qty
        reference += f.price * f.qty
    return _with_fills(
        metrics, stats, equity, notional, slippage, reference, run.filled, run.ordered,
        bool(fills),
    )  # fmt: skip


def _curve_metrics(
    series: BarSeries,
    rows: list[int],
    cash: list[float],
    deltas: list[float],
    initial_cash: Decimal,
    final_equity: Decimal,
    fees: Decimal,
    marks: FloatArray,
) -> tuple[FloatArray, Metrics]:
    """The equity curve as ``FillLedger.equity_curve`` values it, and the metrics over it
    (without the trade statistics and the fills' figures)."""
    ts = series.ts
    if rows:
        fill_ts = ts[np.asarray(rows, dtype=np.int64)]
        after = np.searchsorted(fill_ts, ts, side="right")
        steps = np.concatenate(([float(initial_cash)], np.asarray(cash, dtype=np.float64)))
        equity = steps[after]
        held = np.concatenate(([0.0], np.cumsum(np.asarray(deltas, dtype=np.float64))))[after]
        equity = equity + held * marks
        exposed = held != 0
    else:
        equity = np.full(ts.shape[0], float(initial_cash))
        exposed = np.zeros(ts.shape[0], dtype=np.bool_)
    metrics = compute_metrics(
        ts,
        equity,
        initial_cash=initial_cash,
        final_equity=final_equity,
        trades=(),
        fees=fees,
        exposed=exposed,
    )
    return equity, metrics


def _with_fills(
    metrics: Metrics,
    stats: TradeStats,
    equity: FloatArray,
    notional: Decimal,
    slippage: Decimal,
    reference: Decimal,
    filled: Decimal,
    ordered: Decimal,
    any_fill: bool,
) -> Metrics:
    """``metrics`` with the trade statistics and what ``execution_quality`` and the
    turnover make of the fills and the ended orders."""
    ratio = (filled / ordered).quantize(RATIO_PLACES) if ordered else None
    bps = (_BPS * slippage / reference).quantize(_BPS_PLACES) if reference else None
    return replace(
        metrics,
        **stats._asdict(),
        turnover=turnover(notional, float(np.mean(equity))),
        slippage_cost=slippage,
        fill_ratio=None if ratio is None else float(ratio),
        avg_slippage_bps=None if bps is None else float(bps),
        avg_latency_seconds=0.0 / 1000 if any_fill else None,
    )


def _trades(series: BarSeries, run: FastRun) -> list[Trade]:
    """The round trips as :func:`~paperbroker.analytics.trades.build_trades` builds them
    (no fill ids, no excursions: the statistics read neither)."""
    ts = series.ts
    fills = run.fills
    symbol = series.symbol
    out: list[Trade] = []
    for trade in run.trades:
        first, last = fills[trade.entry], fills[trade.exit]
        out.append(
            Trade(
                symbol, "long", max(ZERO, abs(first.position_after)), int(ts[first.row]),
                int(ts[last.row]), (ZERO + first.qty * first.price) / (ZERO + first.qty),
                (ZERO + last.qty * last.price) / (ZERO + last.qty), trade.gross_pnl,
                trade.fees, (),
            )
        )  # fmt: skip
    if run.open_entry is not None:
        first = fills[run.open_entry]
        out.append(
            Trade(
                symbol, "long", max(ZERO, abs(first.position_after)), int(ts[first.row]),
                None, (ZERO + first.qty * first.price) / (ZERO + first.qty), None,
                ZERO, ZERO + first.fee, (),
            )
        )  # fmt: skip
    return out


def fast_digest(series: BarSeries, run: FastRun, model: str) -> str:
    """The fills digest of ``run``: :func:`~paperbroker.engine.fills_digest.fills_digest`'s text."""
    ts = series.ts.tolist()
    symbol = series.symbol
    lines = []
    for number, f in enumerate(run.fills, start=1):
        stamp = ts[f.row]
        lines.append(
            f"{number}|{number}|{symbol}|{SIDE_TEXT[f.is_buy]}|{f.qty}|{f.price}|{f.fee}|"
            f"{stamp}|{TAKER_AT_OPEN}|{f.price}|{f.price - f.price}|open|{stamp}|{model}|0\n"
        )
    return hashlib.sha256("".join(lines).encode()).hexdigest()
