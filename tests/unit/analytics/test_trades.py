"""Round-trip trade building: long, short, scale-in, partial exits, flips, fees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders import make_fill

from paperbroker.analytics import Trade, build_trades, split_fee
from paperbroker.model.fill import Fill
from paperbroker.model.position import Position

D = Decimal


def fill(
    side: str, qty: int | str, price: str, *, ts: int, fee: str = "0", symbol: str = "AAPL"
) -> Fill:
    return make_fill(side, qty, price, fee=fee, symbol=symbol, ts=ts)


def realized(fills: list[Fill]) -> Decimal:
    position = Position(fills[0].symbol)
    for f in fills:
        position.apply(f)
    return position.realized_pnl


def test_no_fills_no_trades() -> None:
    assert build_trades([]) == []


def test_simple_long_round_trip() -> None:
    fills = [
        fill("buy", 10, "100", ts=1, fee="1"),
        fill("sell", 10, "110", ts=2, fee="1"),
    ]
    [trade] = build_trades(fills)
    assert trade == Trade(
        symbol="AAPL",
        direction="long",
        qty=D(10),
        entry_ts=1,
        exit_ts=2,
        entry_price=D(100),
        exit_price=D(110),
        gross_pnl=D(100),
        fees=D(2),
        fill_ids=(fills[0].id, fills[1].id),
    )
    assert trade.pnl == D(98)
    assert not trade.is_open
    assert trade.return_pct == pytest.approx(98 / 1000)


def test_simple_short_round_trip() -> None:
    fills = [
        fill("sell", 10, "100", ts=1, fee="0.50"),
        fill("buy", 10, "90", ts=5, fee="0.50"),
    ]
    [trade] = build_trades(fills)
    assert trade.direction == "short"
    assert trade.qty == D(10)
    assert (trade.entry_price, trade.exit_price) == (D(100), D(90))
    assert trade.gross_pnl == D(100)
    assert trade.fees == D(1)
    assert trade.pnl == D(99)
    assert trade.return_pct == pytest.approx(0.099)  # a winning short has a positive return


def test_losing_short() -> None:
    fills = [fill("sell", 5, "20", ts=1), fill("buy", 5, "25", ts=2)]
    [trade] = build_trades(fills)
    assert trade.gross_pnl == D(-25)
    assert trade.return_pct == pytest.approx(-0.25)


def test_scale_in_weights_entry_price_by_qty() -> None:
    fills = [
        fill("buy", 10, "100", ts=1, fee="1"),
        fill("buy", 30, "104", ts=2, fee="1"),
        fill("sell", 40, "110", ts=3, fee="1"),
    ]
    [trade] = build_trades(fills)
    assert trade.qty == D(40)
    assert trade.entry_price == D(103)  # (10*100 + 30*104) / 40
    assert trade.exit_price == D(110)
    assert trade.gross_pnl == D(280)  # 40 * (110 - 103)
    assert trade.fees == D(3)
    assert trade.return_pct == pytest.approx(277 / (103 * 40))
    assert trade.gross_pnl == realized(fills)


def test_partial_exits_weight_exit_price_by_qty() -> None:
    fills = [
        fill("buy", 10, "100", ts=1),
        fill("sell", 4, "110", ts=2),
        fill("sell", 6, "90", ts=3),
    ]
    [trade] = build_trades(fills)
    assert trade.exit_ts == 3
    assert trade.exit_price == D(98)  # (4*110 + 6*90) / 10
    assert trade.gross_pnl == D(-20)  # 4*10 - 6*10


def test_reduce_then_add_keeps_one_trade_with_max_qty() -> None:
    fills = [
        fill("buy", 100, "10", ts=1),
        fill("sell", 50, "12", ts=2),
        fill("buy", 30, "11", ts=3),
        fill("sell", 80, "13", ts=4),
    ]
    [trade] = build_trades(fills)
    assert trade.qty == D(100)  # max |position|: 100, then 50, 80, 0
    assert trade.entry_price == D(1330) / D(130)  # (100*10 + 30*11) / 130
    assert trade.exit_price == D(1640) / D(130)  # (50*12 + 80*13) / 130
    # average cost: 50*(12-10) = 100; then basis 500+330 over 80 -> 80*13 - 830 = 210
    assert trade.gross_pnl == D(310)
    assert trade.gross_pnl == realized(fills)


def test_open_at_end_reports_realized_so_far() -> None:
    fills = [
        fill("buy", 100, "10", ts=1, fee="1"),
        fill("sell", 40, "12", ts=2, fee="1"),
    ]
    [trade] = build_trades(fills)
    assert trade.is_open
    assert trade.exit_ts is None
    assert trade.qty == D(100)
    assert trade.exit_price == D(12)
    assert trade.gross_pnl == D(80)
    assert trade.fees == D(2)


def test_open_without_any_exit() -> None:
    [trade] = build_trades([fill("sell", 3, "50", ts=7)])
    assert trade.is_open
    assert trade.direction == "short"
    assert trade.exit_price is None
    assert trade.gross_pnl == D(0)


def test_flip_closes_and_opens_with_pro_rata_fee() -> None:
    fills = [
        fill("buy", 100, "10", ts=1, fee="3"),
        fill("sell", 150, "12", ts=2, fee="3"),
        fill("buy", 50, "11", ts=3, fee="1"),
    ]
    first, second = build_trades(fills)
    assert first.direction == "long"
    assert (first.entry_ts, first.exit_ts) == (1, 2)
    assert first.qty == D(100)
    assert first.exit_price == D(12)
    assert first.gross_pnl == D(200)
    assert first.fees == D(5)  # 3 + 100/150 of 3
    assert first.fill_ids == (fills[0].id, fills[1].id)

    assert second.direction == "short"
    assert (second.entry_ts, second.exit_ts) == (2, 3)
    assert second.qty == D(50)
    assert second.entry_price == D(12)
    assert second.exit_price == D(11)
    assert second.gross_pnl == D(50)
    assert second.fees == D(2)  # 50/150 of 3, plus 1
    assert second.fill_ids == (fills[1].id, fills[2].id)

    assert first.gross_pnl + second.gross_pnl == realized(fills)


def test_flip_fee_remainder_goes_to_closing_part() -> None:
    fills = [
        fill("sell", 100, "10", ts=1, fee="0"),
        fill("buy", 150, "9", ts=2, fee="0.10"),
    ]
    first, second = build_trades(fills)
    assert first.direction == "short"
    assert second.direction == "long"
    assert second.fees == D("0.03")  # 0.10 * 50 / 150 = 0.0333.. -> 0.03
    assert first.fees == D("0.07")  # the remainder
    assert first.fees + second.fees == D("0.10")
    assert first.gross_pnl == D(100)
    assert second.is_open


def test_flip_then_flat_at_same_ts_keeps_order() -> None:
    fills = [
        fill("buy", 10, "10", ts=5),
        fill("sell", 20, "11", ts=5),
        fill("buy", 10, "12", ts=5),
    ]
    first, second = build_trades(fills)
    assert (first.direction, second.direction) == ("long", "short")
    assert (first.gross_pnl, second.gross_pnl) == (D(10), D(-10))


def test_multiple_symbols_sorted_by_entry_then_symbol() -> None:
    fills = [
        fill("buy", 1, "10", ts=1, symbol="MSFT"),
        fill("buy", 1, "10", ts=2, symbol="AAPL"),
        fill("buy", 1, "10", ts=2, symbol="AMZN"),
        fill("sell", 1, "11", ts=3, symbol="MSFT"),
        fill("sell", 1, "12", ts=4, symbol="AAPL"),
        fill("buy", 1, "10", ts=4, symbol="MSFT"),
    ]
    trades = build_trades(fills)
    assert [(t.symbol, t.entry_ts, t.is_open) for t in trades] == [
        ("MSFT", 1, False),
        ("AAPL", 2, False),
        ("AMZN", 2, True),
        ("MSFT", 4, True),
    ]
    assert [t.gross_pnl for t in trades] == [D(1), D(2), D(0), D(0)]


def test_non_positive_qty_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-positive"):
        build_trades([fill("buy", 0, "10", ts=1)])


def test_return_pct_zero_notional() -> None:
    [trade] = build_trades([fill("buy", 1, "0", ts=1), fill("sell", 1, "1", ts=2)])
    assert trade.return_pct == 0.0


def test_gross_pnl_is_exact_change_of_realized_when_basis_repeats() -> None:
    # Average-cost divisions here are non-terminating (533.04 * 3 / 3 is fine,
    # but the flips and partial covers are not); Position rounds each removed
    # basis once and then adds and subtracts exactly, so regrouping per-fill
    # realized amounts by trade cannot change the total, and the trades add up
    # to Position.realized_pnl exactly.
    fills = [
        fill("buy", 3, "533.04", ts=1),
        fill("sell", 6, "922.87", ts=2),  # flips to short 3
        fill("sell", 6, "93.60", ts=3),
        fill("buy", 1, "306.67", ts=4),
        fill("buy", 1, "897.06", ts=5),
    ]
    position = Position("AAPL")
    per_fill = [position.apply(f) for f in fills]
    naive = per_fill[0] + per_fill[1] + (per_fill[2] + per_fill[3] + per_fill[4])
    assert naive == position.realized_pnl  # exact books: grouping does not matter

    trades = build_trades(fills)
    assert len(trades) == 2
    assert sum(t.gross_pnl for t in trades) == position.realized_pnl


@pytest.mark.parametrize(
    ("fee", "part_qty", "total_qty", "expected_part"),
    [
        ("3", "50", "150", "1.00"),
        ("0.10", "50", "150", "0.03"),
        ("0.05", "1", "2", "0.02"),  # half-even: 0.025 -> 0.02
        ("1.2345", "1", "3", "0.4115"),  # the fee's own exponent is kept
        ("0", "1", "3", "0.00"),
    ],
)
def test_split_fee_sums_exactly(
    fee: str, part_qty: str, total_qty: str, expected_part: str
) -> None:
    rest, part = split_fee(D(fee), D(part_qty), D(total_qty))
    assert part == D(expected_part)
    assert rest + part == D(fee)
