"""What a backtest returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperbroker.analytics.execution_quality import ExecutionQuality, execution_quality
from paperbroker.analytics.metrics import Metrics
from paperbroker.analytics.trades import Trade
from paperbroker.core.clock import ns_to_text
from paperbroker.engine.fills_digest import fills_digest
from paperbroker.engine.result_views import BacktestFrames, describe, frames, report_html, to_html
from paperbroker.model.events import BreakerTripped, Event, OrderDenied
from paperbroker.model.fill import Fill
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.portfolio.equity import EquityCurve

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Everything a backtest produced: the books, the record and the statistics.

    It prints as a one-line summary with times as times, shows as an HTML
    table in a notebook, and :meth:`to_pandas` gives its trades, fills and
    equity curve as DataFrames.
    """

    strategy: str
    params: dict[str, Any]
    execution: str
    symbols: tuple[str, ...]
    initial_cash: Decimal
    final_cash: Decimal
    final_equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees: Decimal
    orders: list[Order]
    fills: list[Fill]
    trades: list[Trade]
    positions: dict[str, Position]
    equity_curve: EquityCurve
    metrics: Metrics
    bars_processed: int
    events: list[Event] = field(repr=False)
    #: What to know about the data: prices off their instrument's tick
    #: (:func:`~paperbroker.data.ticks.off_grid_note`), one line each.
    data_notes: tuple[str, ...] = ()
    #: The symbol whose buy and hold the metrics' alpha and beta are against (``None``: none).
    benchmark: str | None = None

    def __repr__(self) -> str:
        return describe(self)

    def _repr_html_(self) -> str:
        """The summary, metrics and first trades as HTML (Jupyter shows this)."""
        return to_html(self)

    def report(
        self,
        path: str | Path | None = None,
        *,
        benchmark: BarSeries | None = None,
        bars: Iterable[BarSeries] = (),
    ) -> str:
        """The run's self-contained HTML tearsheet (see docs/reports.md), written to
        ``path`` when given; ``benchmark`` adds its buy-and-hold, ``bars`` (the series the
        backtest ran on) draw the trades on the prices."""
        return report_html(self, path, benchmark=benchmark, bars=bars)

    def to_pandas(self) -> BacktestFrames:
        """The trades, fills and equity curve as pandas DataFrames.

        ``trades`` and ``fills`` have one row each, their times as
        ``datetime64[ns, UTC]`` columns and their money, prices and
        quantities as exact ``Decimal`` objects; ``equity`` is indexed by
        the sample times, with the float ``equity`` and whether a position
        was held (``exposed``).

        Raises:
            ImportError: if pandas is not installed (paperbroker does not need it).
        """
        return frames(self)

    def fills_digest(self) -> str:
        """SHA-256 over every fill's fields in a canonical text form.

        Two runs with the same data, parameters and seed give the same digest;
        any difference in any fill, to the last digit, changes it.
        """
        return fills_digest(self.fills)

    @property
    def execution_quality(self) -> ExecutionQuality:
        """Slippage paid, fill ratio, latency and fees of the run's orders."""
        return execution_quality(self.orders, self.fills)

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly summary: parameters, books and metrics."""
        return {
            "strategy": self.strategy,
            "params": self.params,
            "execution": self.execution,
            "symbols": list(self.symbols),
            "start": _iso(self.metrics.start_ts),
            "end": _iso(self.metrics.end_ts),
            "bars": self.bars_processed,
            "initial_cash": str(self.initial_cash),
            "final_equity": str(self.final_equity),
            "final_cash": str(self.final_cash),
            "realized_pnl": str(self.realized_pnl),
            "unrealized_pnl": str(self.unrealized_pnl),
            "fees": str(self.fees),
            "orders": len(self.orders),
            "fills": len(self.fills),
            "open_positions": {
                symbol: str(position.qty)
                for symbol, position in self.positions.items()
                if position.qty
            },
            "benchmark": self.benchmark,
            "metrics": self.metrics.as_dict(),
            "execution_quality": _quality(self.execution_quality),
            "fills_digest": self.fills_digest(),
            "data_notes": list(self.data_notes),
            "risk": self.risk_summary(),
        }

    def risk_summary(self) -> dict[str, Any]:
        """What the risk layer did: orders it denied per rule, and the breakers that tripped."""
        denials: dict[str, int] = {}
        tripped = []
        for event in self.events:
            if isinstance(event, OrderDenied):
                denials[event.rule] = denials.get(event.rule, 0) + 1
            elif isinstance(event, BreakerTripped):
                tripped.append({"breaker": event.breaker, "at": _iso(event.ts)})
        return {"denials": denials, "breakers_tripped": tripped}


def _quality(quality: ExecutionQuality) -> dict[str, Any]:
    return {
        name: value if value is None or isinstance(value, int | float) else str(value)
        for name, value in quality._asdict().items()
    }


def _iso(ts: int) -> str:
    return ns_to_text(ts)
