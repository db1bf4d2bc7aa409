"""Replacing a released exit leg: the replacement works at once and keeps the OCO link."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperbroker.model.enums import AccountType, OrderSide, OrderStatus


def test_replaced_take_profit_fills_and_cancels_the_stop_loss(build: Any) -> None:
    series = build.series(
        [(100, 101, 99, 100), (100, 101, 99.5, 100.5), (100.5, 101, 100, 100.8),
         (100.8, 106, 100.5, 105)]
    )  # fmt: skip
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    entry = kernel.submit_order(
        "XYZ", OrderSide.BUY, 10, order_class="bracket", take_profit="105.50",
        stop_loss="98.00", tif="gtc",
    )  # fmt: skip
    kernel.run_until(int(series.ts[1]))  # the entry filled at 100.00: its exits work
    take_profit, stop_loss = entry.legs

    replacement = kernel.replace_order(take_profit, limit="104.00")
    assert replacement.status is OrderStatus.ACCEPTED  # not held: its entry has filled
    kernel.run_until(int(series.ts[-1]))  # bar 3 reaches 106.00

    assert kernel.orders[take_profit].status is OrderStatus.REPLACED
    assert replacement.status is OrderStatus.FILLED
    assert replacement.avg_fill_price == Decimal("104.00")
    assert kernel.orders[stop_loss].status is OrderStatus.CANCELED


def test_a_cash_account_moves_its_take_profit_without_selling_short(build: Any) -> None:
    """The stop-loss beside the take-profit is the other way out of the same 10 shares:
    replacing one leg claims nothing beside it, so a cash account may do it."""
    series = build.series(
        [(100, 101, 99, 100), (100, 101, 99.5, 100.5), (100.5, 101, 100, 100.8),
         (100.8, 106, 100.5, 105)]
    )  # fmt: skip
    kernel = build.kernel(series, cash=10_000, account_type=AccountType.CASH)
    kernel.run_until(int(series.ts[0]))
    entry = kernel.submit_order(
        "XYZ", OrderSide.BUY, 10, order_class="bracket", take_profit="105.50",
        stop_loss="98.00", tif="gtc",
    )  # fmt: skip
    kernel.run_until(int(series.ts[1]))
    take_profit, stop_loss = entry.legs

    replacement = kernel.replace_order(take_profit, limit="104.00")
    assert replacement.status is OrderStatus.ACCEPTED, replacement.reject_message
    too_big = kernel.replace_order(stop_loss, qty=11)  # 11 of 10 shares: one would be short
    assert too_big.status is OrderStatus.REJECTED
    kernel.run_until(int(series.ts[-1]))
    assert replacement.status is OrderStatus.FILLED
    assert kernel.position("XYZ").qty == 0
