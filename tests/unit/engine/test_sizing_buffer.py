"""Sizing with a buffer: a fraction of equity kept free, as LEAN's ``SetHoldings`` keeps 0.25 %.

``ctx.affordable_qty(symbol, price, budget, buffer)`` buys what fits the budget
and the buying power less ``buffer × equity``; the built-ins take ``buffer`` as
a parameter (default 0: the whole budget, the sizing of runs made without it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import AccountType
from paperbroker.strategy.builtin import BuyAndHold, SmaCrossover
from paperbroker.strategy.momentum import Momentum
from paperbroker.venue import PercentCommission, VenueConfig

BARS = [(100.0, 101.0, 99.0, 100.0), (102.0, 103.0, 101.0, 102.0), (103.0, 104.0, 102.0, 103.0)]


def cash_kernel(build: Any, cash: Decimal | int = 100_000, **config: Any) -> Kernel:
    kernel: Kernel = build.kernel(
        build.series(BARS), cash=cash, account_type=AccountType.CASH, config=VenueConfig(**config)
    )
    kernel.run_until(int(kernel.feed.series[0].ts[0]))
    return kernel


def test_buffer_keeps_its_share_of_equity_free(build: Any) -> None:
    kernel = cash_kernel(build)
    assert kernel.ctx.affordable_qty("XYZ") == 1000
    assert kernel.ctx.affordable_qty("XYZ", buffer="0.0025") == 997  # (100,000 - 250) / 100
    assert kernel.ctx.affordable_qty("XYZ", price=50, buffer="0.5") == 1000  # 50,000 / 50


def test_a_budget_below_the_buffered_buying_power_is_the_limit(build: Any) -> None:
    kernel = cash_kernel(build)
    assert kernel.ctx.affordable_qty("XYZ", budget=10_000, buffer="0.0025") == 100
    assert kernel.ctx.affordable_qty("XYZ", budget=100_000, buffer="0.1") == 900


@pytest.mark.parametrize("buffer", ["-0.1", "1", "2"])
def test_buffer_outside_zero_to_one_is_refused(build: Any, buffer: str) -> None:
    kernel = cash_kernel(build)
    with pytest.raises(InvalidRequest, match=rf"buffer must be in \[0, 1\), got {buffer}"):
        kernel.ctx.affordable_qty("XYZ", buffer=buffer)


@settings(max_examples=200, deadline=None)
@given(
    cash=st.decimals(min_value=1, max_value=10**7, places=2),
    price=st.decimals(min_value="0.01", max_value=5000, places=2),
    buffer=st.decimals(min_value=0, max_value="0.99", places=4),
    rate=st.sampled_from(["0", "0.001", "0.01"]),
)
def test_buffered_qty_is_the_largest_that_leaves_the_buffer_free(
    cash: Decimal, price: Decimal, buffer: Decimal, rate: str
) -> None:
    from tests.conftest import make_kernel, make_series

    commission = PercentCommission(rate, round_to=None)
    kernel = make_kernel(
        make_series(BARS), cash=cash, account_type=AccountType.CASH,
        config=VenueConfig(commission=commission),
    )  # fmt: skip
    qty = kernel.affordable_qty("XYZ", price=price, buffer=buffer)
    spendable = cash - buffer * cash  # flat: the equity is the cash

    def cost(units: Decimal) -> Decimal:
        return units * price + commission.order_fee(units, units * price)

    assert qty >= 0
    assert cost(qty) <= spendable
    assert cost(qty + 1) > spendable


@pytest.mark.parametrize("strategy", [SmaCrossover, BuyAndHold, Momentum])
def test_builtins_default_buffer_is_zero_and_a_buffer_buys_less(
    build: Any, strategy: type[Any]
) -> None:
    series = build.series(BARS * 15)  # a walk up and down: every built-in enters
    params: dict[str, Any] = {"fast": 2, "slow": 3} if strategy is SmaCrossover else {}
    if strategy is Momentum:
        params = {"lookback": 1, "threshold": 0.001}
    plain = Backtest(series, strategy, params=params, execution="ideal").run()
    unbuffered = Backtest(series, strategy, params={**params, "buffer": 0}, execution="ideal").run()
    buffered = Backtest(
        series, strategy, params={**params, "buffer": 0.0025}, execution="ideal"
    ).run()
    assert plain.params["buffer"] == 0
    assert plain.fills == unbuffered.fills
    first, kept = plain.fills[0], buffered.fills[0]
    assert (first.ts, first.price) == (kept.ts, kept.price)
    # Sized at the signal bar's close, keeping 0.25 % of the 100,000 equity free ...
    signal_bar = series.ts.tolist().index(first.bar_ts) - 1
    close = Decimal(repr(float(series.close[signal_bar])))
    sized, sized_kept = plain.orders[0].qty, buffered.orders[0].qty
    assert sized == (Decimal(100_000) / close).to_integral_value(rounding="ROUND_FLOOR")
    assert sized_kept == (Decimal(99_750) / close).to_integral_value(rounding="ROUND_FLOOR")
    # ... and trimmed at the fill to what the cash covers at the (higher) open.
    cover = (Decimal(100_000) / first.price).to_integral_value(rounding="ROUND_FLOOR")
    assert first.qty == min(sized, cover)
    assert kept.qty == min(sized_kept, cover)
