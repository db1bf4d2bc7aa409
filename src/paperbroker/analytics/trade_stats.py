"""Statistics of round-trip trades and of the trading itself.

Over *closed* trades, in the order they closed, with net P&L (after fees, as
backtesting.py reports it):

- ``win_rate = #(pnl > 0) / #closed``; ``profit_factor = sum(pnl > 0) /
  |sum(pnl < 0)|`` (inf with wins and no losses, 0.0 with no wins);
- ``expectancy``: the mean return per trade, ``mean(return_pct)``, what a
  trade earned on the capital it committed;
- ``avg_win``/``avg_loss``: the mean P&L of the winning (> 0) and of the
  losing (< 0) trades; ``largest_win``/``largest_loss`` the largest and the
  most negative P&L (money; ``None`` without such trades);
- ``longest_win_streak``/``longest_loss_streak``: the most consecutive
  winners or losers (a break-even trade ends both);
- ``trades_per_day``: closed trades per calendar day of the run;
- ``avg_holding_ns``: the mean time from entry to exit.

And over fills: ``turnover`` is the traded notional, ``sum(price * qty)``,
over the mean equity: how many times the capital changed hands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from paperbroker.analytics.returns import NANOS_PER_DAY
from paperbroker.analytics.trades import Trade
from paperbroker.model.fill import Fill
from paperbroker.model.values import ZERO


class TradeStats(NamedTuple):
    """Statistics of the closed trades (see the module notes)."""

    num_trades: int
    num_open_trades: int
    win_rate: float
    profit_factor: float
    avg_trade_pnl: Decimal
    best_trade_return: float
    worst_trade_return: float
    expectancy: float | None
    avg_win: Decimal | None
    avg_loss: Decimal | None
    largest_win: Decimal | None
    largest_loss: Decimal | None
    longest_win_streak: int
    longest_loss_streak: int
    trades_per_day: float | None
    avg_holding_ns: int | None


def trade_stats(trades: Sequence[Trade], span_ns: int) -> TradeStats:
    """:class:`TradeStats` of ``trades`` over a run of ``span_ns``."""
    closed = sorted((t for t in trades if t.exit_ts is not None), key=_exit_ts)
    pnls = [t.pnl for t in closed]
    returns = [t.return_pct for t in closed]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    holding = [t.exit_ts - t.entry_ts for t in closed if t.exit_ts is not None]
    n = len(closed)
    return TradeStats(
        num_trades=n,
        num_open_trades=len(trades) - n,
        win_rate=len(wins) / n if n else 0.0,
        profit_factor=profit_factor(pnls),
        avg_trade_pnl=sum(pnls, ZERO) / n if n else ZERO,
        best_trade_return=max(returns, default=0.0),
        worst_trade_return=min(returns, default=0.0),
        expectancy=sum(returns) / n if n else None,
        avg_win=sum(wins, ZERO) / len(wins) if wins else None,
        avg_loss=sum(losses, ZERO) / len(losses) if losses else None,
        largest_win=max(wins, default=None),
        largest_loss=min(losses, default=None),
        longest_win_streak=_longest(p > 0 for p in pnls),
        longest_loss_streak=_longest(p < 0 for p in pnls),
        trades_per_day=n * NANOS_PER_DAY / span_ns if span_ns > 0 else None,
        avg_holding_ns=sum(holding) // n if n else None,
    )


def profit_factor(pnls: Sequence[Decimal]) -> float:
    """Gross profit over gross loss (inf with wins and no losses, 0.0 with no wins)."""
    gross_win = sum((p for p in pnls if p > 0), ZERO)
    gross_loss = -sum((p for p in pnls if p < 0), ZERO)
    if gross_loss:
        return float(gross_win / gross_loss)
    return float("inf") if gross_win else 0.0


def traded_notional(fills: Iterable[Fill]) -> Decimal:
    """``sum(price * qty)`` over the fills."""
    return sum((f.price * f.qty for f in fills), ZERO)


def turnover(notional: Decimal, mean_equity: float) -> float | None:
    """Traded notional over mean equity; ``None`` when the mean equity is not positive."""
    return float(notional) / mean_equity if mean_equity > 0 else None


def _exit_ts(trade: Trade) -> int:
    return trade.exit_ts or 0


def _longest(flags: Iterable[bool]) -> int:
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest
