"""The workload on paperbroker, written against its public API only."""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from bench.workload import CASH, FAST, SLOW, Outcome, TradeRecord, fee_decimal
from paperbroker import Backtest, BacktestResult, SmaCrossover
from paperbroker.venue import NoCommission, PercentCommission

if TYPE_CHECKING:
    from paperbroker import BarSeries
    from paperbroker.engine.context import StrategyContext
    from paperbroker.model.fill import Fill
    from paperbroker.venue import CommissionModel


def opening_sleeves(ctx: StrategyContext) -> dict[str, Decimal]:
    """Each symbol's cash sleeve at the start: an equal share of the cash."""
    share = ctx.cash / len(ctx.symbols)
    return dict.fromkeys(ctx.symbols, share)


def book_fill(sleeves: dict[str, Decimal], fill: Fill) -> None:
    """Move a symbol's sleeve by its fill: a buy pays notional plus fee, a sell
    receives notional minus fee."""
    notional = fill.qty * fill.price
    if fill.side.value == "buy":
        sleeves[fill.symbol] -= notional + fill.fee
    else:
        sleeves[fill.symbol] += notional - fill.fee


class SleeveSmaCrossover(SmaCrossover):
    """The built-in ``SmaCrossover``, every symbol trading from its own cash sleeve.

    Each symbol starts with ``cash / number of symbols``; its fills move its
    sleeve (buys pay notional plus fee, sells receive notional minus fee), so
    when flat the sleeve is the initial share plus the symbol's realized P&L
    net of fees.  Entries buy ``floor(sleeve / (close * (1 + fee)))`` units at
    the next open; signals and exits are the built-in's own.  With one symbol
    this *is* ``SmaCrossover`` (the sleeve is the account's cash).
    """

    name = "sleeve_sma_crossover"

    def on_start(self) -> None:
        super().on_start()
        self.sleeves = opening_sleeves(self.ctx)

    def on_fill(self, fill: Fill) -> None:
        book_fill(self.sleeves, fill)

    def _enter(self, symbol: str, close: float) -> None:
        budget = self.sleeves[symbol]
        size = self.ctx.affordable_qty(symbol, price=close, budget=budget)
        if size > 0:
            self.ctx.buy(symbol, size)


def commission_for(fee: float) -> CommissionModel:
    """``NoCommission`` for 0, else an unrounded percentage (the float peers do not round)."""
    if fee == 0:
        return NoCommission()
    return PercentCommission(fee_decimal(fee), round_to=None)


def pb_prepare(series: Sequence[BarSeries], fee: float, cash: int = CASH) -> Backtest:
    """Built-in ``SmaCrossover`` for one symbol, the sleeve strategy for several."""
    if len(series) == 1:
        return Backtest(
            series[0],
            SmaCrossover,
            params={"fast": FAST, "slow": SLOW},
            cash=cash,
            execution="ideal",
            commission=commission_for(fee),
        )
    return Backtest(
        list(series),
        SleeveSmaCrossover,
        params={"fast": FAST, "slow": SLOW},
        cash=cash,
        execution="ideal",
        commission=commission_for(fee),
    )


def pb_trades(result: BacktestResult, series: Sequence[BarSeries]) -> list[TradeRecord]:
    """The result's trades (closed and open) as records; fill times become bar indices."""
    ts = {s.symbol: np.asarray(s.ts) for s in series}

    def bar_of(symbol: str, stamp: int) -> int:
        index = int(np.searchsorted(ts[symbol], stamp))
        assert ts[symbol][index] == stamp
        return index

    return [
        TradeRecord(
            t.symbol,
            bar_of(t.symbol, t.entry_ts),
            None if t.exit_ts is None else bar_of(t.symbol, t.exit_ts),
            int(t.qty),
            float(t.entry_price),
            None if t.exit_price is None else float(t.exit_price),
        )
        for t in result.trades
    ]


def run_pb(series: Sequence[BarSeries], fee: float, cash: int = CASH) -> Outcome:
    """One paperbroker run; only ``Backtest.run()`` is timed."""
    return timed_run("paperbroker", pb_prepare(series, fee, cash), series)


def timed_run(engine: str, backtest: Backtest, series: Sequence[BarSeries]) -> Outcome:
    """``backtest`` run once as ``engine``, over ``series``; only ``Backtest.run()`` is
    timed."""
    start = time.perf_counter()
    result = backtest.run()
    seconds = time.perf_counter() - start
    return Outcome(
        engine=engine,
        final_equity=result.final_equity,
        closed_trades=result.metrics.num_trades,
        trades=pb_trades(result, series),
        bars=result.bars_processed,
        seconds=seconds,
    )
