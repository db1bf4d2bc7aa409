"""One valuation everywhere: the books, the equity curve, final_equity and the metrics.

Prices off the tick grid (dividend-adjusted data on an equity's 0.01 tick)
are marked at the nearest tick, as fills are, by every one of them; the
result says so in a data note.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.analytics.metrics import compute_metrics
from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.result import BacktestResult
from paperbroker.model.instrument import Instrument
from paperbroker.model.values import price_on_grid
from paperbroker.strategy.base import Strategy


class _Schedule(Strategy):
    """Buys (positive) or sells (negative) a set quantity at given bar numbers."""

    orders: ClassVar[dict[int, int]] = {}

    def on_start(self) -> None:
        self.bars = 0

    def on_bar(self, bar: Bar) -> None:
        qty = self.orders.get(self.bars)
        self.bars += 1
        if qty:
            (self.ctx.buy if qty > 0 else self.ctx.sell)(bar.symbol, abs(qty))


def _same_valuation(result: BacktestResult) -> None:
    """The curve's last point is final_equity, and the metrics are the curve's."""
    curve = result.equity_curve
    final = float(result.final_equity)
    assert math.isclose(curve.equity[-1], final, rel_tol=1e-12, abs_tol=1e-9)
    assert result.metrics == compute_metrics(
        curve.ts,
        curve.equity,
        initial_cash=result.initial_cash,
        final_equity=result.final_equity,
        trades=result.trades,
        fees=result.fees,
        exposed=curve.exposed,
        fills=result.fills,
        orders=result.orders,
    )
    assert math.isclose(
        result.metrics.total_return,
        curve.equity[-1] / float(result.initial_cash) - 1,
        rel_tol=1e-9,
        abs_tol=1e-12,
    )


def test_off_grid_closes_are_marked_at_the_nearest_tick_everywhere(build: Any) -> None:
    # Buy 100 at the second bar's open, 10.013: filled at 10.01 (cash 98 999.00).
    # Closes 10.126 and 10.4567 are marked at 10.13 and 10.46:
    # equity 98 999 + 1 013 = 100 012.00, then 98 999 + 1 046 = 100 045.00.
    # (Unrounded closes would give 100 011.60 and 100 044.67.)
    rows = [(10.0, 10.1, 9.9, 10.004), (10.013, 10.2, 10.0, 10.126), (10.1, 10.5, 10.0, 10.4567)]
    series = build.series(rows, symbol="ACME")
    _Schedule.orders = {0: 100}
    result = Backtest(series, _Schedule, execution="ideal", cash=100_000).run()

    assert [f.price for f in result.fills] == [Decimal("10.01")]
    assert result.final_equity == Decimal("100045.00")
    assert result.equity_curve.equity.tolist() == [100_000.0, 100_012.0, 100_045.0]
    _same_valuation(result)
    assert result.metrics.total_return == 0.00045
    assert result.data_notes == (
        "ACME: 3 of 3 bars have prices off its 0.01 tick (e.g. close 10.004); "
        "fills and marks use the nearest tick (10.00)",
    )
    assert result.summary()["data_notes"] == list(result.data_notes)


def test_a_tick_the_prices_are_on_marks_them_as_they_are(build: Any) -> None:
    rows = [(10.0, 10.1, 9.9, 10.004), (10.013, 10.2, 10.0, 10.126), (10.1, 10.5, 10.0, 10.4567)]
    fine = Instrument.equity("ACME", "0.0001")
    series = build.series(rows, symbol="ACME", instrument=fine)
    _Schedule.orders = {0: 100}
    result = Backtest(series, _Schedule, execution="ideal", cash=100_000).run()
    # 100 000 - 100 x 10.013 + 100 x 10.4567 = 100 044.37
    assert result.final_equity == Decimal("100044.3700")
    assert result.data_notes == ()
    _same_valuation(result)


def test_a_bar_in_progress_is_marked_at_its_open_in_the_curve_too(build: Any) -> None:
    # DAY's third daily bar (09:30-16:00) is in progress at EVERY's hourly closes that
    # day: the books mark DAY at that bar's open there, and so does the curve.
    days = build.weekdays(date(2024, 1, 2), 3)
    daily = build.series(
        [(20.0, 21.0, 19.0, 20.5), (20.25, 21.0, 20.0, 20.75), (20.375, 21.0, 20.0, 20.875)],
        symbol="DAY",
        ts=[build.ny_ns(d) for d in days],
    )
    hourly = build.series(
        [(10.0, 10.0, 10.0, 10.0)] * 6,
        symbol="EVERY",
        ts=[build.ny_ns(days[2], hour) for hour in (11, 12, 13, 14, 15, 16)],
        duration_ns=60 * build.MINUTE_NS,
    )
    _Schedule.orders = {0: 10}  # at DAY's first close: filled at the second day's open
    result = Backtest([daily, hourly], _Schedule, execution="ideal", cash=1_000).run()
    # Cash 1 000 - 10 x 20.25 = 797.50.  Second close: 797.50 + 207.50 = 1 005.00;
    # 11:00 to 15:00 on the third day, the open: 797.50 + 203.75 = 1 001.25 (on the
    # 0.01 grid 20.375 is 20.38: 1 001.30); the third close: 797.50 + 208.75 = 1 006.25
    # (20.875 is 20.88: 1 006.30).
    assert result.equity_curve.equity.tolist() == [1_000.0, 1_005.0] + [1_001.3] * 5 + [1_006.3]
    assert result.final_equity == Decimal("1006.30")
    _same_valuation(result)


prices = st.lists(
    st.integers(1_000_000, 3_000_000).map(lambda n: n / 10**4),  # 100.0000 to 300.0000
    min_size=6,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    closes=prices,
    orders=st.dictionaries(st.integers(0, 39), st.integers(-50, 80), max_size=8),
    tick=st.sampled_from(["0.01", "0.05", "0.001"]),
)
def test_final_equity_is_the_curves_last_point_for_any_prices(
    build: Any, closes: list[float], orders: dict[int, int], tick: str
) -> None:
    rows = []
    previous = closes[0]
    for close in closes:
        low, high = min(previous, close), max(previous, close)
        rows.append((previous, high + 0.3333, low - 0.1717, close))
        previous = close
    series = build.series(rows, symbol="RND", instrument=Instrument.equity("RND", tick))
    _Schedule.orders = orders
    result = Backtest(series, _Schedule, execution="ideal", cash=100_000, account_type="margin")
    run = result.run()
    _same_valuation(run)
    held = sum((f.signed_qty for f in run.fills), Decimal(0))
    # What is held is worth its quantity at the last close on the tick grid.
    assert run.final_equity - run.final_cash == held * price_on_grid(closes[-1], Decimal(tick))
