"""Portfolio history values the account as the portfolio does, at any time, for any fills.

Random order flows go through a real :class:`Kernel` over hand-made daily
bars (the clock stops inside bars too, where only the open is known), with
per-share fees.  At each stop the portfolio's equity is recorded; the history
rebuilt afterwards from the fills and the bars must give the same equity at
every one of those times, and its last sample must be the equity now.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from paperbroker.analytics.portfolio_history import (
    AccountTrack,
    HistoryQuery,
    equity_at,
    portfolio_history,
)
from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.data.calendar import xnys
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide
from paperbroker.model.events import OrderFilled
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.venue import PerShareCommission, VenueConfig

SYMBOLS = ("AAA", "BBB")
INITIAL = Decimal(100_000)
DAYS = 12

# 50.00 to 150.00 on the 0.01 tick, or in thousandths (most of them off it: marked
# at the nearest tick everywhere).
price = st.one_of(
    st.integers(5_000, 15_000).map(lambda cents: cents / 100),
    st.integers(50_000, 150_000).map(lambda mills: mills / 1000),
)
bar = st.tuples(price, price)  # open, close
step = st.fixed_dictionaries(
    {
        "minutes": st.integers(1, 3 * 24 * 60),
        "symbol": st.sampled_from(SYMBOLS),
        "side": st.sampled_from([OrderSide.BUY, OrderSide.SELL, OrderSide.BUY, None]),
        "qty": st.integers(1, 300),
    }
)


def _series(build: Any, symbol: str, rows: list[tuple[float, float]]) -> Any:
    bars = []
    for o, c in rows:
        bars.append((o, max(o, c) + 0.5, min(o, c) - 0.5, c))
    return build.series(bars, symbol=symbol)


@settings(max_examples=100, deadline=None)
@given(
    prices=st.lists(st.lists(bar, min_size=DAYS, max_size=DAYS), min_size=2, max_size=2),
    steps=st.lists(step, min_size=3, max_size=25),
    fee=st.sampled_from(["0", "0.005", "0.01"]),
)
def test_history_equity_is_the_portfolios_at_every_time_and_now(
    build: Any, prices: list[list[tuple[float, float]]], steps: list[dict[str, Any]], fee: str
) -> None:
    series = [_series(build, s, rows) for s, rows in zip(SYMBOLS, prices, strict=True)]
    account = Account(
        AccountId("p"), INITIAL, AccountConfig(AccountType.MARGIN, Decimal(4), Decimal(4))
    )
    config = VenueConfig(commission=PerShareCommission(fee))
    start = int(series[0].ts[0]) - series[0].duration_ns
    kernel = Kernel(HistoricalFeed(series), account, config, SimClock(start))
    kernel.run_until(int(series[0].ts[0]))  # the first close: every symbol has a price
    last = int(series[0].ts[-1])
    times, equities = [], []
    for spec in steps:
        if spec["side"] is not None:
            kernel.submit_order(spec["symbol"], spec["side"], spec["qty"])
        kernel.run_until(min(kernel.clock.now_ns() + spec["minutes"] * build.MINUTE_NS, last))
        times.append(kernel.clock.now_ns())
        equities.append(kernel.portfolio.equity)

    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    event(f"fills: {min(len(fills), 5)}{'+' if len(fills) >= 5 else ''}")
    track = AccountTrack(
        INITIAL,
        start,
        fills,
        {s.symbol: PriceTrack.of(s) for s in series},
    )
    rebuilt = equity_at(np.array(times, dtype=np.int64), track)
    for value, expected in zip(rebuilt, equities, strict=True):
        assert abs(Decimal(repr(float(value))) - expected) < Decimal("0.0001")

    now = kernel.clock.now_ns()
    days = xnys().trading_days
    for query in (
        HistoryQuery(),
        HistoryQuery(period="2W", timeframe="1H"),
        HistoryQuery(period="1D", timeframe="15Min", intraday_reporting="continuous"),
    ):
        history = portfolio_history(query, track, now, days)
        assert history.equity, query
        assert abs(Decimal(repr(history.equity[-1])) - kernel.portfolio.equity) < Decimal("0.0001")
        assert all(t * 10**9 <= now for t in history.timestamp)  # nothing from the future
