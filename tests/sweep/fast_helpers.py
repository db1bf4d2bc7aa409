"""A strategy that trades given signal arrays, on the kernel and on the sweep's fast path."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.result import BacktestResult
from paperbroker.model.enums import OrderSide
from paperbroker.model.instrument import Instrument
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.builtin import SmaCrossover, SmaCrossoverParams
from paperbroker.sweep.fast_task import FastEngine
from paperbroker.sweep.plan import Task, Window
from paperbroker.sweep.signals import SignalStrategy
from paperbroker.venue.execution import ExecutionConfig

START_NS = 1_704_205_860_000_000_000
MINUTE_NS = 60_000_000_000


def signal_strategy(signals: list[float]) -> tuple[type[Strategy], SignalStrategy]:
    """``SmaCrossover`` trading ``signals`` in place of its cross (read one bar at a time
    as it reads the cross), and its signal form for the fast path."""
    values = np.asarray(signals, dtype=np.float64)

    def given(closes: Any) -> Any:
        return values[: closes.shape[0]]  # a prefix: never looks ahead

    class GivenSignals(SmaCrossover):
        """``SmaCrossover`` itself, its cross replaced by the given signals."""

        name = "given_signals"

        def on_start(self) -> None:
            super().on_start()
            self._signal = {s: self.ctx.indicator(s, given) for s in self.ctx.symbols}

    def form(params: StrategyParams, closes: Any, cache: Any, key: Any) -> Any:
        return values[: closes.shape[0]]

    def allocation(params: StrategyParams) -> float | None:
        assert isinstance(params, SmaCrossoverParams)
        return params.allocation

    def buffer(params: StrategyParams) -> float:
        assert isinstance(params, SmaCrossoverParams)
        return params.buffer

    return GivenSignals, SignalStrategy(form, allocation, buffer)


def bars(
    opens: list[int],
    closes: list[int],
    *,
    tick: Decimal = Decimal("0.01"),
    lot: Decimal = Decimal(1),
    gaps: list[int] | None = None,
) -> BarSeries:
    """Bars with prices in ticks (high and low bound them), a minute apart plus ``gaps``."""
    scale = float(tick)
    o = np.asarray(opens, dtype=np.float64) * scale
    c = np.asarray(closes, dtype=np.float64) * scale
    o, c = np.round(o, 10), np.round(c, 10)
    steps = np.ones(len(opens), dtype=np.int64) if gaps is None else 1 + np.asarray(gaps)
    ts = START_NS + np.cumsum(steps) * MINUTE_NS
    instrument = Instrument("GIV", tick_size=tick, lot_size=lot, fractionable=lot < 1)
    return BarSeries(
        instrument, ts, o, np.maximum(o, c), np.minimum(o, c), c,
        np.full(len(opens), 1000.0), MINUTE_NS,
    )  # fmt: skip


def both(
    series: BarSeries,
    signals: list[float],
    params: dict[str, Any],
    cash: Decimal,
    execution: dict[str, Any],
) -> tuple[BacktestResult, tuple[dict[str, Any], str] | None]:
    """The kernel's backtest and the fast path's (metrics, digest) of the same run."""
    strategy, form = signal_strategy(signals)
    config = ExecutionConfig.from_json(execution)
    kernel = Backtest(series, strategy, params=params, cash=cash, execution=config).run()
    engine = FastEngine(strategy, form, {series.symbol: series}, config, cash)
    window = Window("full", int(series.ts[0]), int(series.ts[-1]))
    return kernel, engine.run(Task(0, 0, params, window))


def kernel_fills(result: BacktestResult) -> list[tuple[bool, Decimal, Decimal, Decimal, int]]:
    """Each kernel fill as (buy, qty, price, fee, ts), exact."""
    return [(f.side is OrderSide.BUY, f.qty, f.price, f.fee, f.ts) for f in result.fills]
