"""Trades and quotes derived from bars, as of the session's clock.

The stored data holds bars, not the trades and quotes they summarise, yet
bots price their orders from Alpaca's latest trade, latest quote and
snapshot. paperbroker derives them from the bars by one rule, the one the
engine values positions by ([fill-models.md](../../../../docs/fill-models.md),
"Bars in progress"), and never from a bar the clock has not reached:

- **Trades.** Every bar makes two: its *open*, stamped at the bar's open
  time, and its *close*, stamped at its close time with the bar's volume
  (the open carries none: a bar's volume is known only when it closes). An
  open is known strictly after the bar opened, a close from the moment it
  closed, so the latest trade at time ``t`` is the open of a bar in
  progress, else the last close: at 09:30 sharp the previous close, at
  09:31 the day's open. At an instant where one bar closes and the next
  opens, the close comes first.
- **Quotes.** Each derived trade has a quote at the same time. Where the
  data has quote bars, the bid and ask are theirs (``bid_open``/``ask_open``
  at a bar's open, ``bid_close``/``ask_close`` at its close). Otherwise they
  are the trade price less and plus the half spread the session's slippage
  model charges a taker (the ``half_spread`` model, alone or in a sum: half
  of ``spread_bps``), on the tick grid, the bid rounded down and the ask up
  as a taker's fill is; a model that charges no spread quotes bid = ask =
  price. Sizes are 0: the data has none.
- **Flagged.** Every derived trade and quote has ``"c": ["derived"]`` and
  ``"derived": true`` (clients ignore the field they do not know).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from paperbroker.data.series import BarSeries, IntArray
from paperbroker.model.values import BPS, price_on_grid
from paperbroker.venue.slippage import (
    CompositeSlippage,
    HalfSpreadSlippage,
    SlippageModel,
    apply_cost,
)

#: The condition every derived trade and quote carries.
DERIVED: Final = "derived"
#: Kinds of derived trade; at one instant a bar's close comes before the next bar's open.
CLOSE: Final = 0
OPEN: Final = 1


@dataclass(frozen=True, slots=True)
class Ticks:
    """Derived trades in time order: when (``t``, ns), which (``kind``), of which bar (``row``)."""

    t: IntArray
    kind: IntArray
    row: IntArray

    @property
    def size(self) -> int:
        return int(self.t.shape[0])

    def take(self, index: IntArray | slice) -> Ticks:
        return Ticks(self.t[index], self.kind[index], self.row[index])

    def rows(self) -> list[tuple[int, int, int]]:
        """``(t, kind, row)`` of each, as Python ints."""
        return list(zip(self.t.tolist(), self.kind.tolist(), self.row.tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class Trade:
    """One derived trade: its time (ns), price, size and a stable id."""

    t: int
    price: float
    size: float
    id: int


@dataclass(frozen=True, slots=True)
class Quote:
    """One derived quote: its time (ns), bid and ask."""

    t: int
    bid: float
    ask: float


def ticks(series: BarSeries, start_ns: int, end_ns: int, now_ns: int) -> Ticks:
    """The derived trades of ``series`` stamped in ``[start_ns, end_ns]``, known at ``now_ns``."""
    ts, duration = series.ts, series.duration_ns
    last_close = min(end_ns, now_ns)
    last_open = min(end_ns, now_ns - 1)  # an open is known strictly after it
    c_lo = int(np.searchsorted(ts, start_ns, side="left"))
    c_hi = int(np.searchsorted(ts, last_close, side="right"))
    o_lo = int(np.searchsorted(ts, start_ns + duration, side="left"))
    o_hi = int(np.searchsorted(ts, last_open + duration, side="right"))
    closes = np.arange(c_lo, max(c_hi, c_lo), dtype=np.int64)
    opens = np.arange(o_lo, max(o_hi, o_lo), dtype=np.int64)
    t = np.concatenate((ts[closes], ts[opens] - duration))
    kind = np.concatenate(
        (np.full(closes.shape[0], CLOSE, np.int64), np.full(opens.shape[0], OPEN, np.int64))
    )
    row = np.concatenate((closes, opens))
    order = np.lexsort((kind, t))
    return Ticks(t[order], kind[order], row[order])


def latest_tick(series: BarSeries, now_ns: int) -> Ticks:
    """The last derived trade known at ``now_ns`` (none before the first bar opened)."""
    ts = series.ts
    last = int(np.searchsorted(ts, now_ns, side="right")) - 1
    following = last + 1
    if following < len(series) and int(ts[following]) - series.duration_ns < now_ns:
        row, kind, t = following, OPEN, int(ts[following]) - series.duration_ns
    elif last >= 0:
        row, kind, t = last, CLOSE, int(ts[last])
    else:
        empty = np.empty(0, dtype=np.int64)
        return Ticks(empty, empty, empty)
    return Ticks(np.array([t]), np.array([kind]), np.array([row]))


def trades(series: BarSeries, picked: Ticks) -> list[Trade]:
    """The derived trades ``picked`` from ``series``."""
    found = []
    for t, kind, row in zip(
        picked.t.tolist(), picked.kind.tolist(), picked.row.tolist(), strict=True
    ):
        if kind == OPEN:
            found.append(Trade(t, float(series.open[row]), 0.0, _trade_id(t, kind)))
        else:
            size = float(series.volume[row])
            found.append(Trade(t, float(series.close[row]), size, _trade_id(t, kind)))
    return found


def quotes(series: BarSeries, picked: Ticks, half_spread_cost: float) -> list[Quote]:
    """The derived quotes at the trades ``picked`` (see the module doc for the rule)."""
    book = series.quotes
    tick = series.instrument.tick_size
    found = []
    for t, kind, row in zip(
        picked.t.tolist(), picked.kind.tolist(), picked.row.tolist(), strict=True
    ):
        if book is not None:
            bids, asks = (book.bid_open, book.ask_open) if kind == OPEN else (
                book.bid_close, book.ask_close
            )  # fmt: skip
            found.append(Quote(t, float(bids[row]), float(asks[row])))
            continue
        price = float(series.open[row] if kind == OPEN else series.close[row])
        if not half_spread_cost > 0.0:
            found.append(Quote(t, price, price))
            continue
        on_grid = price_on_grid(price, tick)
        bid = apply_cost(on_grid, half_spread_cost, False, tick)
        ask = apply_cost(on_grid, half_spread_cost, True, tick)
        found.append(Quote(t, float(bid), float(ask)))
    return found


def half_spread_cost(model: SlippageModel) -> float:
    """The fraction of the price a taker pays for half the spread under ``model`` (0: none)."""
    if isinstance(model, HalfSpreadSlippage):
        return float(model.spread_bps * BPS / 2)
    if isinstance(model, CompositeSlippage):
        return sum(half_spread_cost(part) for part in model.parts)
    return 0.0


def _trade_id(t: int, kind: int) -> int:
    """A derived trade's id: its time and kind, the same on every server and call."""
    return t * 2 + kind
