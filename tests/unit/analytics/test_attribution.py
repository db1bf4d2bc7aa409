"""FIFO attribution of an account's P&L to the strategies that traded it: golden numbers by
hand, and (hypothesis) the strategies' P&L always summing to the account's, exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paperbroker.analytics.attribution import AttributedFill, attribute
from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.position import Position

D = Decimal


def fill(
    label: str | None, qty: str, price: str, fee: str = "0", symbol: str = "AAA"
) -> AttributedFill:
    return AttributedFill(label, f"{label}-{qty}-{price}", symbol, D(qty), D(price), D(fee))


def test_fifo_realizes_the_oldest_lot_first_per_strategy() -> None:
    rows = attribute(
        [
            fill("a", "10", "100", "1"),
            fill("b", "5", "101"),
            fill("a", "10", "110", "1"),
            fill("a", "-15", "120", "1.5"),  # closes 10 @ 100 and 5 @ 110
            fill("b", "-8", "99"),  # closes 5 @ 101, opens a short of 3 @ 99
        ],
        {"AAA": D("105")},
        ["a", "b"],
    )
    a, b = rows
    # a: 10 × (120 − 100) + 5 × (120 − 110) = 250; open 5 @ 110 marked 105 → −25.
    assert (a.realized_pnl, a.unrealized_pnl, a.fees, a.fills) == (D(250), D(-25), D("3.5"), 3)
    assert a.pnl == D("221.5")
    # b: 5 × (99 − 101) = −10; short 3 @ 99 marked 105 → −18.
    assert (b.realized_pnl, b.unrealized_pnl, b.fees, b.fills) == (D(-10), D(-18), D(0), 2)


def test_labels_without_fills_have_zero_rows_and_unlabelled_fills_come_last() -> None:
    rows = attribute([fill(None, "1", "10"), fill("b", "1", "10")], {"AAA": D(11)}, ["a", "b"])
    assert [r.label for r in rows] == ["a", "b", None]
    assert rows[0].pnl == 0
    assert rows[2].unrealized_pnl == D(1)


prices = st.decimals(min_value=D("0.01"), max_value=D("500"), places=4)
quantities = st.decimals(min_value=D("-50"), max_value=D("50"), places=3).filter(bool)
fees = st.decimals(min_value=D(0), max_value=D("5"), places=2)
fills = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", None]),
        st.sampled_from(["AAA", "BBB"]),
        quantities,
        prices,
        fees,
    ),
    max_size=60,
)


@given(fills, prices, prices)
def test_the_strategies_pnl_sums_to_the_accounts_exactly(
    made: list[tuple[str | None, str, Decimal, Decimal, Decimal]], mark_a: Decimal, mark_b: Decimal
) -> None:
    marks = {"AAA": mark_a, "BBB": mark_b}
    attributed = [
        AttributedFill(label, str(i), symbol, qty, price, fee)
        for i, (label, symbol, qty, price, fee) in enumerate(made)
    ]
    rows = attribute(attributed, marks, ["a", "b", "c"])
    # The account: cash moved by every fill, positions valued at the marks.
    cash = D(0)
    positions = {s: Position(s) for s in marks}
    for i, (_, symbol, qty, price, fee) in enumerate(made):
        cash -= qty * price + fee
        side = OrderSide.BUY if qty > 0 else OrderSide.SELL
        positions[symbol].apply(
            Fill(
                FillId("f"), OrderId(str(i)), symbol, side, abs(qty), price, fee, 0,
                LiquiditySide.TAKER, FillRule.MARKET_AT_OPEN, price, D(0), "OHLC", 0,
                AccountId("acct"),
            )
        )  # fmt: skip
    equity_change = cash + sum((p.qty * marks[s] for s, p in positions.items()), D(0))
    assert sum((r.pnl for r in rows), D(0)) == equity_change
    # And the account's own average-cost books agree on the total.
    books = sum(
        (p.realized_pnl + p.unrealized_pnl(marks[s]) - p.fees for s, p in positions.items()), D(0)
    )
    assert books == equity_change
    assert sum(r.fills for r in rows) == len(made)
