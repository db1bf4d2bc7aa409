"""Excursions for many trades at once equal each trade's own scan of its bars."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import make_series

from paperbroker.analytics.excursions import excursion, with_excursions
from paperbroker.analytics.trades import Trade
from paperbroker.core.ids import FillId
from paperbroker.data.series import BarSeries


def scanned(trade: Trade, bars: BarSeries) -> tuple[float | None, float | None]:
    """One trade's excursion by the definition: its own slice of the bars, scanned."""
    entry = float(trade.entry_price)
    if entry <= 0:
        return None, None
    ts = np.asarray(bars.ts)
    first = int(np.searchsorted(ts, trade.entry_ts, side="right"))
    last = (
        len(ts)
        if trade.exit_ts is None
        else int(np.searchsorted(ts - bars.duration_ns, trade.exit_ts, side="left"))
    )
    highs, lows = [entry], [entry]
    if last > first:
        highs.append(float(np.max(bars.high[first:last])))
        lows.append(float(np.min(bars.low[first:last])))
    if trade.exit_price is not None:
        highs.append(float(trade.exit_price))
        lows.append(float(trade.exit_price))
    if trade.direction == "long":
        return min(lows) / entry - 1.0, max(highs) / entry - 1.0
    return 1.0 - max(highs) / entry, 1.0 - min(lows) / entry


prices = st.integers(100, 20_000)  # cents
trade_specs = st.tuples(
    st.integers(0, 40),  # entry: index of a bar's close time (or just before it)
    st.one_of(st.none(), st.integers(0, 40)),  # exit: bars later (None: still open)
    st.booleans(),  # entry exactly at a close, or a nanosecond later
    st.sampled_from(["long", "short"]),
    prices,
    st.one_of(st.none(), prices),
)


@settings(max_examples=150, deadline=None)
@given(
    closes=st.lists(st.integers(100, 20_000), min_size=1, max_size=40),
    specs=st.lists(trade_specs, min_size=1, max_size=12),
)
def test_every_trade_at_once_equals_each_trade_alone(
    closes: list[int], specs: list[tuple[int, int | None, bool, str, int, int | None]]
) -> None:
    rows = [(c / 100, c / 100 + 0.5, c / 100 - 0.5, c / 100) for c in closes]
    bars = make_series(rows, freq="minute", symbol="XYZ")
    ts = [int(t) for t in bars.ts]
    trades = []
    for k, (entry_row, held, exact, direction, entry_cents, exit_cents) in enumerate(specs):
        entry_ts = ts[min(entry_row, len(ts) - 1)] + (0 if exact else 1)
        exit_ts = None if held is None else entry_ts + held * bars.duration_ns
        closed_at = None if exit_ts is None or exit_cents is None else Decimal(exit_cents) / 100
        trades.append(
            Trade(
                symbol="XYZ" if k % 4 else "OTHER",  # a symbol without bars: no excursion
                direction="long" if direction == "long" else "short",
                qty=Decimal(10),
                entry_ts=entry_ts,
                exit_ts=exit_ts,
                entry_price=Decimal(entry_cents) / 100,
                exit_price=closed_at,
                gross_pnl=Decimal(0),
                fees=Decimal(0),
                fill_ids=(FillId(f"F-{k}"),),
            )
        )
    found = with_excursions(trades, {"XYZ": bars})
    for trade, out in zip(trades, found, strict=True):
        expected = scanned(trade, bars) if trade.symbol == "XYZ" else (None, None)
        assert (out.mae, out.mfe) == expected
        if trade.symbol == "XYZ":
            assert excursion(trade, bars) == expected
