"""The rule that derives trades and quotes from bars, on hand-made series.

Two contiguous one-minute bars, 09:30-09:31 and 09:31-09:32 New York on
2024-01-02 (14:30-14:32 UTC): open 100.00 / close 101.00 (volume 500), then
open 101.50 / close 102.00 (volume 700). Quote bars, where given, sit 0.02
below and above.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from paperbroker.api.alpaca import derived
from paperbroker.data.series import BarSeries, QuoteArrays
from paperbroker.venue.slippage import (
    CompositeSlippage,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SquareRootImpact,
)

MINUTE = 60_000_000_000
OPEN_0 = 1_704_205_800_000_000_000  # 2024-01-02 14:30 UTC
ROWS = [(100.0, 101.2, 99.9, 101.0, 500.0), (101.5, 102.3, 101.4, 102.0, 700.0)]


def series(build: Any, *, quotes: bool = False) -> BarSeries:
    plain: BarSeries = build.series(ROWS, ts=[OPEN_0 + MINUTE, OPEN_0 + 2 * MINUTE], freq="minute")
    if not quotes:
        return plain
    columns = [np.array([r[i] for r in ROWS]) for i in range(4)]
    book = QuoteArrays(*(c - 0.02 for c in columns), *(c + 0.02 for c in columns))
    return BarSeries(
        plain.instrument, plain.ts, plain.open, plain.high, plain.low, plain.close,
        plain.volume, plain.duration_ns, book,
    )  # fmt: skip


def tape(bars: BarSeries, now_ns: int) -> list[tuple[int, float, float]]:
    picked = derived.ticks(bars, 0, 2**62, now_ns)
    return [(t.t - OPEN_0, t.price, t.size) for t in derived.trades(bars, picked)]


def test_each_bar_prints_its_open_after_it_opens_and_its_close_when_it_closes(
    build: Any,
) -> None:
    bars = series(build)
    assert tape(bars, OPEN_0) == []  # at the open itself nothing is known
    assert tape(bars, OPEN_0 + 1) == [(0, 100.0, 0.0)]
    # At 09:31 the first bar closes and the second opens: the close is known, the open not yet.
    assert tape(bars, OPEN_0 + MINUTE) == [(0, 100.0, 0.0), (MINUTE, 101.0, 500.0)]
    assert tape(bars, OPEN_0 + 2 * MINUTE) == [
        (0, 100.0, 0.0), (MINUTE, 101.0, 500.0), (MINUTE, 101.5, 0.0), (2 * MINUTE, 102.0, 700.0),
    ]  # fmt: skip


def test_the_latest_trade_is_the_last_of_the_tape(build: Any) -> None:
    bars = series(build)
    for now in (OPEN_0, OPEN_0 + 1, OPEN_0 + MINUTE, OPEN_0 + MINUTE + 1, OPEN_0 + 3 * MINUTE):
        latest = derived.trades(bars, derived.latest_tick(bars, now))
        whole = derived.trades(bars, derived.ticks(bars, 0, 2**62, now))
        assert latest == whole[-1:]


def test_quote_bars_give_the_bid_and_ask(build: Any) -> None:
    bars = series(build, quotes=True)
    picked = derived.ticks(bars, 0, 2**62, OPEN_0 + MINUTE + 1)
    quotes = derived.quotes(bars, picked, half_spread_cost=0.01)  # the book wins over a model
    assert [(q.t - OPEN_0, round(q.bid, 2), round(q.ask, 2)) for q in quotes] == [
        (0, 99.98, 100.02), (MINUTE, 100.98, 101.02), (MINUTE, 101.48, 101.52),
    ]  # fmt: skip


def test_without_quote_bars_the_half_spread_straddles_the_price_on_the_tick_grid(
    build: Any,
) -> None:
    bars = series(build)
    picked = derived.latest_tick(bars, OPEN_0 + 1)  # the 100.00 open
    [flat] = derived.quotes(bars, picked, 0.0)
    assert (flat.bid, flat.ask) == (100.0, 100.0)
    # 3 bps of 100.00 is 0.03; a penny grid would round it outwards, the 0.0001 one does not.
    [wide] = derived.quotes(bars, picked, 0.0003)
    assert (wide.bid, wide.ask) == (99.97, 100.03)


def test_only_the_half_spread_part_of_a_slippage_model_is_quoted() -> None:
    half = HalfSpreadSlippage("10")
    assert derived.half_spread_cost(half) == float(Decimal("0.0005"))
    assert derived.half_spread_cost(CompositeSlippage([half, SquareRootImpact()])) == 0.0005
    for other in (NoSlippage(), FixedBpsSlippage("5"), SquareRootImpact()):
        assert derived.half_spread_cost(other) == 0.0
