"""Fill timing: ``next_bar`` (default) and the optimistic ``signal_close``.

With ``signal_close`` a market order decided at a bar's close fills at that
close (rule ``signal_close``), as LEAN on minute bars and backtesting.py's
``trade_on_close=True`` do; every other order, and an order sent while no bar
has just closed, keeps the next-bar rule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill, FillRule
from paperbroker.strategy.base import Strategy
from paperbroker.venue import FillTiming, JitteredLatency, VenueConfig, VolumeParticipation
from paperbroker.venue.execution import ExecutionConfig

BUY, SELL = OrderSide.BUY, OrderSide.SELL
CLOSE = VenueConfig(fill_timing=FillTiming.SIGNAL_CLOSE)
# open, high, low, close, volume: each day opens away from the last close.
BARS = [
    (99.00, 99.50, 98.50, 99.00, 1000),
    (100.00, 101.00, 98.00, 100.50, 1000),
    (103.00, 104.00, 102.00, 103.50, 1000),
    (102.00, 102.50, 101.00, 101.50, 1000),
]


def fills(kernel: Kernel) -> list[Fill]:
    return [e.fill for e in kernel.events if isinstance(e, OrderFilled)]


def at_first_close(build: Any, config: VenueConfig) -> Kernel:
    kernel: Kernel = build.kernel(build.series(BARS), config=config)
    kernel.run_until(int(kernel.feed.series[0].ts[0]))
    return kernel


def test_market_order_fills_at_the_close_it_was_decided_on(build: Any) -> None:
    kernel = at_first_close(build, CLOSE)
    order = kernel.submit_order("XYZ", BUY, 10)
    assert order.status is OrderStatus.FILLED  # before submit_order returns
    (fill,) = fills(kernel)
    day0 = int(kernel.feed.series[0].ts[0])
    assert (fill.price, fill.rule, fill.ts, fill.bar_ts, fill.path) == (
        Decimal("99.00"), FillRule.SIGNAL_CLOSE, day0, day0, "close",
    )  # fmt: skip


def test_next_bar_is_the_default_and_fills_at_the_next_open(build: Any) -> None:
    kernel = at_first_close(build, VenueConfig())
    order = kernel.submit_order("XYZ", BUY, 10)
    assert order.status is OrderStatus.ACCEPTED
    kernel.run_until(int(kernel.feed.series[0].ts[1]))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule) == (Decimal("100.00"), FillRule.MARKET_AT_OPEN)


@pytest.mark.parametrize(
    ("options", "price", "rule"),
    [
        ({"limit": "101.00"}, Decimal("100.00"), FillRule.LIMIT_AT_OPEN),
        ({"stop": "99.50"}, Decimal("100.00"), FillRule.STOP_GAP_AT_OPEN),
    ],
)
def test_limit_and_stop_orders_keep_the_next_bar_rule(
    build: Any, options: dict[str, str], price: Decimal, rule: FillRule
) -> None:
    kernel = at_first_close(build, CLOSE)
    assert kernel.submit_order("XYZ", BUY, 10, **options).status is OrderStatus.ACCEPTED  # type: ignore[arg-type]
    kernel.run_until(int(kernel.feed.series[0].ts[1]))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule) == (price, rule)


def test_order_sent_inside_a_bar_meets_it_at_its_arrival_as_under_next_bar(build: Any) -> None:
    """At 09:31 of day 1 no bar has just closed: there is no decision bar to fill at, so
    the order meets the bar in progress where it arrives, at the last price known (its
    open), as it would under ``next_bar``."""
    for config in (CLOSE, VenueConfig()):
        kernel = at_first_close(build, config)
        day1 = int(kernel.feed.series[0].ts[1])
        kernel.run_until(day1 - 389 * 60 * 10**9)
        order = kernel.submit_order("XYZ", BUY, 10)
        assert order.status is OrderStatus.ACCEPTED
        kernel.run_until(int(kernel.feed.series[0].ts[2]))
        (fill,) = fills(kernel)
        assert (fill.price, fill.rule) == (Decimal("100.00"), FillRule.MARKET_AT_ARRIVAL)


def test_latency_does_not_delay_a_fill_at_the_signal_close(build: Any) -> None:
    config = VenueConfig(
        latency=JitteredLatency(base_ms=50, jitter_ms=20, seed=1),
        fill_timing=FillTiming.SIGNAL_CLOSE,
    )
    kernel = at_first_close(build, config)
    kernel.submit_order("XYZ", BUY, 10)
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule, fill.latency_ns) == (Decimal("99.00"), FillRule.SIGNAL_CLOSE, 0)


def test_orders_filled_at_one_close_share_its_volume_and_the_rest_works_next_bar(
    build: Any,
) -> None:
    config = VenueConfig(
        fill_quantity=VolumeParticipation(max_share=Decimal("0.1")),
        fill_timing=FillTiming.SIGNAL_CLOSE,
    )
    kernel = at_first_close(build, config)
    first = kernel.submit_order("XYZ", BUY, 60)
    second = kernel.submit_order("XYZ", BUY, 60)
    assert (first.filled_qty, second.filled_qty) == (60, 40)  # 10 % of 1000 at day 0's close
    kernel.run_until(int(kernel.feed.series[0].ts[1]))
    assert second.status is OrderStatus.FILLED
    assert [(f.qty, f.rule) for f in fills(kernel)] == [
        (60, FillRule.SIGNAL_CLOSE), (40, FillRule.SIGNAL_CLOSE), (20, FillRule.MARKET_AT_OPEN),
    ]  # fmt: skip


def test_bracket_entry_filled_at_the_close_releases_its_exits(build: Any) -> None:
    kernel = at_first_close(build, CLOSE)
    entry = kernel.submit_order(
        "XYZ", BUY, 10, order_class="bracket", take_profit="103.00", stop_loss="95.00", tif="gtc"
    )
    assert entry.status is OrderStatus.FILLED
    take_profit, stop_loss = (kernel.orders[leg] for leg in entry.legs)
    assert (take_profit.status, stop_loss.status) == (OrderStatus.ACCEPTED, OrderStatus.ACCEPTED)
    kernel.run_until(int(kernel.feed.series[0].ts[2]))
    assert take_profit.status is OrderStatus.FILLED  # day 2 opens at 103.00


class _BuyFirstSellThird(Strategy):
    def on_start(self) -> None:
        self.bars = 0

    def on_bar(self, bar: Bar) -> None:
        self.bars += 1
        if self.bars == 1:
            self.ctx.buy(bar.symbol, 10)
        elif self.bars == 3:
            self.ctx.close_position(bar.symbol)


@pytest.mark.parametrize(
    ("timing", "entry", "exit_"),
    [("next_bar", "100.00", "102.00"), ("signal_close", "99.00", "103.50")],
)
def test_backtest_fills_at_the_timing_it_was_given(
    build: Any, timing: str, entry: str, exit_: str
) -> None:
    run = Backtest(build.series(BARS), _BuyFirstSellThird, execution="ideal", fill_timing=timing)
    first, again = run.run(), run.run()
    assert [f.price for f in first.fills] == [Decimal(entry), Decimal(exit_)]
    assert first.fills == again.fills  # deterministic
    assert first.final_equity == 100_000 + 10 * (Decimal(exit_) - Decimal(entry))


def test_backtest_refuses_an_unknown_fill_timing(build: Any) -> None:
    with pytest.raises(InvalidRequest, match="fill_timing 'at_open' is not one of"):
        Backtest(build.series(BARS), _BuyFirstSellThird, fill_timing="at_open")


def test_execution_document_carries_the_fill_timing_and_reads_it_back() -> None:
    config = ExecutionConfig.from_json({"preset": "ideal", "fill_timing": "signal_close"})
    assert config.fill_timing is FillTiming.SIGNAL_CLOSE
    assert config.venue_config().fill_timing is FillTiming.SIGNAL_CLOSE
    document = config.to_json()
    assert document["fill_timing"] == "signal_close"
    assert ExecutionConfig.from_json(document) == config
    default = ExecutionConfig.from_json({"preset": "ideal"})
    assert default.fill_timing is FillTiming.NEXT_BAR
    assert "fill_timing" not in default.to_json()  # documents stored before it read the same
    assert default != config
    with pytest.raises(InvalidRequest, match=r"execution\.fill_timing: must be one of"):
        ExecutionConfig.from_json({"fill_timing": "now"})
