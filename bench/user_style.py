"""The workload as a user writes it: two indicators compared bar by bar, sized from cash.

The built-in ``SmaCrossover`` (what ``paperbroker`` runs in the benchmark)
computes its cross signal once with NumPy and reads one number per bar.  A
strategy written from the docs registers the two moving averages with
``ctx.indicator`` and compares them at every bar, as backtesting.py's and
backtrader's versions do, and sizes each entry from ``ctx.cash`` with
``ctx.affordable_qty``.  ``paperbroker-user`` in ``python -m bench`` runs this
class, so the comparison also covers the strategy code users write.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from bench.paper import book_fill, commission_for, opening_sleeves, timed_run
from bench.workload import CASH, FAST, SLOW, Outcome
from paperbroker import Backtest, Bar, Strategy, StrategyParams
from paperbroker.strategy import sma

if TYPE_CHECKING:
    from paperbroker import BarSeries
    from paperbroker.model.fill import Fill


class UserSmaCrossParams(StrategyParams):
    fast: int = Field(FAST, ge=1, description="bars in the fast moving average")
    slow: int = Field(SLOW, ge=2, description="bars in the slow moving average")


class UserSmaCross(Strategy):
    """SMA crossover, long only: buy all the cash affords on a cross up, sell on a cross down."""

    name = "user_sma_cross"
    Params = UserSmaCrossParams
    params: UserSmaCrossParams

    def on_start(self) -> None:
        p = self.params
        self.fast = {s: self.ctx.indicator(s, sma, p.fast) for s in self.ctx.symbols}
        self.slow = {s: self.ctx.indicator(s, sma, p.slow) for s in self.ctx.symbols}

    def budget(self, symbol: str) -> Decimal:
        """What an entry in ``symbol`` may spend: all the cash."""
        return self.ctx.cash

    def on_bar(self, bar: Bar) -> None:
        fast, slow = self.fast[bar.symbol], self.slow[bar.symbol]
        if len(fast) < 2:
            return
        position = self.ctx.position(bar.symbol)
        if not position.qty:
            if fast[-1] > slow[-1] and fast[-2] <= slow[-2]:
                budget = self.budget(bar.symbol)
                qty = self.ctx.affordable_qty(bar.symbol, price=bar.close, budget=budget)
                if qty > 0:
                    self.ctx.buy(bar.symbol, qty)
        elif fast[-1] < slow[-1] and fast[-2] >= slow[-2]:
            self.ctx.close_position(bar.symbol)


class UserSleeveSmaCross(UserSmaCross):
    """:class:`UserSmaCross` with every symbol trading from its own cash sleeve.

    Each symbol starts with ``cash / number of symbols`` and its fills move its
    sleeve (buys pay notional plus fee, sells receive notional minus fee): the
    benchmark's definition of the multi-symbol workload.
    """

    name = "user_sleeve_sma_cross"

    def on_start(self) -> None:
        super().on_start()
        self.sleeves = opening_sleeves(self.ctx)

    def budget(self, symbol: str) -> Decimal:
        return self.sleeves[symbol]

    def on_fill(self, fill: Fill) -> None:
        book_fill(self.sleeves, fill)


def user_prepare(series: Sequence[BarSeries], fee: float, cash: int = CASH) -> Backtest:
    """:class:`UserSmaCross` for one symbol, :class:`UserSleeveSmaCross` for several."""
    strategy = UserSmaCross if len(series) == 1 else UserSleeveSmaCross
    return Backtest(
        series[0] if len(series) == 1 else list(series),
        strategy,
        params={"fast": FAST, "slow": SLOW},
        cash=cash,
        execution="ideal",
        commission=commission_for(fee),
    )


def run_user(series: Sequence[BarSeries], fee: float, cash: int = CASH) -> Outcome:
    """One paperbroker run of the user-style strategy; only ``Backtest.run()`` is timed."""
    return timed_run("paperbroker-user", user_prepare(series, fee, cash), series)
