"""The SMA-crossover workload written for the peer engines: backtesting.py and backtrader.

Both peers trade the benchmark's strategy exactly as paperbroker's
``SmaCrossover`` does (see :mod:`bench`): signals on bar ``t``'s close from the
*precomputed* SMA arrays (:func:`bench.workload.sma_pair`), market orders
filling at bar ``t+1``'s open, entries sized ``floor(cash / (close * (1 + fee)))``
from the peer's own cash, exits closing the whole position.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import backtesting
import backtrader as bt

from bench.workload import CASH, Outcome, TradeRecord, money, to_frame

if TYPE_CHECKING:
    import pandas as pd

    from paperbroker import BarSeries


def entry_size(cash: float, close: float, fee: float) -> int:
    """``floor(cash / (close * (1 + fee)))``: the benchmark's entry size, in float arithmetic."""
    if cash <= 0:
        return 0
    return math.floor(cash / (close * (1.0 + fee)))


# -- backtesting.py --------------------------------------------------------------------------


class BpySmaCross(backtesting.Strategy):  # type: ignore[misc]
    """backtesting.py version: ``fast_values``/``slow_values`` are the precomputed SMAs."""

    fast_values: Any = None
    slow_values: Any = None
    fee: float = 0.0

    def init(self) -> None:
        self.budgets: dict[int, float] = {}  # signal bar -> cash the entry was sized from
        fast, slow = self.fast_values, self.slow_values
        self.fast = self.I(lambda: fast, name="fast", overlay=True, plot=False)
        self.slow = self.I(lambda: slow, name="slow", overlay=True, plot=False)

    def next(self) -> None:
        fast, slow = self.fast, self.slow
        if not self.position:
            if fast[-1] > slow[-1] and fast[-2] <= slow[-2]:
                # Flat, so the broker's cash is the whole equity.
                cash = self._broker._cash
                size = entry_size(cash, self.data.Close[-1], self.fee)
                if size > 0:
                    self.buy(size=size)
                    self.budgets[len(self.data) - 1] = cash
        elif fast[-1] < slow[-1] and fast[-2] >= slow[-2]:
            self.position.close()


def bpy_prepare(frame: pd.DataFrame, fee: float, cash: float = CASH) -> backtesting.Backtest:
    return backtesting.Backtest(
        frame,
        BpySmaCross,
        cash=cash,
        commission=fee,
        trade_on_close=False,
        finalize_trades=False,
    )


def bpy_run_prepared(
    runner: backtesting.Backtest, frame: pd.DataFrame, fee: float
) -> tuple[pd.Series, float]:
    """Run a prepared backtesting.py backtest; returns (stats, seconds spent in ``run``)."""
    fast = frame["fast"].to_numpy()
    slow = frame["slow"].to_numpy()
    with warnings.catch_warnings():
        # "Some trades remain open at the end": expected, the open trade is marked to market.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        stats = runner.run(fast_values=fast, slow_values=slow, fee=fee)
        seconds = time.perf_counter() - start
    return stats, seconds


def bpy_trades(stats: pd.Series, symbol: str) -> list[TradeRecord]:
    """Closed trades from the stats plus the open one (if any) from the strategy's broker."""
    strategy = stats["_strategy"]
    budgets: dict[int, float] = strategy.budgets

    def budget(entry_bar: int) -> str | None:
        value = budgets.get(entry_bar - 1)
        return None if value is None else repr(float(value))

    records = [
        TradeRecord(
            symbol,
            int(row.EntryBar),
            int(row.ExitBar),
            int(row.Size),
            float(row.EntryPrice),
            float(row.ExitPrice),
            budget(int(row.EntryBar)),
        )
        for row in stats["_trades"].itertuples()
    ]
    records.extend(
        TradeRecord(
            symbol,
            int(t.entry_bar),
            None,
            int(t.size),
            float(t.entry_price),
            None,
            budget(int(t.entry_bar)),
        )
        for t in strategy._broker.trades
    )
    return records


def run_bpy(series: Sequence[BarSeries], fee: float, cash: float = CASH) -> Outcome:
    """One backtesting.py run per symbol, each with ``cash / len(series)`` (the sleeves).

    Frames are built and the Backtest objects prepared outside the timed region;
    ``seconds`` is the sum of the ``run`` calls.
    """
    sleeve = cash / len(series)
    total_seconds = 0.0
    equity = money(0.0)
    closed = 0
    trades: list[TradeRecord] = []
    for s in series:
        frame = to_frame(s)
        runner = bpy_prepare(frame, fee, sleeve)
        stats, seconds = bpy_run_prepared(runner, frame, fee)
        total_seconds += seconds
        equity += money(stats["Equity Final [$]"])
        closed += int(stats["# Trades"])
        trades.extend(bpy_trades(stats, s.symbol))
    return Outcome(
        engine="backtesting.py",
        final_equity=equity,
        closed_trades=closed,
        trades=trades,
        bars=sum(len(s) for s in series),
        seconds=total_seconds,
    )


# -- backtrader --------------------------------------------------------------------------------


class BtSmaData(bt.feeds.PandasData):  # type: ignore[misc]
    """OHLCV plus the precomputed ``fast``/``slow`` SMA columns as extra lines."""

    lines = ("fast", "slow")
    params: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("openinterest", None),
        ("fast", -1),
        ("slow", -1),
    )


class BtSmaCross(bt.Strategy):  # type: ignore[misc]
    """backtrader version; with several datas each one trades its own cash sleeve.

    One data: the entry budget is the broker's cash (the whole equity when flat).
    Several: the budget is the data's sleeve, ``cash / n`` plus the net P&L
    (``pnlcomm``) of that data's closed trades.
    """

    params: ClassVar[tuple[tuple[str, Any], ...]] = (("fee", 0.0),)

    def __init__(self) -> None:
        n = len(self.datas)
        start = self.broker.getcash() / n
        self.sleeve = dict.fromkeys(self.datas, start)
        self.index = {d: i for i, d in enumerate(self.datas)}
        self.fills: list[tuple[int, int, int, float]] = []  # (data index, bar, signed size, price)
        self.budgets: dict[tuple[int, int], float] = {}  # (data index, signal bar) -> budget

    def notify_order(self, order: bt.Order) -> None:
        if order.status == order.Completed:
            d = order.data
            executed = order.executed
            # executed.price is an average recomputed in float as (size * price) / size,
            # which can miss the execution price by one ulp; the execution bit has it exactly.
            (bit,) = list(executed.exbits)
            self.fills.append((self.index[d], len(d) - 1, int(executed.size), float(bit.price)))
        elif order.status in (order.Margin, order.Rejected, order.Canceled):
            raise RuntimeError(f"backtrader refused an order: {order.getstatusname()}")

    def notify_trade(self, trade: bt.Trade) -> None:
        if trade.isclosed:
            self.sleeve[trade.data] += trade.pnlcomm

    def next(self) -> None:
        fee = self.p.fee
        single = len(self.datas) == 1
        for d in self.datas:
            fast, slow = d.fast, d.slow
            if not self.getposition(d).size:
                if fast[0] > slow[0] and fast[-1] <= slow[-1]:
                    budget = self.broker.getcash() if single else self.sleeve[d]
                    size = entry_size(budget, d.close[0], fee)
                    if size > 0:
                        self.buy(data=d, size=size)
                        self.budgets[self.index[d], len(d) - 1] = budget
            elif fast[0] < slow[0] and fast[-1] >= slow[-1]:
                self.close(data=d)


def bt_prepare(series: Sequence[BarSeries], fee: float, cash: float = CASH) -> bt.Cerebro:
    cerebro = bt.Cerebro(stdstats=False)
    for s in series:
        cerebro.adddata(BtSmaData(dataname=to_frame(s)), name=s.symbol)
    cerebro.addstrategy(BtSmaCross, fee=fee)
    cerebro.broker.setcash(cash)
    cerebro.broker.setcommission(commission=fee)
    return cerebro


def bt_trades(
    fills: list[tuple[int, int, int, float]],
    symbols: Sequence[str],
    budgets: dict[tuple[int, int], float] | None = None,
) -> list[TradeRecord]:
    """Pair each symbol's entry and exit fills into round trips."""
    budgets = budgets or {}
    records: list[TradeRecord] = []
    opened: dict[int, tuple[int, int, float]] = {}

    def budget(index: int, entry_bar: int) -> str | None:
        value = budgets.get((index, entry_bar - 1))
        return None if value is None else repr(float(value))

    for index, bar, size, price in fills:
        if size > 0:
            assert index not in opened, "the strategy never adds to a position"
            opened[index] = (bar, size, price)
        else:
            entry_bar, entry_size_, entry_price = opened.pop(index)
            assert -size == entry_size_, "exits close the whole position"
            records.append(
                TradeRecord(
                    symbols[index],
                    entry_bar,
                    bar,
                    entry_size_,
                    entry_price,
                    price,
                    budget(index, entry_bar),
                )
            )
    for index, (bar, size, price) in opened.items():
        records.append(
            TradeRecord(symbols[index], bar, None, size, price, None, budget(index, bar))
        )
    return records


def run_bt(series: Sequence[BarSeries], fee: float, cash: float = CASH) -> Outcome:
    """One backtrader run over all series; only ``cerebro.run()`` is timed."""
    cerebro = bt_prepare(series, fee, cash)
    start = time.perf_counter()
    (strategy,) = cerebro.run()
    seconds = time.perf_counter() - start
    trades = bt_trades(strategy.fills, [s.symbol for s in series], strategy.budgets)
    return Outcome(
        engine="backtrader",
        final_equity=money(cerebro.broker.getvalue()),
        closed_trades=sum(1 for t in trades if t.exit_bar is not None),
        trades=trades,
        bars=sum(len(s) for s in series),
        seconds=seconds,
    )


__all__ = [
    "BpySmaCross",
    "BtSmaCross",
    "BtSmaData",
    "bpy_prepare",
    "bpy_run_prepared",
    "bpy_trades",
    "bt_prepare",
    "bt_trades",
    "entry_size",
    "run_bpy",
    "run_bt",
]
