"""What a report is made of: :class:`ReportData`, built from a backtest's result or a session.

A report needs the run's configuration, its equity curve, its trades and
fills, its metrics (whatever :meth:`Metrics.as_dict` gives: new metrics
appear in every report without a change here), optionally a benchmark
(buy-and-hold of one symbol, scaled to the initial equity) and the bars of
what it traded (for the price chart). Money stays ``Decimal``; the equity
curve's values are the exact decimal of each sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from paperbroker.analytics.drawdowns import drawdown
from paperbroker.analytics.returns import daily_close_index, simple_returns
from paperbroker.analytics.trades import Trade
from paperbroker.core.clock import ns_to_text
from paperbroker.model.fill import Fill

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries
    from paperbroker.engine.result import BacktestResult


@dataclass(frozen=True, slots=True)
class PricePath:
    """Close prices of one symbol over time (epoch ns), for charts."""

    symbol: str
    ts: Sequence[int]
    close: Sequence[float]

    @classmethod
    def of(
        cls, series: BarSeries, start_ns: int | None = None, end_ns: int | None = None
    ) -> PricePath:
        """The closes of ``series`` whose bars close within ``[start_ns, end_ns]``."""
        close = np.asarray(series.close, dtype=np.float64)
        ts = np.asarray(series.ts, dtype=np.int64)[: close.size]
        close = close[: ts.size]
        keep = np.ones(ts.size, dtype=np.bool_)
        if start_ns is not None:
            keep &= ts >= start_ns
        if end_ns is not None:
            keep &= ts <= end_ns
        return cls(series.symbol, ts[keep].tolist(), close[keep].tolist())


@dataclass(frozen=True, slots=True)
class Benchmark:
    """Buy-and-hold of ``symbol`` from the run's start, valued like the equity curve."""

    symbol: str
    ts: Sequence[int]
    equity: Sequence[float]

    @classmethod
    def buy_and_hold(cls, prices: PricePath, initial: Decimal) -> Benchmark:
        """``initial × close / first close`` at each of ``prices``' times."""
        if not prices.close or prices.close[0] <= 0:
            return cls(prices.symbol, [], [])
        base = float(initial) / prices.close[0]
        return cls(prices.symbol, list(prices.ts), [c * base for c in prices.close])


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, whichever kind of run it comes from.

    ``config`` holds the run's configuration as JSON values (strategy,
    params, symbols, start, end, execution, seed, code_version, …; any
    keys); ``equity_ts`` are epoch ns, ``equity`` the exact equity at each;
    ``metrics`` is :meth:`Metrics.as_dict` (or empty before the first
    sample).
    """

    title: str
    config: Mapping[str, Any]
    equity_ts: Sequence[int]
    equity: Sequence[Decimal]
    trades: Sequence[Trade]
    fills: Sequence[Fill]
    metrics: Mapping[str, Any]
    benchmark: Benchmark | None = None
    bars: Mapping[str, PricePath] = field(default_factory=dict)

    @property
    def final_equity(self) -> Decimal | None:
        """The last point of the equity curve (``None`` without one)."""
        return self.equity[-1] if self.equity else None

    def equity_floats(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.asarray([float(v) for v in self.equity], dtype=np.float64)

    def drawdown(self) -> list[float]:
        """Per sample, the fall from the running peak (≤ 0)."""
        return drawdown(self.equity_floats()).tolist() if self.equity else []

    def daily_returns(self) -> tuple[list[int], list[float]]:
        """The simple returns between the last samples of consecutive UTC days, with
        the time of each day's last sample (the metrics' own daily sampling)."""
        ts = np.asarray(self.equity_ts, dtype=np.int64)
        if ts.size < 2:
            return [], []
        last = daily_close_index(ts)
        closes = self.equity_floats()[last]
        base = closes[:-1] > 0
        returns = simple_returns(closes)
        times = ts[last][1:][base]
        return times.tolist(), returns.tolist()

    def rolling_sharpe(
        self, window: int = 63, periods_per_year: int = 252
    ) -> tuple[list[int], list[float]]:
        """The Sharpe ratio of each trailing ``window`` of daily returns, annualised
        with ``periods_per_year`` (risk-free rate 0, sample deviation; 0 where flat)."""
        times, returns = self.daily_returns()
        if len(returns) < window:
            return [], []
        r = np.asarray(returns, dtype=np.float64)
        windows = np.lib.stride_tricks.sliding_window_view(r, window)
        mean = windows.mean(axis=1)
        std = windows.std(axis=1, ddof=1)
        sharpe = np.divide(mean, std, out=np.zeros_like(mean), where=std > 0)
        return times[window - 1 :], (sharpe * np.sqrt(periods_per_year)).tolist()

    @property
    def period(self) -> str:
        if not self.equity_ts:
            return "-"
        return f"{ns_to_text(self.equity_ts[0])} – {ns_to_text(self.equity_ts[-1])}"


def exact(value: float) -> Decimal:
    """A float sample as the decimal of its shortest repr (``100000.5`` → ``100000.5``)."""
    return Decimal(repr(float(value)))


def from_backtest(
    result: BacktestResult,
    *,
    benchmark: BarSeries | None = None,
    bars: Iterable[BarSeries] = (),
) -> ReportData:
    """The report of a backtest's result; ``bars`` (the series it ran on) give the price
    chart, ``benchmark`` a buy-and-hold curve to compare with."""
    curve = result.equity_curve
    ts = [int(t) for t in curve.ts]
    equity = [exact(v) for v in curve.equity]
    if equity:
        equity[-1] = result.final_equity  # the books' exact value of the last sample
    start, end = (ts[0], ts[-1]) if ts else (None, None)
    config: dict[str, Any] = {
        "type": "backtest",
        "strategy": result.strategy,
        "params": result.params,
        "symbols": list(result.symbols),
        "start": None if start is None else ns_to_text(start),
        "end": None if end is None else ns_to_text(end),
        "initial_cash": str(result.initial_cash),
        "execution": result.execution,
        "benchmark": benchmark.symbol if benchmark is not None else result.benchmark,
        "bars": result.bars_processed,
        "fills_digest": result.fills_digest(),
        "code_version": _code_version(),
    }
    prices = {s.symbol: PricePath.of(s, start, end) for s in bars}
    mark = None
    if benchmark is not None:
        mark = Benchmark.buy_and_hold(PricePath.of(benchmark, start, end), result.initial_cash)
    return ReportData(
        title=f"{result.strategy} on {', '.join(result.symbols)}",
        config=config,
        equity_ts=ts,
        equity=equity,
        trades=list(result.trades),
        fills=list(result.fills),
        metrics=result.metrics.as_dict(),
        benchmark=mark,
        bars=prices,
    )


def _code_version() -> str:
    from paperbroker import __version__

    return __version__
