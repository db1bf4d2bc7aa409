"""Properties of trade building: trades reconcile exactly with Position accounting."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.analytics import Trade, build_trades
from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.position import Position

CENTS = Decimal("0.01")

fill_specs = st.tuples(
    st.sampled_from(["AAPL", "MSFT"]),
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 1000),  # qty
    st.integers(100, 100_000),  # price in cents: 1.00 .. 1000.00
    st.integers(0, 500),  # fee in cents: 0.00 .. 5.00
    st.integers(0, 2),  # ts step (0: several fills at one time)
)


def make_fills(specs: list[tuple[str, OrderSide, int, int, int, int]]) -> list[Fill]:
    fills = []
    ts = 1_700_000_000_000_000_000
    for n, (symbol, side, qty, price_cents, fee_cents, step) in enumerate(specs):
        ts += step
        price = price_cents * CENTS
        fills.append(
            Fill(
                id=FillId(f"F-{n}"),
                order_id=OrderId(f"O-{n}"),
                symbol=symbol,
                side=side,
                qty=Decimal(qty),
                price=price,
                fee=fee_cents * CENTS,
                ts=ts,
                liquidity=LiquiditySide.TAKER,
                rule=FillRule.MARKET_AT_OPEN,
                reference_price=price,
                slippage=Decimal(0),
                path="OHLC",
                bar_ts=ts,
                account_id=AccountId("A-1"),
            )
        )
    return fills


@settings(max_examples=300, deadline=None)
@given(st.lists(fill_specs, min_size=1, max_size=40))
def test_trades_reconcile_with_position(
    specs: list[tuple[str, OrderSide, int, int, int, int]],
) -> None:
    fills = make_fills(specs)
    positions: dict[str, Position] = {}
    for f in fills:
        positions.setdefault(f.symbol, Position(f.symbol)).apply(f)

    trades = build_trades(fills)

    by_symbol: defaultdict[str, list[Trade]] = defaultdict(list)
    for t in trades:
        by_symbol[t.symbol].append(t)
    assert set(by_symbol) == set(positions)
    for symbol, position in positions.items():
        symbol_trades = by_symbol[symbol]
        # Added up in order, the trades give the ledger's realized P&L to the last digit.
        assert sum(t.gross_pnl for t in symbol_trades) == position.realized_pnl
        assert sum(t.fees for t in symbol_trades) == position.fees
        # Only the last trade of a symbol may be open, and only if the position is.
        assert all(not t.is_open for t in symbol_trades[:-1])
        assert symbol_trades[-1].is_open == (not position.is_flat)
        if not position.is_flat:
            last = symbol_trades[-1]
            assert last.direction == ("long" if position.qty > 0 else "short")
            assert last.qty >= abs(position.qty)

    assert sum(t.fees for t in trades) == sum(f.fee for f in fills)
    assert [(t.entry_ts, t.symbol) for t in trades] == sorted(
        (t.entry_ts, t.symbol) for t in trades
    )
    for t in trades:
        assert t.qty > 0
        assert t.entry_price > 0
        assert (t.exit_ts is None) or t.exit_ts >= t.entry_ts
        assert t.fill_ids
        assert t.pnl == t.gross_pnl - t.fees
    # Every fill belongs to one trade, or to two when it flipped the position.
    counted: defaultdict[FillId, int] = defaultdict(int)
    for t in trades:
        for fid in t.fill_ids:
            counted[fid] += 1
    assert set(counted) == {f.id for f in fills}
    assert set(counted.values()) <= {1, 2}
