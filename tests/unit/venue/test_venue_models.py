"""The execution models on their own, and day-order sessions with minute bars."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import OrderSide, OrderStatus, OrderType
from paperbroker.model.events import OrderExpired, OrderFilled
from paperbroker.model.fill import FillRule
from paperbroker.venue import (
    FixedBpsSlippage,
    FixedCommission,
    FullFill,
    IntrabarPath,
    NoCommission,
    NoSlippage,
    PercentCommission,
    PerShareCommission,
    VolumeParticipation,
)
from paperbroker.venue.fill_quantity import QuantityInput
from paperbroker.venue.matching import match, match_at_open
from paperbroker.venue.slippage import SlippageInput, apply_cost

D = Decimal
TICK = D("0.01")


# ---- intrabar path -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bar", "path"),
    [
        ((100, 101, 98, 99), "OHLC"),  # high 1 away, low 2 away: high first
        ((100, 103, 99, 102), "OLHC"),  # low 1 away, high 3 away: low first
        ((100, 102, 98, 99), "OHLC"),  # tie, closes down: rises first
        ((100, 102, 98, 101), "OLHC"),  # tie, closes up: falls first
        ((100, 102, 98, 100), "OLHC"),  # tie, closes flat: not down, so falls first
    ],
)
def test_intrabar_adaptive_resolves_nearest_extreme_then_tie_break(
    bar: tuple[float, float, float, float], path: str
) -> None:
    assert IntrabarPath.ADAPTIVE.resolve(*bar) == path
    assert IntrabarPath.OHLC.resolve(*bar) == "OHLC"
    assert IntrabarPath.OLHC.resolve(*bar) == "OLHC"


def test_match_sell_is_mirror_of_buy() -> None:
    # Buy limit 99 on (100, 101, 98, 100) touches at 99; the mirrored sell limit 101 on the
    # mirrored bar (100, 102, 99, 100) touches at 101.
    assert match(OrderType.LIMIT, True, 99.0, 0.0, 100, 101, 98, 100, "OHLC") == (
        FillRule.LIMIT_TOUCHED,
        99.0,
    )
    assert match(OrderType.LIMIT, False, 101.0, 0.0, 100, 102, 99, 100, "OLHC") == (
        FillRule.LIMIT_TOUCHED,
        101.0,
    )
    assert match(OrderType.STOP, False, 0.0, 99.0, 100, 100.5, 99.5, 100, "OHLC") is None


@pytest.mark.parametrize(
    ("order_type", "is_buy", "limit", "stop", "expected"),
    [
        (OrderType.MARKET, False, 0.0, 0.0, (FillRule.MARKET_AT_OPEN, 100.0)),
        (OrderType.LIMIT, True, 99.0, 0.0, None),  # the bar may dip to 99 later: not counted
        (OrderType.LIMIT, False, 99.0, 0.0, (FillRule.LIMIT_AT_OPEN, 100.0)),
        (OrderType.STOP, True, 0.0, 99.5, (FillRule.STOP_GAP_AT_OPEN, 100.0)),
        (OrderType.STOP, True, 0.0, 100.5, None),
        (OrderType.STOP, False, 0.0, 100.5, (FillRule.STOP_GAP_AT_OPEN, 100.0)),
        (OrderType.STOP_LIMIT, True, 100.2, 99.5, (FillRule.STOP_LIMIT_AT_TRIGGER, 100.0)),
        (OrderType.STOP_LIMIT, True, 99.8, 99.5, None),  # gapped past its limit
        (OrderType.STOP_LIMIT, False, 99.8, 100.5, (FillRule.STOP_LIMIT_AT_TRIGGER, 100.0)),
    ],
)
def test_match_at_open_uses_the_open_only(
    order_type: OrderType, is_buy: bool, limit: float, stop: float, expected: object
) -> None:
    assert match_at_open(order_type, is_buy, limit, stop, 100.0) == expected


# ---- slippage ----------------------------------------------------------------------------


def _fill(reference: float = 100.0) -> SlippageInput:
    return SlippageInput(reference, 10.0, True, 1000.0, math.nan, math.nan)


def test_fixed_bps_slippage_rounds_against_the_taker() -> None:
    cost = FixedBpsSlippage(10).cost(_fill())
    assert apply_cost(D("100.01"), cost, True, TICK) == D("100.12")  # 100.11001 up
    assert apply_cost(D("100.01"), cost, False, TICK) == D("99.90")  # 99.90999 down
    assert apply_cost(D("50.00"), cost, True, TICK) == D("50.05")  # exact: no extra tick
    assert apply_cost(D("10.00"), FixedBpsSlippage(0).cost(_fill()), True, TICK) == D("10.00")
    assert apply_cost(D("10.00"), NoSlippage().cost(_fill()), False, TICK) == D("10.00")


def test_fixed_bps_slippage_deprecated_slipped_price_matches_apply_cost() -> None:
    slip = FixedBpsSlippage(10)
    assert slip.slipped_price(D("100.01"), True, TICK) == D("100.12")
    assert slip.slipped_price(D("100.01"), False, TICK) == D("99.90")
    assert NoSlippage().slipped_price(D("10.00"), False, TICK) == D("10.00")


def test_fixed_bps_slippage_negative_raises() -> None:
    with pytest.raises(InvalidRequest, match="bps: must not be negative"):
        FixedBpsSlippage(-1)


# ---- fill quantity -----------------------------------------------------------------------


def _q(volume: float, taken: str, lot: str = "1", leaves: str = "1000") -> QuantityInput:
    return QuantityInput(volume, D(taken), D(lot), D(leaves), "O-1", 1)


def test_volume_participation_caps_per_bar_and_rounds_to_lot() -> None:
    model = VolumeParticipation("0.1")
    assert model.available(_q(505.0, "0")) == D(50)  # 50.5 down to the lot
    assert model.available(_q(505.0, "30")) == D(20)  # shared by the bar's orders
    assert model.available(_q(505.0, "60")) == D(0)  # never negative
    assert model.available(_q(1.0, "0", lot="0.0001")) == D("0.1")
    assert FullFill().available(_q(0.0, "0")) is None


def test_fill_quantity_needs_full_bar_and_its_deprecated_alias() -> None:
    assert (FullFill().needs_full_bar, FullFill().needs_volume) == (False, False)
    participation = VolumeParticipation("0.1")
    assert (participation.needs_full_bar, participation.needs_volume) == (True, True)


@pytest.mark.parametrize("share", ["0", "-0.1", "1.5"])
def test_volume_participation_share_out_of_range_raises(share: str) -> None:
    with pytest.raises(InvalidRequest, match="max_share"):
        VolumeParticipation(share)


# ---- commission --------------------------------------------------------------------------


def test_per_share_commission_min_max_and_pct_cap() -> None:
    model = PerShareCommission("0.005", minimum="1", maximum="10")
    assert model.order_fee(D(100), D(10_000)) == D("1.00")  # 0.50 -> minimum
    assert model.order_fee(D(1000), D(100_000)) == D("5.00")
    assert model.order_fee(D(5000), D(500_000)) == D("10.00")  # 25.00 -> maximum
    capped = PerShareCommission("0.005", minimum="1", maximum_pct="0.01")
    assert capped.order_fee(D(1000), D(300)) == D("3.00")  # 5.00 capped at 1 % of 300


def test_per_share_commission_maximum_below_minimum_raises() -> None:
    with pytest.raises(InvalidRequest, match="maximum"):
        PerShareCommission("0.005", minimum="2", maximum="1")


def test_percent_commission_rounds_half_up_to_cents() -> None:
    model = PercentCommission("0.001")
    assert model.order_fee(D(1), D("5.00")) == D("0.01")  # 0.005 rounds half up
    assert model.order_fee(D(3), D("99.99")) == D("0.10")
    assert PercentCommission("0.001", round_to=None).order_fee(D(3), D("99.99")) == D("0.09999")


def test_percent_commission_rate_out_of_range_raises() -> None:
    with pytest.raises(InvalidRequest, match="rate"):
        PercentCommission("1")


def test_fixed_commission_only_once_something_filled() -> None:
    model = FixedCommission("5")
    assert model.order_fee(D(0), D(0)) == D(0)
    assert model.order_fee(D(1), D(10)) == model.order_fee(D(500), D(5000)) == D("5.00")


@pytest.mark.parametrize(
    ("model", "budget", "price", "qty"),
    [
        (NoCommission(), "1000", "33", 30),  # floor(1000 / 33) = 30
        (PerShareCommission("0.01", minimum="1"), "1000", "10", 99),  # 990 + 1 <= 1000
        (PercentCommission("0.01"), "1010", "10", 100),  # 1000 + 10.00 <= 1010
        (PercentCommission("0.01"), "1009.99", "10", 99),
        (FixedCommission("5"), "1000", "10", 99),  # 990 + 5 <= 1000, 1000 + 5 > 1000
        (FixedCommission("5"), "5", "10", 0),
    ],
)
def test_commission_max_qty_fits_budget_with_fee(
    model: Any, budget: str, price: str, qty: int
) -> None:
    result = model.max_qty(D(budget), D(price), D(1))
    assert result == qty
    if qty:
        assert result * D(price) + model.order_fee(result, result * D(price)) <= D(budget)
        bigger = result + 1
        assert bigger * D(price) + model.order_fee(bigger, bigger * D(price)) > D(budget)


# ---- day orders and sessions -----------------------------------------------------------


def test_day_order_minute_bars_fills_within_its_session(build: Any) -> None:
    # Decided at 10:00; the 10:01 bar dips to 98.00: the day order fills the same day.
    t = build.minute_ts(3, datetime(2024, 1, 2, 10, 0, tzinfo=build.NEW_YORK))
    series = build.series(
        [(100, 100.5, 99.5, 100), (99.5, 100, 98, 99), (99, 99.5, 98.5, 99)],
        ts=t, freq="minute",
    )  # fmt: skip
    kernel = build.kernel(series)
    kernel.run_until(t[0])
    order = kernel.submit_order("XYZ", OrderSide.BUY, 10, limit="98.00")
    kernel.run_until(t[-1])
    assert order.status is OrderStatus.FILLED
    fill = next(e.fill for e in kernel.events if isinstance(e, OrderFilled))
    assert (fill.bar_ts, fill.price) == (t[1], D("98.00"))


def test_day_order_submitted_after_close_belongs_to_next_session(build: Any) -> None:
    # Decided at the 16:00 close of Jan 2: its session is Jan 3; it fills at 09:31 Jan 3 and
    # would expire with Jan 3's 16:00 bar.
    t = [
        build.ny_ns(date(2024, 1, 2), 16, 0),
        build.ny_ns(date(2024, 1, 3), 9, 31),
    ]
    series = build.series([(100, 100.5, 99.5, 100), (99, 99.5, 97.5, 98)], ts=t, freq="minute")
    kernel = build.kernel(series)
    kernel.run_until(t[0])
    order = kernel.submit_order("XYZ", OrderSide.BUY, 10, limit="98.00")
    kernel.run_until(t[-1])
    assert order.status is OrderStatus.FILLED


def test_day_order_belongs_to_session_of_first_bar_it_can_trade_on(build: Any) -> None:
    # docs/fill-models.md: a day order "belongs to the trading date of the first bar it can
    # trade on".  Decided at 12:00 on Jan 2 with no further XYZ bar that day (a halt), its
    # first bar is 09:31 on Jan 3: it is a Jan 3 order, fills there at the touch 98.00, and
    # would expire with Jan 3's 16:00 bar.  (A real venue would have expired it at Jan 2's
    # close; the documented rule keys the session on bars, not on the arrival time.)
    t = [
        build.ny_ns(date(2024, 1, 2), 12, 0),
        build.ny_ns(date(2024, 1, 3), 9, 31),
        build.ny_ns(date(2024, 1, 3), 16, 0),
        build.ny_ns(date(2024, 1, 4), 9, 31),
    ]
    bars = [(100, 100.5, 99.5, 100), (99, 99.5, 98.5, 99), (99, 99.5, 98.5, 99), (97, 98, 96, 97)]
    series = build.series(bars, ts=t, freq="minute")
    kernel = build.kernel(series)
    kernel.run_until(t[0])
    filled = kernel.submit_order("XYZ", OrderSide.BUY, 10, limit="98.50")
    expiring = kernel.submit_order("XYZ", OrderSide.BUY, 10, limit="98.00")
    kernel.run_until(t[-1])
    assert filled.status is OrderStatus.FILLED
    fill = next(e.fill for e in kernel.events if isinstance(e, OrderFilled))
    assert (fill.bar_ts, fill.price) == (t[1], D("98.50"))
    assert expiring.status is OrderStatus.EXPIRED
    expired = next(e for e in kernel.events if isinstance(e, OrderExpired))
    assert expired.ts == t[2]  # with Jan 3's close, not with Jan 4's bar that would fill it
