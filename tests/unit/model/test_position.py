"""Average-cost position accounting, every number worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.model.position import Position

D = Decimal


def apply_all(build: Any, *fills: tuple[str, int, str]) -> tuple[Position, list[Decimal]]:
    position = Position("XYZ")
    realized = [position.apply(build.fill(side, qty, price)) for side, qty, price in fills]
    return position, realized


def test_position_new_is_flat(build: Any) -> None:
    position = Position("XYZ")
    assert position.is_flat
    assert (position.qty, position.cost_basis, position.avg_price) == (0, 0, 0)
    assert position.unrealized_pnl(D("50")) == 0


def test_position_long_open_records_basis_and_no_realized(build: Any) -> None:
    # buy 100 @ 10.00: basis 1000.00, avg 10.00; marked at 10.50 it is up 50.00.
    position, realized = apply_all(build, ("buy", 100, "10.00"))
    assert realized == [0]
    assert (position.qty, position.cost_basis, position.avg_price) == (100, D("1000.00"), 10)
    assert position.market_value(D("10.50")) == D("1050.00")
    assert position.unrealized_pnl(D("10.50")) == D("50.00")


def test_position_long_scale_in_averages_cost(build: Any) -> None:
    # 100 @ 10 + 50 @ 13 = 1000 + 650 = 1650 for 150: avg 11.00.
    position, realized = apply_all(build, ("buy", 100, "10.00"), ("buy", 50, "13.00"))
    assert realized == [0, 0]
    assert (position.qty, position.cost_basis, position.avg_price) == (150, D("1650.00"), 11)


def test_position_partial_close_realizes_against_average_cost(build: Any) -> None:
    # After the scale-in (150 @ avg 11), sell 60 @ 12: removed basis 1650 * 60/150 = 660,
    # proceeds 720, realized 60.00; 90 left with basis 990 (avg still 11).
    position, realized = apply_all(
        build, ("buy", 100, "10.00"), ("buy", 50, "13.00"), ("sell", 60, "12.00")
    )
    assert realized == [0, 0, D("60.00")]
    assert (position.qty, position.cost_basis, position.avg_price) == (90, D("990.00"), 11)
    assert position.realized_pnl == D("60.00")
    # Marked at 12.00: unrealized 90 * 12 - 990 = 90.00.
    assert position.unrealized_pnl(D("12.00")) == D("90.00")


def test_position_full_close_realizes_all_and_resets_basis(build: Any) -> None:
    # buy 100 @ 10, sell 100 @ 9.50: realized (9.50 - 10) * 100 = -50.00.
    position, realized = apply_all(build, ("buy", 100, "10.00"), ("sell", 100, "9.50"))
    assert realized == [0, D("-50.00")]
    assert position.is_flat
    assert (position.cost_basis, position.realized_pnl) == (0, D("-50.00"))


def test_position_short_open_has_negative_qty_and_basis(build: Any) -> None:
    # sell 100 @ 50: qty -100, basis -5000, avg 50; at 45 the short is up 500.
    position, _ = apply_all(build, ("sell", 100, "50.00"))
    assert (position.qty, position.cost_basis, position.avg_price) == (-100, D("-5000.00"), 50)
    assert position.unrealized_pnl(D("45.00")) == D("500.00")
    assert position.market_value(D("45.00")) == D("-4500.00")


def test_position_short_partial_cover_realizes_profit(build: Any) -> None:
    # short 100 @ 50, buy 40 @ 45: removed -5000 * 40/100 = -2000, proceeds -1800,
    # realized -1800 - (-2000) = +200 (5.00 a share on 40).
    position, realized = apply_all(build, ("sell", 100, "50.00"), ("buy", 40, "45.00"))
    assert realized == [0, D("200.00")]
    assert (position.qty, position.cost_basis, position.avg_price) == (-60, D("-3000.00"), 50)


def test_position_short_cover_at_loss(build: Any) -> None:
    # short 10 @ 20, cover 10 @ 23: realized -30.
    position, realized = apply_all(build, ("sell", 10, "20.00"), ("buy", 10, "23.00"))
    assert realized == [0, D("-30.00")]
    assert position.is_flat


def test_position_flip_long_to_short_opens_remainder_at_fill_price(build: Any) -> None:
    # long 100 @ 10, sell 150 @ 12: closes 100 (realized 200), opens short 50 @ 12
    # (basis -600).
    position, realized = apply_all(build, ("buy", 100, "10.00"), ("sell", 150, "12.00"))
    assert realized == [0, D("200.00")]
    assert (position.qty, position.cost_basis, position.avg_price) == (-50, D("-600.00"), 12)
    # Marked at 11: unrealized -50 * 11 - (-600) = +50.
    assert position.unrealized_pnl(D("11.00")) == D("50.00")


def test_position_flip_short_to_long_opens_remainder_at_fill_price(build: Any) -> None:
    # short 30 @ 20, buy 50 @ 18: covers 30 (realized 60), opens long 20 @ 18 (basis 360).
    position, realized = apply_all(build, ("sell", 30, "20.00"), ("buy", 50, "18.00"))
    assert realized == [0, D("60.00")]
    assert (position.qty, position.cost_basis, position.avg_price) == (20, D("360.00"), 18)


def test_position_fees_accumulate_but_are_not_in_realized(build: Any) -> None:
    position = Position("XYZ")
    position.apply(build.fill("buy", 10, "10.00", fee="1.00"))
    realized = position.apply(build.fill("sell", 10, "11.00", fee="1.25"))
    assert realized == D("10.00")
    assert position.realized_pnl == D("10.00")
    assert position.fees == D("2.25")


@pytest.mark.parametrize(
    ("fills", "mark"),
    [
        ([("buy", 1, "10.00"), ("buy", 2, "10.01"), ("sell", 1, "11.00")], "10.50"),
        ([("sell", 7, "3.33"), ("buy", 3, "3.10"), ("buy", 9, "2.95")], "3.01"),
        ([("buy", 3, "99.99"), ("sell", 1, "100.00"), ("sell", 5, "101.01")], "100.50"),
    ],
)
def test_position_realized_plus_unrealized_equals_cash_flows_plus_value(
    build: Any, fills: list[tuple[str, int, str]], mark: str
) -> None:
    # Thirds and sevenths make the removed basis a repeating decimal; the identity must hold.
    position, _ = apply_all(build, *fills)
    cash_flow = sum((-D(q) * D(p) if s == "buy" else D(q) * D(p) for s, q, p in fills), D(0))
    assert position.realized_pnl + position.unrealized_pnl(D(mark)) == cash_flow + (
        position.qty * D(mark)
    )


def test_position_partial_close_with_repeating_basis_keeps_pnl_identity_exact(
    build: Any,
) -> None:
    # buy 100 @ 10.00 + 200 @ 10.01: basis 3002.00 for 300; sell 10 @ 10.50 removes
    # 3002/30 = 100.0666...; cash flows -1000 - 2002 + 105 = -2897, value 290 * 10.50 =
    # 3045: realized + unrealized must be 148.00 exactly.
    position, _ = apply_all(
        build, ("buy", 100, "10.00"), ("buy", 200, "10.01"), ("sell", 10, "10.50")
    )
    assert position.realized_pnl + position.unrealized_pnl(D("10.50")) == D("148.00")
