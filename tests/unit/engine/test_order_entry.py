"""Order entry through the kernel: malformed orders raise, cancels work, events are in order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.data.bar import Bar
from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from paperbroker.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderFilled,
    OrderSubmitted,
)
from paperbroker.model.order import Order
from paperbroker.strategy.base import Strategy
from paperbroker.venue import VenueConfig, VolumeParticipation

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.00, 100.00)


@pytest.fixture
def kernel(build: Any) -> Kernel:
    series = build.series([FLAT] * 4)
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    return kernel


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"qty": "1.5"}, r"qty 1\.5 is not a multiple of XYZ's lot size"),
        ({"qty": 0}, "qty must be positive"),
        ({"qty": -5}, "qty must be positive"),
        ({"qty": "ten"}, "qty 'ten' is not a number"),
        ({"limit": "100.005"}, r"limit price 100\.005 is not a multiple of XYZ's tick 0\.01"),
        ({"limit": "-1"}, "limit price must be positive"),
        ({"limit": "abc"}, "limit price 'abc' is not a number"),
        ({"stop": "99.999"}, r"stop price 99\.999 is not a multiple of XYZ's tick"),
        ({"stop": "101.00", "tif": "ioc"}, "ioc is only for market and limit orders"),
        ({"stop": "101.00", "limit": "101.50", "tif": "fok"}, "fok is only for market and limit"),
        ({"tif": "gtd"}, "time in force 'gtd' is not one of"),
        ({"symbol": "ABC"}, "unknown symbol 'ABC'"),
    ],
)
def test_submit_order_malformed_raises_invalid_request_naming_field(
    kernel: Kernel, kwargs: dict[str, Any], message: str
) -> None:
    request: dict[str, Any] = {"symbol": "XYZ", "side": BUY, "qty": 10, **kwargs}
    events_before, orders_before = list(kernel.events), dict(kernel.orders)
    with pytest.raises(InvalidRequest, match=message):
        kernel.submit_order(**request)
    # A malformed order leaves no trace: no order, no event.
    assert kernel.events == events_before
    assert kernel.orders == orders_before


def test_submit_order_duplicate_client_order_id_raises(kernel: Kernel) -> None:
    first = kernel.submit_order("XYZ", BUY, 1, client_order_id="mine-1")
    assert first.client_order_id == "mine-1"
    with pytest.raises(InvalidRequest, match="client_order_id 'mine-1' is already in use"):
        kernel.submit_order("XYZ", BUY, 1, client_order_id="mine-1")
    assert list(kernel.orders) == [first.id]


def test_submit_order_type_follows_prices_given(kernel: Kernel) -> None:
    kinds = [
        kernel.submit_order("XYZ", BUY, 1, tif="gtc").order_type,
        kernel.submit_order("XYZ", BUY, 1, limit="90.00", tif="gtc").order_type,
        kernel.submit_order("XYZ", BUY, 1, stop="110.00", tif="gtc").order_type,
        kernel.submit_order("XYZ", BUY, 1, stop="110", limit="111", tif="gtc").order_type,
    ]
    assert kinds == [OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT]


def test_submit_order_accepts_text_and_numbers_for_qty_and_prices(kernel: Kernel) -> None:
    order = kernel.submit_order("XYZ", BUY, "3", limit=99.5, tif=TimeInForce.GTC)
    assert (order.qty, order.limit_price, order.time_in_force) == (
        Decimal(3),
        Decimal("99.5"),
        TimeInForce.GTC,
    )


def test_submit_order_emits_submitted_then_accepted_at_current_time(kernel: Kernel) -> None:
    now = kernel.clock.now_ns()
    before = len(kernel.events)
    order = kernel.submit_order("XYZ", BUY, 5, limit="99.00", tif="gtc")
    assert kernel.events[before:] == [
        OrderSubmitted(
            now, order.id, order.client_order_id, order.account_id, "XYZ", BUY, OrderType.LIMIT,
            Decimal(5), TimeInForce.GTC, Decimal("99.00"), None,
        ),
        OrderAccepted(now, order.id),
    ]  # fmt: skip
    assert kernel.open_orders() == [order]
    assert kernel.open_orders("XYZ") == [order]


def test_cancel_working_order_cancels_and_it_never_fills(kernel: Kernel) -> None:
    order = kernel.submit_order("XYZ", BUY, 5, limit="99.00", tif="gtc")  # bars touch 99.00
    assert kernel.cancel_order(order.id) is True
    assert order.status is OrderStatus.CANCELED
    assert kernel.events[-1] == OrderCanceled(kernel.clock.now_ns(), order.id, "canceled by client")
    assert kernel.open_orders() == []
    kernel.run_until(int(kernel.feed.ts[-1]))
    assert not any(isinstance(e, OrderFilled) for e in kernel.events)
    assert kernel.cancel_order(order.id) is False  # no longer working


def test_cancel_filled_order_returns_false(kernel: Kernel) -> None:
    order = kernel.submit_order("XYZ", BUY, 5)
    kernel.run_until(int(kernel.feed.ts[1]))
    assert order.status is OrderStatus.FILLED
    assert kernel.cancel_order(order.id) is False
    assert order.status is OrderStatus.FILLED


def test_cancel_unknown_order_raises_not_found(kernel: Kernel) -> None:
    with pytest.raises(NotFound, match="O-99"):
        kernel.cancel_order("O-99")


def test_cancel_partially_filled_order_keeps_filled_part(build: Any) -> None:
    # 10 % of volume 500 = 50 per bar: 50 of 120 fill on bar 1, then the rest is canceled.
    series = build.series([(*FLAT, 500), (*FLAT, 500), (*FLAT, 500)])
    kernel = build.kernel(series, config=VenueConfig(fill_quantity=VolumeParticipation("0.1")))
    kernel.run_until(int(series.ts[0]))
    order = kernel.submit_order("XYZ", BUY, 120, tif="gtc")
    kernel.run_until(int(series.ts[1]))
    assert kernel.cancel_order(order.id)
    kernel.run_until(int(series.ts[2]))
    assert (order.status, order.filled_qty, order.leaves_qty) == (OrderStatus.CANCELED, 50, 70)
    assert kernel.position("XYZ").qty == 50


class _CancelOnFill(Strategy):
    """Places two buy limits (one-cancels-other) and cancels the other leg from on_fill."""

    def __init__(self, second_limit: str = "90.00") -> None:
        super().__init__()
        self.second_limit = second_limit
        self.log: list[str] = []
        self.legs: list[Order] = []

    def on_bar(self, bar: Bar) -> None:
        self.log.append(f"bar {bar.ts}")
        if not self.legs:
            self.legs = [
                self.ctx.buy(bar.symbol, 1, limit="99.00", tif="gtc"),
                self.ctx.buy(bar.symbol, 1, limit=self.second_limit, tif="gtc"),
            ]

    def on_fill(self, fill: Any) -> None:
        self.log.append(f"fill {fill.order_id}")
        self.ctx.cancel(self.legs[1])

    def on_order(self, order: Order) -> None:
        self.log.append(f"{order.status} {order.id}")


def test_strategy_callbacks_order_fill_before_bar_and_cancel_from_on_fill(build: Any) -> None:
    series = build.series([FLAT] * 3)
    strategy = _CancelOnFill()
    kernel = build.kernel(series, strategy=strategy)
    kernel.run_until(int(series.ts[-1]))
    t = [int(x) for x in series.ts]
    assert strategy.log == [
        f"bar {t[0]}",
        "accepted O-00000001",
        "accepted O-00000002",
        "fill O-00000001",  # bar 1 low 99.00 touches the first leg (a fill is not on_order)
        "pending_cancel O-00000002",  # ... whose on_fill sends a cancel for the second leg
        "canceled O-00000002",  # ... which, without latency, acts at once
        f"bar {t[1]}",  # ... all before bar 1's on_bar
        f"bar {t[2]}",
    ]


def test_cancel_from_on_fill_of_sibling_matched_on_same_bar_cancels_cleanly(build: Any) -> None:
    # Both legs (99.00 and 99.50) are touched by bar 1 (low 99.00).  The first leg fills;
    # its on_fill cancels the second, which must then be left alone: canceled, unfilled.
    series = build.series([FLAT] * 3)
    strategy = _CancelOnFill(second_limit="99.50")
    kernel = build.kernel(series, strategy=strategy)
    kernel.run_until(int(series.ts[-1]))
    first, second = strategy.legs
    assert (first.status, second.status) == (OrderStatus.FILLED, OrderStatus.CANCELED)
    assert second.filled_qty == 0
    assert kernel.position("XYZ").qty == 1
