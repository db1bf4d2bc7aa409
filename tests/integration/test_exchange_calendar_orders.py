"""Orders around holidays and early closes, through the real kernel.

The exchange calendar decides when a ``day`` order's session ends, which
open an ``opg`` order meets and which close a ``cls`` order trades at:
2012-07-04 is a holiday after the 13:00 early close of 2012-07-03,
2012-11-23 closes at 13:00, 2012-10-29/30 were closed (Hurricane Sandy).
Minute bars end at the early close (the 12:59-13:00 bar is the session's
last), and a daily bar of an early-close day closes at 13:00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.data.loaders import load_bars
from paperbroker.data.samples import load_sample
from paperbroker.data.series import BarSeries
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus
from paperbroker.model.events import OrderCanceled, OrderExpired, OrderFilled, OrderRejected
from paperbroker.model.fill import Fill, FillRule
from paperbroker.venue.venue import VenueConfig

BUY, SELL = OrderSide.BUY, OrderSide.SELL
JULY_3, JULY_4, JULY_5 = date(2012, 7, 3), date(2012, 7, 4), date(2012, 7, 5)
NOV_21, NOV_23, NOV_26 = date(2012, 11, 21), date(2012, 11, 23), date(2012, 11, 26)


def minute_bars(build: Any, sessions: list[tuple[date, int, float]]) -> BarSeries:
    """One-minute bars from 09:31 on: ``(day, bars, first open)`` per session.

    Prices rise a cent a minute: bar ``i`` opens at ``first + i * 0.01`` and
    closes a cent higher.
    """
    ts: list[int] = []
    rows: list[tuple[float, ...]] = []
    for day, count, first in sessions:
        start = build.ny_ns(day, 9, 31)
        for i in range(count):
            low = round(first + i * 0.01, 2)
            high = round(low + 0.01, 2)
            ts.append(start + i * build.MINUTE_NS)
            rows.append((low, high, low, high))
    series: BarSeries = build.series(rows, ts=ts, freq="minute")
    return series


def fills(kernel: Kernel) -> list[Fill]:
    return [e.fill for e in kernel.events if isinstance(e, OrderFilled)]


def expiries(kernel: Kernel) -> list[OrderExpired]:
    return [e for e in kernel.events if isinstance(e, OrderExpired)]


def holiday_week(build: Any) -> Kernel:
    # 2012-07-03 trades 09:30-13:00 (210 bars), 07-05 a full session (390).
    kernel: Kernel = build.kernel(minute_bars(build, [(JULY_3, 210, 50.00), (JULY_5, 390, 60.00)]))
    return kernel


def test_a_day_order_placed_after_the_close_before_a_holiday_works_on_the_next_trading_day(
    build: Any,
) -> None:
    kernel = holiday_week(build)
    kernel.run_until(build.ny_ns(JULY_3, 17))
    market = kernel.submit_order("XYZ", BUY, 10, tif="day")
    # A sell limit the 07-05 prices reach at 10:00 only (60.30 is the 29th bar's close).
    limit = kernel.submit_order("XYZ", SELL, 5, limit="60.30", tif="day")
    kernel.run_until(build.ny_ns(JULY_4, 23, 59))
    assert (market.status, limit.status) == (OrderStatus.ACCEPTED, OrderStatus.ACCEPTED)
    kernel.run_until(build.ny_ns(JULY_5, 16))
    first, second = fills(kernel)
    assert (first.order_id, first.price, first.rule) == (
        market.id, Decimal("60.00"), FillRule.MARKET_AT_OPEN,
    )  # fmt: skip
    assert first.bar_ts == build.ny_ns(JULY_5, 9, 31)
    assert (second.order_id, second.price, second.bar_ts) == (
        limit.id, Decimal("60.30"), build.ny_ns(JULY_5, 10),
    )  # fmt: skip
    assert expiries(kernel) == []


def test_an_opg_order_placed_before_a_holiday_meets_the_next_trading_days_open(
    build: Any,
) -> None:
    kernel = holiday_week(build)
    kernel.run_until(build.ny_ns(JULY_3, 14))  # after the early close: the market is closed
    after_early_close = kernel.submit_order("XYZ", BUY, 10, tif="opg")
    kernel.run_until(build.ny_ns(JULY_4, 11))  # the holiday, in regular hours
    on_holiday = kernel.submit_order("XYZ", BUY, 5, limit="60.00", tif="opg")
    kernel.run_until(build.ny_ns(JULY_5, 10))
    first_bar = build.ny_ns(JULY_5, 9, 31)
    assert [(f.order_id, f.price, f.rule, f.bar_ts) for f in fills(kernel)] == [
        (after_early_close.id, Decimal("60.00"), FillRule.OPENING_AUCTION, first_bar),
        (on_holiday.id, Decimal("60.00"), FillRule.OPENING_AUCTION, first_bar),
    ]
    # While 07-05's session runs, opg is refused.
    late = kernel.submit_order("XYZ", BUY, 1, tif="opg")
    assert late.status is OrderStatus.REJECTED
    (rejected,) = [e for e in kernel.events if isinstance(e, OrderRejected)]
    assert rejected.order_id == late.id


def test_a_day_order_placed_on_an_early_close_day_expires_at_13(build: Any) -> None:
    kernel = holiday_week(build)
    kernel.run_until(build.ny_ns(JULY_3, 12))
    order = kernel.submit_order("XYZ", BUY, 10, limit="40.00", tif="day")  # never reached
    kernel.run_until(build.ny_ns(JULY_3, 13))
    assert order.status is OrderStatus.EXPIRED
    (expired,) = expiries(kernel)
    assert (expired.order_id, expired.ts) == (order.id, build.ny_ns(JULY_3, 13))


def test_a_cls_order_on_an_early_close_day_fills_at_the_13_close(build: Any) -> None:
    series = minute_bars(build, [(NOV_21, 390, 70.00), (NOV_23, 210, 80.00), (NOV_26, 390, 90.00)])
    kernel = build.kernel(series)
    kernel.run_until(build.ny_ns(NOV_23, 10))
    order = kernel.submit_order("XYZ", SELL, 10, tif="cls")
    kernel.run_until(build.ny_ns(NOV_26, 16))
    (fill,) = fills(kernel)
    # The 12:59-13:00 bar is the 210th: it closes at 80.00 + 210 cents.
    assert (fill.order_id, fill.price, fill.rule, fill.ts) == (
        order.id, Decimal("82.10"), FillRule.CLOSING_AUCTION, build.ny_ns(NOV_23, 13),
    )  # fmt: skip
    assert [e for e in kernel.events if isinstance(e, OrderCanceled)] == []


def test_daily_bars_of_an_early_close_day_close_at_13(build: Any, tmp_path: Path) -> None:
    csv = tmp_path / "daily.csv"
    csv.write_text(
        "Ticker,Date,Open,High,Low,Close,Volume\n"
        "XYZ,2012-11-21,70,71,69,70.5,1000000\n"
        "XYZ,2012-11-23,80,81,79,80.5,1000000\n"
        "XYZ,2012-11-26,90,91,89,90.5,1000000\n"
    )
    series = load_bars(csv)["XYZ"]
    assert series.ts.tolist() == [
        build.ny_ns(NOV_21), build.ny_ns(NOV_23, 13), build.ny_ns(NOV_26),
    ]  # fmt: skip
    kernel = build.kernel(series)
    kernel.run_until(build.ny_ns(NOV_21, 16))
    cls = kernel.submit_order("XYZ", SELL, 10, tif="cls")
    day = kernel.submit_order("XYZ", BUY, 10, limit="60.00", tif="day")  # never reached
    kernel.run_until(build.ny_ns(NOV_26, 16))
    (fill,) = fills(kernel)
    assert (fill.order_id, fill.price, fill.rule, fill.ts) == (
        cls.id, Decimal("80.5"), FillRule.CLOSING_AUCTION, build.ny_ns(NOV_23, 13),
    )  # fmt: skip
    (expired,) = expiries(kernel)
    assert (expired.order_id, expired.ts) == (day.id, build.ny_ns(NOV_23, 13))


def test_the_bundled_sample_over_independence_day(build: Any) -> None:
    aapl = load_sample("stocks", symbols="AAPL")["AAPL"]
    series = aapl.between(build.ny_ns(date(2012, 7, 2), 0), build.ny_ns(date(2012, 7, 7), 0))
    assert series.ts.tolist() == [
        build.ny_ns(date(2012, 7, 2)), build.ny_ns(JULY_3, 13),
        build.ny_ns(JULY_5), build.ny_ns(date(2012, 7, 6)),
    ]  # fmt: skip
    kernel = build.kernel(series)
    kernel.run_until(build.ny_ns(JULY_3, 17))
    order = kernel.submit_order("AAPL", BUY, 10, tif="day")
    kernel.run_until(build.ny_ns(date(2012, 7, 6)))
    (fill,) = fills(kernel)
    assert (fill.order_id, fill.bar_ts) == (order.id, build.ny_ns(JULY_5))
    assert fill.price == Decimal(str(series.open[2]))
    assert expiries(kernel) == []


def test_margin_accounts_get_the_intraday_multiplier_only_while_the_exchange_is_open(
    build: Any,
) -> None:
    series = minute_bars(build, [(date(2012, 12, 24), 210, 50.00), (date(2012, 12, 26), 1, 51.0)])
    account = Account(
        AccountId("reg-t"),
        Decimal(100_000),
        AccountConfig(AccountType.MARGIN, Decimal(2), Decimal(4)),
    )
    start = int(series.ts[0]) - series.duration_ns
    kernel = Kernel(HistoricalFeed([series]), account, VenueConfig(), SimClock(start))

    def buying_power_at(day: date, hour: int, minute: int = 0) -> Decimal:
        kernel.run_until(build.ny_ns(day, hour, minute))
        return kernel.books().buying_power

    assert buying_power_at(date(2012, 12, 24), 12, 59) == Decimal(400_000)
    assert buying_power_at(date(2012, 12, 24), 13) == Decimal(200_000)  # the early close
    assert buying_power_at(date(2012, 12, 25), 12) == Decimal(200_000)  # Christmas
    assert buying_power_at(date(2012, 12, 26), 9, 30) == Decimal(400_000)
