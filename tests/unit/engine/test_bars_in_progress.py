"""A run that stops inside a bar: working orders meet its open, and nothing else of it.

Daily bars open at 09:30 and close at 16:00 New York.  A session clock sitting
at 09:30 with a market order placed then, advanced to 09:31, has passed the
open: the order trades at the open.  The high, low, close and volume of the
day are still unknown, so nothing that needs them may happen before 16:00:
a volume cap uses the day's expected volume (the mean of the days before).
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
from paperbroker.venue import preset as preset_config

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


def test_market_order_placed_after_the_open_fills_at_the_open(kernel: Kernel, build: Any) -> None:
    kernel.run_until(build.ny_ns(DAY1, 10, 0))
    order = kernel.submit_order("XYZ", BUY, 10, tif="gtc")
    kernel.run_until(build.ny_ns(DAY1, 10, 1))
    (fill,) = fills(kernel)  # the last price known at 10:00 is the day's open
    assert (fill.price, fill.rule) == (Decimal("100.00"), FillRule.MARKET_AT_ARRIVAL)
    assert order.status is OrderStatus.FILLED


def test_limit_placed_after_the_open_below_it_waits_for_the_next_bar(
    kernel: Kernel, build: Any
) -> None:
    kernel.run_until(build.ny_ns(DAY1, 10, 0))
    kernel.submit_order("XYZ", BUY, 10, limit="99.00", tif="gtc")
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    assert fills(kernel) == []  # day 1's dip to 98 may have come before the order
    kernel.run_until(build.ny_ns(DAY2, 9, 31))
    assert fills(kernel) == []  # day 2 opens at 103, above the limit


def _capped(build: Any, volumes: tuple[float, float, float]) -> Kernel:
    bars = [(*bar, volume) for bar, volume in zip(BARS, volumes, strict=True)]
    config = VenueConfig(fill_quantity=VolumeParticipation("0.5"))
    kernel = build.kernel(build.series(bars), config=config)
    kernel.run_until(build.ny_ns(DAY1, 9, 30))
    return kernel


def test_volume_cap_at_the_open_uses_the_expected_volume(build: Any) -> None:
    # Day 0 traded 40: half of it, 20, is what the open may fill of day 1.
    kernel = _capped(build, (40, 4, 4))
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    (fill,) = fills(kernel)  # day 1's own volume (4) is unknown until 16:00
    assert (fill.qty, fill.price, fill.rule) == (10, Decimal("100.00"), FillRule.MARKET_AT_OPEN)


def test_order_large_against_the_expected_volume_waits_for_the_close(build: Any) -> None:
    kernel = _capped(build, (10, 30, 30))  # 50 % of day 0's 10 is 5 < 10
    order = kernel.submit_order("XYZ", BUY, 10, tif="gtc")
    kernel.run_until(build.ny_ns(DAY1, 12, 0))
    assert fills(kernel) == []
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    (fill,) = fills(kernel)  # 50 % of day 1's own 30 is 15: all of it, at the open
    assert (fill.qty, fill.price, fill.rule) == (10, Decimal("100.00"), FillRule.MARKET_AT_OPEN)
    assert order.status is OrderStatus.FILLED


def _run_straight_and_stepped(
    build: Any, series: Any, config: VenueConfig | None, orders: Any
) -> tuple[Kernel, Kernel]:
    """Two kernels given the same orders at the same moments: one runs through each bar
    between them, the other in odd steps, many of them inside bars."""
    straight, stepped = build.kernel(series, config=config), build.kernel(series, config=config)
    end = int(series.ts[-1])
    for kernel, stepping in ((straight, False), (stepped, True)):
        for moment, place in orders:
            while stepping and kernel.clock.now_ns() + 37 * 60_000_000_000 < moment:
                kernel.run_until(kernel.clock.now_ns() + 37 * 60_000_000_000)
            kernel.run_until(moment)
            place(kernel)
        while stepping and kernel.clock.now_ns() < end:
            kernel.run_until(min(kernel.clock.now_ns() + 37 * 60_000_000_000, end))
        kernel.run_until(end)
    return straight, stepped


def _same_fills(straight: Kernel, stepped: Kernel) -> None:
    def seen(kernel: Kernel) -> list[tuple[Any, ...]]:
        return [(f.order_id, f.price, f.qty, f.rule, f.path, f.bar_ts) for f in fills(kernel)]

    assert seen(stepped) == seen(straight)
    assert seen(straight)


def test_stopping_inside_bars_gives_the_same_fills_as_running_through(build: Any) -> None:
    series = build.series(BARS)
    orders = [
        (int(series.ts[0]), lambda k: k.submit_order("XYZ", BUY, 10)),
        (int(series.ts[0]), lambda k: k.submit_order("XYZ", BUY, 5, limit="99.00", tif="gtc")),
    ]
    _same_fills(*_run_straight_and_stepped(build, series, None, orders))


@pytest.mark.parametrize("preset", ["equities_realistic", "alpaca_paper", "ideal"])
def test_the_same_fills_with_volume_caps_latency_and_orders_inside_bars(
    build: Any, preset: str
) -> None:
    # Volumes 400, 300, 200: equities_realistic's 5 % cap lets day 1's entry fill 20 (of
    # day 0's 400), so the 10 fill at the open and the 30 wait for day 1's own volume.
    bars = [(*bar, volume) for bar, volume in zip(BARS, (400, 300, 200), strict=True)]
    series = build.series(bars)
    config = preset_config(preset).venue_config()
    orders = [
        (int(series.ts[0]), lambda k: k.submit_order("XYZ", BUY, 10)),
        (int(series.ts[0]), lambda k: k.submit_order("XYZ", BUY, 30, tif="gtc")),
        (build.ny_ns(DAY1, 9, 30), lambda k: k.submit_order("XYZ", BUY, 5)),
        (build.ny_ns(DAY1, 11, 7), lambda k: k.submit_order("XYZ", SELL, 4, tif="gtc")),
        (build.ny_ns(DAY1, 11, 7), lambda k: k.submit_order("XYZ", BUY, 3, limit="101.00")),
        (build.ny_ns(DAY2, 9, 35), lambda k: k.submit_order("XYZ", BUY, 2, limit="99.00")),
    ]
    _same_fills(*_run_straight_and_stepped(build, series, config, orders))


def test_marks_are_the_last_close_until_strictly_after_the_next_open(
    kernel: Kernel, build: Any
) -> None:
    assert kernel.portfolio.mark("XYZ") == Decimal("99.00")  # 09:30: day 0's close
    kernel.run_until(build.ny_ns(DAY1, 9, 31))
    assert kernel.portfolio.mark("XYZ") == Decimal("100.00")  # day 1's open is known
    kernel.run_until(build.ny_ns(DAY1, 16, 0))
    assert kernel.portfolio.mark("XYZ") == Decimal("100.50")  # day 1's close
