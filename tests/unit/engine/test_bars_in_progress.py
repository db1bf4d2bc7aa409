"""A run that stops inside a bar: working orders meet its open, and nothing else of it.

Daily bars open at 09:30 and close at 16:00 New York.  A session clock sitting
at 09:30 with a market order placed then, advanced to 09:31, has passed the
open: the order trades at the open.  The high, low, close and volume of the
day are still unknown, so nothing that needs them may happen before 16:00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill, FillRule
from paperbroker.venue import VenueConfig, VolumeParticipation

BUY, SELL = OrderSide.BUY, OrderSide.SELL
DAY0, DAY1, DAY2 = date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)
# open, high, low, close: day 0 is history; day 1 opens at 100 and dips to 98; day 2
# gaps up to 103.
BARS = [
    (99.00, 99.50, 98.50, 99.00),
    (100.00, 101.00, 98.00, 100.50),
    (103.00, 104.00, 102.00, 103.50),
]


@pytest.fixture
def kernel(build: Any) -> Kernel:
    """A kernel whose clock stands at day 1's 09:30 open, day 0 known."""
    kernel = build.kernel(build.series(BARS))
    kernel.run_until(build.ny_ns(DAY1, 9, 30))
    assert kernel.bars_processed == 1
    return kernel


def fills(kernel: Kernel) -> list[Fill]:
    return [e.fill for e in kernel.events if isinstance(e, OrderFilled)]


def test_market_order_at_the_open_is_priced_by_the_last_close_and_fills_at_the_open(
    kernel: Kernel, build: Any
) -> None:
    order = kernel.submit_order("XYZ", BUY, 10)
    assert order.status is OrderStatus.ACCEPTED  # checked against day 0's close
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule, fill.path) == (
        Decimal("100.00"),
        FillRule.MARKET_AT_OPEN,
        "open",
    )
    assert fill.ts == build.ny_ns(DAY1, 9, 31)  # stamped when the kernel learned it
    assert order.status is OrderStatus.FILLED
    assert kernel.position("XYZ").qty == 10
    assert kernel.bars_processed == 1  # day 1's bar itself is still in progress


def test_limit_below_the_open_waits_for_the_close_of_the_bar(kernel: Kernel, build: Any) -> None:
    order = kernel.submit_order("XYZ", BUY, 10, limit="99.00")
    kernel.run_until(build.ny_ns(DAY1, 12, 0))
    assert fills(kernel) == []  # the dip to 98 is not known at noon
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule) == (Decimal("99.00"), FillRule.LIMIT_TOUCHED)
    assert order.status is OrderStatus.FILLED


def test_stop_gapped_through_at_the_open_fills_at_the_open(kernel: Kernel, build: Any) -> None:
    kernel.run_until(build.ny_ns(DAY1, 16, 0))  # day 1 closes at 100.50
    kernel.submit_order("XYZ", BUY, 10, stop="102.00", tif="gtc")
    kernel.run_until(build.ny_ns(DAY2, 9, 45))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule) == (Decimal("103.00"), FillRule.STOP_GAP_AT_OPEN)


def test_ioc_not_marketable_at_the_open_is_canceled_at_the_open(kernel: Kernel, build: Any) -> None:
    order = kernel.submit_order("XYZ", BUY, 10, limit="99.00", tif="ioc")
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    assert order.status is OrderStatus.CANCELED
    assert fills(kernel) == []


def test_order_placed_after_the_open_waits_for_the_next_bar(kernel: Kernel, build: Any) -> None:
    kernel.run_until(build.ny_ns(DAY1, 10, 0))
    kernel.submit_order("XYZ", BUY, 10, tif="gtc")
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    assert fills(kernel) == []  # day 1's open was before the order existed
    kernel.run_until(build.ny_ns(DAY2, 9, 31))
    (fill,) = fills(kernel)
    assert fill.price == Decimal("103.00")


def test_volume_limited_fills_wait_for_the_close(build: Any) -> None:
    config = VenueConfig(fill_quantity=VolumeParticipation("0.5"))
    kernel = build.kernel(build.series(BARS), config=config)
    kernel.run_until(build.ny_ns(DAY1, 9, 30))
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    assert fills(kernel) == []  # the day's volume is unknown until 16:00
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    (fill,) = fills(kernel)
    assert (fill.price, fill.rule) == (Decimal("100.00"), FillRule.MARKET_AT_OPEN)


def test_stopping_inside_bars_gives_the_same_fills_as_running_through(build: Any) -> None:
    series = build.series(BARS)
    straight, stepped = build.kernel(series), build.kernel(series)
    for kernel in (straight, stepped):
        kernel.run_until(int(series.ts[0]))
        kernel.submit_order("XYZ", BUY, 10)
        kernel.submit_order("XYZ", BUY, 5, limit="99.00", tif="gtc")
    straight.run_until(int(series.ts[-1]))
    for minutes in range(0, 2 * 24 * 60, 37):  # odd steps, many of them inside bars
        stepped.run_until(
            min(stepped.clock.now_ns() + minutes * 60_000_000_000, int(series.ts[-1]))
        )
    stepped.run_until(int(series.ts[-1]))
    price_rule = [(f.price, f.qty, f.rule) for f in fills(straight)]
    assert [(f.price, f.qty, f.rule) for f in fills(stepped)] == price_rule


def test_marks_are_the_last_close_until_strictly_after_the_next_open(
    kernel: Kernel, build: Any
) -> None:
    assert kernel.portfolio.mark("XYZ") == Decimal("99.00")  # 09:30: day 0's close
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    assert kernel.portfolio.mark("XYZ") == Decimal("100.00")  # day 1's open is known
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    assert kernel.portfolio.mark("XYZ") == Decimal("100.50")  # day 1's close
