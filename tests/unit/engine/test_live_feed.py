"""One engine: the same bars fed live, one at a time, trade exactly as the same bars as history.

A paper session's kernel reads a :class:`LiveFeed` that grows as bars arrive;
a backtest's reads a :class:`HistoricalFeed`. With the same bars, the same
strategy and the same execution models, both must produce the same events,
to the last digit, including with latency, partial fills and slippage.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId, IdFactory
from paperbroker.data.bar import Bar
from paperbroker.data.live_series import LiveBarSeries
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.engine.live_feed import LiveFeed
from paperbroker.model.account import Account
from paperbroker.model.events import AdvanceRequested
from paperbroker.model.instrument import Instrument
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.venue.execution import preset

REALISTIC = "equities_realistic"


def trading(kernel: Kernel) -> list[object]:
    """The kernel's events before the last bar's close, but its advances.

    Fed live, the clock moves once per bar (more advances); and at the last
    close history knows there is no more data (an order then is refused),
    where a live feed waits for the next bar.
    """
    last = max(int(s.ts[-1]) for s in kernel.feed.series)
    return [e for e in kernel.events if not isinstance(e, AdvanceRequested) and e.ts < last]


def walks(seed: int, n: int) -> list[BarSeries]:
    return [synthetic_bars(symbol, n, seed=seed + i) for i, symbol in enumerate(("AAA", "BBB"))]


def run_history(series: list[BarSeries], execution: str) -> Kernel:
    start = min(int(s.ts[0]) - s.duration_ns for s in series)
    kernel = Kernel(
        HistoricalFeed(series), Account(AccountId("a"), Decimal(100_000)),
        preset(execution).venue_config(), SimClock(start), SmaCrossover(fast=3, slow=8),
        ids=IdFactory(),
    )  # fmt: skip
    kernel.run_until(max(int(s.ts[-1]) for s in series))
    return kernel


def run_live(series: list[BarSeries], execution: str) -> Kernel:
    start = min(int(s.ts[0]) - s.duration_ns for s in series)
    feed = LiveFeed([LiveBarSeries(s.instrument, s.duration_ns) for s in series])
    kernel = Kernel(
        feed, Account(AccountId("a"), Decimal(100_000)), preset(execution).venue_config(),
        SimClock(start), SmaCrossover(fast=3, slow=8), ids=IdFactory(),
    )  # fmt: skip
    merged = sorted((int(ts), i, row) for i, s in enumerate(series) for row, ts in enumerate(s.ts))
    for ts, i, row in merged:  # each bar arrives, then the clock reaches its close
        feed.append(series[i].bar(row))
        kernel.run_until(ts)
    return kernel


@pytest.mark.parametrize("execution", ["ideal", "equities_realistic", "alpaca_paper"])
def test_bars_fed_live_trade_exactly_as_the_same_bars_as_history(execution: str) -> None:
    series = walks(11, 600)
    history, live = run_history(series, execution), run_live(series, execution)
    fills = [e for e in history.events if type(e).__name__ == "OrderFilled"]
    assert len(fills) > 20  # the comparison means something
    assert trading(live) == trading(history)
    assert live.books().equity == history.books().equity


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 200))
def test_live_and_history_agree_for_any_walk(seed: int, n: int) -> None:
    series = walks(seed, n)
    live, history = (
        run_live(series, "equities_realistic"),
        run_history(series, "equities_realistic"),
    )
    assert trading(live) == trading(history)


def test_a_live_series_grows_into_the_series_it_would_have_been() -> None:
    whole = synthetic_bars("AAA", 1_000, seed=3)
    live = LiveBarSeries(whole.instrument, whole.duration_ns)
    for row in range(len(whole)):
        live.append(whole.bar(row))
    for column in ("ts", "open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(live, column), getattr(whole, column)), column
    assert not live.complete
    assert whole.complete
    assert not live.close.flags.writeable  # a fact about the past, as history is


@pytest.mark.parametrize(
    ("bar", "message"),
    [
        (Bar("AAA", 100, 10, 11, 9, 10.5, 1), "not after"),
        (Bar("BBB", 300, 10, 11, 9, 10.5, 1), "cannot join"),
        (Bar("AAA", 300, 10, 11, 9, float("nan"), 1), "not positive"),
        (Bar("AAA", 300, 10, 11, 9, -1, 1), "not positive"),
        (Bar("AAA", 300, 10, 10.2, 9, 10.5, 1), "do not bound"),
        (Bar("AAA", 300, 10, 11, 9, 10.5, -5), "volume"),
    ],
)
def test_a_live_series_refuses_a_bar_history_would_refuse(bar: Bar, message: str) -> None:
    live = LiveBarSeries(Instrument.equity("AAA"), 100)
    live.append(Bar("AAA", 200, 10, 11, 9, 10.5, 1))
    with pytest.raises(InvalidRequest, match=message):
        live.append(bar)
    assert len(live) == 1  # nothing half-added


def test_a_live_feed_refuses_a_bar_before_its_last_and_unknown_symbols() -> None:
    feed = LiveFeed([LiveBarSeries(Instrument.equity(s), 100) for s in ("AAA", "BBB")])
    feed.append(Bar("AAA", 200, 10, 11, 9, 10.5, 1))
    feed.append(Bar("BBB", 200, 10, 11, 9, 10.5, 1))  # the same close time: fine
    with pytest.raises(InvalidRequest, match="before the feed's last bar"):
        feed.append(Bar("BBB", 150, 10, 11, 9, 10.5, 1))
    with pytest.raises(InvalidRequest, match="unknown symbol"):
        feed.append(Bar("CCC", 300, 10, 11, 9, 10.5, 1))
    assert (len(feed), feed.end_index(199), feed.end_index(200)) == (2, 0, 2)
