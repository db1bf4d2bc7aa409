"""What working orders hold of a position, and the sells refused beyond it (Alpaca's rule).

Every bar is flat at 100.00 (high 100.50, low 99.00), volume 1 000 000, so
a market order fills whole at the next bar's open and the resting exits
here (profit at 150.00, stop at 90.00) never trade.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus, RejectReason
from paperbroker.model.order import Order
from paperbroker.portfolio.claims import Holding
from paperbroker.venue import VenueConfig
from paperbroker.venue.fill_quantity import VolumeParticipation

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.00, 100.00, 1_000_000)
ACCOUNTS = [AccountType.CASH, AccountType.MARGIN]


def holding_20(build: Any, account_type: AccountType, **kwargs: Any) -> Kernel:
    """A kernel whose account holds 20 XYZ, bought at 100.00 on bar 1."""
    series = build.series([FLAT] * 6)
    kernel: Kernel = build.kernel(series, cash=10_000, account_type=account_type, **kwargs)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 20)
    kernel.run_until(int(series.ts[1]))
    assert kernel.position("XYZ").qty == 20
    return kernel


def oco(kernel: Kernel, qty: int) -> Order:
    return kernel.submit_order(
        "XYZ", SELL, qty, limit="150.00", tif="gtc", order_class="oco", stop_loss="90.00"
    )


def refusal(order: Order) -> tuple[RejectReason | None, str]:
    return order.reject_reason, order.reject_message


@pytest.mark.parametrize("account_type", ACCOUNTS)
def test_an_oco_pair_holds_its_quantity_once(build: Any, account_type: AccountType) -> None:
    kernel = holding_20(build, account_type)
    pair = oco(kernel, 5)
    assert pair.status is OrderStatus.ACCEPTED
    assert kernel.holding("XYZ") == Holding(
        Decimal(20), Decimal(5), Decimal(15), (pair.id, *pair.legs)
    )
    too_many = kernel.submit_order("XYZ", SELL, 16)
    assert refusal(too_many) == (
        RejectReason.INSUFFICIENT_QTY,
        "insufficient qty available for order (requested: 16, available: 15)",
    )
    assert kernel.submit_order("XYZ", SELL, 15).status is OrderStatus.ACCEPTED
    assert kernel.holding("XYZ").available == 0


@pytest.mark.parametrize("account_type", ACCOUNTS)
def test_a_fresh_count_of_the_pair_decides_as_the_cached_one(
    build: Any, account_type: AccountType
) -> None:
    kernel = holding_20(build, account_type)
    oco(kernel, 5)
    kernel.portfolio.forget_reservations()  # counted afresh from the working orders
    assert kernel.submit_order("XYZ", SELL, 15).status is OrderStatus.ACCEPTED


@pytest.mark.parametrize("account_type", ACCOUNTS)
def test_released_bracket_exits_hold_the_shares_against_a_partial_close(
    build: Any, account_type: AccountType
) -> None:
    series = build.series([FLAT] * 6)
    kernel: Kernel = build.kernel(series, cash=10_000, account_type=account_type)
    kernel.run_until(int(series.ts[0]))
    entry = kernel.submit_order(
        "XYZ", BUY, 20, order_class="bracket", take_profit="150.00", stop_loss="90.00"
    )
    kernel.run_until(int(series.ts[1]))
    assert [kernel.orders[leg].status for leg in entry.legs] == [OrderStatus.ACCEPTED] * 2
    assert kernel.holding("XYZ").available == 0
    half = kernel.submit_order("XYZ", SELL, 10)  # a 50 % close_position
    assert refusal(half) == (
        RejectReason.INSUFFICIENT_QTY,
        "insufficient qty available for order (requested: 10, available: 0)",
    )
    kernel.run_until(int(series.ts[-1]))
    assert kernel.position("XYZ").qty == 20  # the exits were never oversold


def test_a_margin_account_does_not_sell_a_long_position_into_a_short(build: Any) -> None:
    kernel = holding_20(build, AccountType.MARGIN, leverage=2)
    flip = kernel.submit_order("XYZ", SELL, 25)
    assert refusal(flip) == (
        RejectReason.INSUFFICIENT_QTY,
        "insufficient qty available for order (requested: 25, available: 20)",
    )
    assert kernel.submit_order("XYZ", SELL, 20).status is OrderStatus.ACCEPTED
    kernel.run_until(int(kernel.feed.ts[2]))
    assert kernel.position("XYZ").qty == 0
    # Flat, the same account may sell short.
    assert kernel.submit_order("XYZ", SELL, 5).status is OrderStatus.ACCEPTED


def test_held_exits_of_a_partly_filled_entry_hold_what_it_filled(build: Any) -> None:
    # 0.00002 of 1 000 000 is 20 shares a bar: the entry of 30 fills 20, then 10.
    config = VenueConfig(fill_quantity=VolumeParticipation("0.00002"))
    series = build.series([FLAT] * 6)
    kernel: Kernel = build.kernel(series, cash=10_000, account_type=AccountType.CASH,
                                  config=config)  # fmt: skip
    kernel.run_until(int(series.ts[0]))
    entry = kernel.submit_order(
        "XYZ", BUY, 30, tif="gtc", order_class="bracket", take_profit="150.00", stop_loss="90.00"
    )
    kernel.run_until(int(series.ts[1]))
    assert (entry.status, entry.filled_qty) == (OrderStatus.PARTIALLY_FILLED, 20)
    assert [kernel.orders[leg].status for leg in entry.legs] == [OrderStatus.HELD] * 2
    assert kernel.holding("XYZ") == Holding(Decimal(20), Decimal(20), Decimal(0), tuple(entry.legs))
    sell = kernel.submit_order("XYZ", SELL, 5)
    assert refusal(sell) == (
        RejectReason.INSUFFICIENT_QTY,
        "insufficient qty available for order (requested: 5, available: 0)",
    )
    kernel.run_until(int(series.ts[2]))
    assert entry.status is OrderStatus.FILLED
    assert [kernel.orders[leg].qty for leg in entry.legs] == [30, 30]
    assert kernel.holding("XYZ") == Holding(Decimal(30), Decimal(30), Decimal(0), tuple(entry.legs))


def test_a_short_position_is_held_by_its_working_buys(build: Any) -> None:
    series = build.series([FLAT] * 6)
    kernel: Kernel = build.kernel(series, cash=10_000, account_type=AccountType.MARGIN, leverage=2)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", SELL, 8)
    kernel.run_until(int(series.ts[1]))
    cover = kernel.submit_order("XYZ", BUY, 3, limit="90.00", tif="gtc")
    assert kernel.holding("XYZ") == Holding(Decimal(8), Decimal(3), Decimal(5), (cover.id,))


def test_a_flat_position_holds_nothing(build: Any) -> None:
    series = build.series([FLAT] * 3)
    kernel: Kernel = build.kernel(series, account_type=AccountType.MARGIN)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", SELL, 3, limit="150.00", tif="gtc")
    assert kernel.holding("XYZ") == Holding(Decimal(0), Decimal(0), Decimal(0))


@pytest.mark.parametrize("leg", ["limit", "stop"])
def test_a_replaced_leg_of_an_oco_still_counts_once(build: Any, leg: str) -> None:
    kernel = holding_20(build, AccountType.CASH)
    pair = oco(kernel, 5)
    if leg == "limit":
        new = kernel.replace_order(pair.id, limit="160.00")
    else:
        new = kernel.replace_order(pair.legs[0], stop="80.00")
    assert new.status is OrderStatus.ACCEPTED
    kernel.run_until(int(kernel.feed.ts[2]))  # the replacement reaches the venue
    assert kernel.holding("XYZ").available == 15
    assert kernel.submit_order("XYZ", SELL, 15).status is OrderStatus.ACCEPTED
