"""Round trips of two fills, made at once, equal the ones the trade accumulators make."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.analytics.trades import _build, build_trades
from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.position import Position

# The same amount spelled with different exponents: the trades must keep the very digits.
quantities = st.sampled_from(["1", "5", "5.0", "5.00", "1E+1", "10", "0.5", "7.25", "3"])
prices = st.sampled_from(["10", "10.5", "10.50", "1E+1", "2E+2", "99.58", "0.01", "123.456", "0"])
fees = st.sampled_from(["0", "0.00", "0.10", "1", "0.015", "2.5E-1", "1E+1", "2E+1"])
sides = st.sampled_from([OrderSide.BUY, OrderSide.SELL])

# A round trip (an opening fill and one closing it, with the same quantity spelled
# either way) or a single fill of any size (it may increase, reduce or flip).
round_trip = st.tuples(
    st.just("trip"), st.sampled_from(["AAPL", "MSFT"]), sides, quantities, quantities,
    prices, prices, fees, fees,
)  # fmt: skip
single = st.tuples(
    st.just("fill"), st.sampled_from(["AAPL", "MSFT"]), sides, quantities, quantities,
    prices, prices, fees, fees,
)  # fmt: skip


def fill(n: int, symbol: str, side: OrderSide, qty: str, price: str, fee: str, ts: int) -> Fill:
    return Fill(
        id=FillId(f"F-{n}"), order_id=OrderId(f"O-{n}"), symbol=symbol, side=side,
        qty=Decimal(qty), price=Decimal(price), fee=Decimal(fee), ts=ts,
        liquidity=LiquiditySide.TAKER, rule=FillRule.MARKET_AT_OPEN,
        reference_price=Decimal(price), slippage=Decimal(0), path="OHLC", bar_ts=ts,
        account_id=AccountId("A-1"),
    )  # fmt: skip


def make_fills(steps: list[tuple[str, str, OrderSide, str, str, str, str, str, str]]) -> list[Fill]:
    fills: list[Fill] = []
    ts = 1_700_000_000_000_000_000
    for kind, symbol, side, qty, close_qty, price, close_price, fee, close_fee in steps:
        ts += 60
        fills.append(fill(len(fills), symbol, side, qty, price, fee, ts))
        if kind == "trip":
            other = OrderSide.SELL if side is OrderSide.BUY else OrderSide.BUY
            # The closing quantity has the opening one's value, in either spelling.
            spelled = close_qty if Decimal(close_qty) == Decimal(qty) else qty
            fills.append(fill(len(fills), symbol, other, spelled, close_price, close_fee, ts + 1))
    return fills


def spelled(trades: list[object]) -> list[str]:
    """Each trade as its fields' reprs: equal numbers with other digits differ here."""
    return [repr(tuple(t)) for t in trades]  # type: ignore[call-overload]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(round_trip, round_trip, single), min_size=1, max_size=30))
def test_two_fill_round_trips_equal_the_accumulated_ones(
    steps: list[tuple[str, str, OrderSide, str, str, str, str, str, str]],
) -> None:
    fills = make_fills(steps)
    general = _build(fills, pairs=False)
    assert spelled(_build(fills, pairs=True)) == spelled(general)
    assert spelled(build_trades(fills)) == spelled(general)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(round_trip, single), min_size=1, max_size=30))
def test_trades_from_the_books_realized_pnl_equal_the_replayed_ones(
    steps: list[tuple[str, str, OrderSide, str, str, str, str, str, str]],
) -> None:
    # What a portfolio records per fill (its realized trail) spares the replay of the
    # positions; the trades must not differ by a digit.
    fills = make_fills(steps)
    positions: dict[str, Position] = {}
    trail = []
    for one in fills:
        position = positions.setdefault(one.symbol, Position(one.symbol))
        position.apply(one)
        trail.append(position.realized_pnl)
    replayed = spelled(build_trades(fills))
    assert spelled(build_trades(fills, trail)) == replayed
    assert spelled(_build(fills, pairs=False, realized=trail)) == replayed
    with pytest.raises(ValueError, match="fewer"):
        build_trades(fills, trail[:-1])
    with pytest.raises(ValueError, match="more"):
        build_trades(fills, [*trail, Decimal(0)])
