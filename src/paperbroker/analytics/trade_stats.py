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

And over fills: ``turnover`` is the traded notional, ``sum(price * qty)``
(summed with the other fill totals by
:func:`~paperbroker.analytics.execution_quality.fill_totals`), over the mean
equity: how many times the capital changed hands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from operator import attrgetter, sub
from typing import NamedTuple

from paperbroker.analytics.returns import NANOS_PER_DAY
from paperbroker.analytics.trades import Trade, return_on
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
    closed = sorted((t for t in trades if t.exit_ts is not None), key=_EXIT_TS)
    pnls = [t.pnl for t in closed]
    returns = list(map(return_on, pnls, map(_ENTRY_PRICE, closed), map(_QTY, closed)))
    wins, losses, win_streak, loss_streak = _outcomes(pnls)
    holding = sum(map(sub, map(_EXIT_TS, closed), map(_ENTRY_TS, closed)))
    n = len(closed)
    gross_win = sum(wins, ZERO)
    gross_loss = sum(losses, ZERO)
    return TradeStats(
        num_trades=n,
        num_open_trades=len(trades) - n,
        win_rate=len(wins) / n if n else 0.0,
        profit_factor=_profit_factor(gross_win, -gross_loss),
        avg_trade_pnl=sum(pnls, ZERO) / n if n else ZERO,
        best_trade_return=max(returns, default=0.0),
        worst_trade_return=min(returns, default=0.0),
        expectancy=sum(returns) / n if n else None,
        avg_win=gross_win / len(wins) if wins else None,
        avg_loss=gross_loss / len(losses) if losses else None,
        largest_win=max(wins, default=None),
        largest_loss=min(losses, default=None),
        longest_win_streak=win_streak,
        longest_loss_streak=loss_streak,
        trades_per_day=n * NANOS_PER_DAY / span_ns if span_ns > 0 else None,
        avg_holding_ns=holding // n if n else None,
    )


def _profit_factor(gross_win: Decimal, gross_loss: Decimal) -> float:
    """Gross profit over gross loss (inf with wins and no losses, 0.0 with no wins)."""
    if gross_loss:
        return float(gross_win / gross_loss)
    return float("inf") if gross_win else 0.0


def _outcomes(pnls: Iterable[Decimal]) -> tuple[list[Decimal], list[Decimal], int, int]:
    """The winning (> 0) and the losing (< 0) P&Ls, in order, and the longest run of
    each (a break-even P&L ends both runs)."""
    wins: list[Decimal] = []
    losses: list[Decimal] = []
    win_run = loss_run = longest_win = longest_loss = 0
    for pnl in pnls:
        if pnl > ZERO:
            wins.append(pnl)
            win_run += 1
            loss_run = 0
            longest_win = max(longest_win, win_run)
        elif pnl < ZERO:
            losses.append(pnl)
            loss_run += 1
            win_run = 0
            longest_loss = max(longest_loss, loss_run)
        else:
            win_run = loss_run = 0
    return wins, losses, longest_win, longest_loss


def turnover(notional: Decimal, mean_equity: float) -> float | None:
    """Traded notional over mean equity; ``None`` when the mean equity is not positive."""
    return float(notional) / mean_equity if mean_equity > 0 else None


_EXIT_TS = attrgetter("exit_ts")
_ENTRY_TS = attrgetter("entry_ts")
_ENTRY_PRICE = attrgetter("entry_price")
_QTY = attrgetter("qty")
