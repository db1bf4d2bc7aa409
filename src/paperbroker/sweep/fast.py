"""The fast path of a sweep: a signal-only strategy run without the kernel.

When a sweep's strategy has a signal form (:mod:`~paperbroker.sweep.signals`)
and its execution is one the fills of which follow from the bars alone,
:func:`eligibility` says so and :func:`simulate` replays what the kernel would
do, decision by decision, in the kernel's own conventions:

- a decision at bar ``t``'s close is a market order that fills at bar
  ``t + 1``'s open, put on the instrument's tick grid; its fill is stamped
  with bar ``t + 1``'s close time (a decision on the last bar never fills:
  there is no more data, the order is refused);
- an entry (when flat) is sized as :func:`~paperbroker.strategy.common.entry_qty`
  sizes it: ``allocation`` of the equity (all the cash when 1), less
  ``buffer`` of the equity, at the signal bar's close, by the fee model's own
  ``max_qty`` in lots (whole or fractional, as the instrument's lot says); the
  pre-trade check refuses it if its cost at the mark exceeds the cash; at the
  fill a cash account buys only what the cash then covers (a fill trimmed to
  nothing cancels the order);
- an exit (when long) sells the whole position; fees are the fee model's own
  ``fill_fee`` of a taker fill; cash, positions and realized P&L move by the
  same ``Decimal`` operations as the books.

Money stays exact ``Decimal`` throughout, and only the decisions (a few per
thousand bars) are visited one by one; the bars themselves are NumPy arrays.
The metrics and the fills digest are then computed from these fills by
:mod:`~paperbroker.sweep.fast_result`. This is the general replay; the common
case (no fee or a flat one, all the cash per entry) runs in integer ticks and
lots instead (:mod:`~paperbroker.sweep.fast_units`), by the same rules.

Eligible: a strategy with a signal form, one symbol, bars without quotes that
do not overlap, and an execution without slippage, with full fills, no
latency and ``next_bar`` fill timing (any fee model). Anything else runs on the
kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from paperbroker.data.series import BarSeries
from paperbroker.model.enums import LiquiditySide
from paperbroker.model.values import EXACT, ZERO, price_on_grid, to_decimal
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.sweep.signals import ArrayCache, SignalStrategy, signals_of
from paperbroker.venue.commission import NO_FILLS, FeeModel
from paperbroker.venue.execution import ExecutionConfig
from paperbroker.venue.fill_quantity import FullFill
from paperbroker.venue.latency import ZeroLatency
from paperbroker.venue.matching import FillTiming
from paperbroker.venue.slippage import NoSlippage

#: What a task's result says about where it ran.
FAST = "fast"
KERNEL = "kernel"

_TAKER = LiquiditySide.TAKER
_BASIS_QUANTUM = Decimal("1e-10")  # Position's rounding of a removed cost basis


@dataclass(frozen=True)
class Eligibility:
    """Whether a sweep takes the fast path, and why not when it does not."""

    fast: bool
    reason: str

    @property
    def path(self) -> str:
        return FAST if self.fast else KERNEL


def eligibility(
    strategy: type[Strategy],
    data: dict[str, BarSeries] | None,
    execution: ExecutionConfig,
) -> Eligibility:
    """Whether a sweep of ``strategy`` on ``data`` with ``execution`` can take the fast path."""
    if signals_of(strategy) is None:
        return Eligibility(False, f"{strategy.__name__} has no signal form")
    if data is not None:
        if len(data) != 1:
            return Eligibility(False, "the fast path runs one symbol")
        series = next(iter(data.values()))
        if series.quotes is not None:
            return Eligibility(False, "the bars carry quotes (fills at bid and ask)")
        ts = series.ts
        if len(ts) > 1 and bool(np.any(ts[1:] - series.duration_ns < ts[:-1])):
            return Eligibility(False, "the bars overlap")
    if not isinstance(execution.slippage, NoSlippage):
        return Eligibility(False, "the execution has slippage")
    if not isinstance(execution.fill_quantity, FullFill):
        return Eligibility(False, "the execution fills partially")
    if not isinstance(execution.latency, ZeroLatency):
        return Eligibility(False, "the execution has latency")
    if execution.fill_timing is not FillTiming.NEXT_BAR:
        return Eligibility(False, "fill timing is not next_bar")
    return Eligibility(True, "signal-only strategy, no slippage, full fills, no latency")


class FastFill(NamedTuple):
    """One fill of the fast path: the kernel's fill fields that vary, and the books after."""

    row: int  # the bar it filled on
    is_buy: bool
    qty: Decimal
    price: Decimal
    fee: Decimal
    cash_after: Decimal
    position_after: Decimal


class ClosedTrade(NamedTuple):
    """A round trip: its entry and exit fills (indices into the fills) and its P&L."""

    entry: int
    exit: int
    gross_pnl: Decimal
    fees: Decimal


@dataclass
class FastRun:
    """What :func:`simulate` produced: the fills, the books at the end, the orders' totals."""

    fills: list[FastFill]
    trades: list[ClosedTrade]
    #: The fill that opened a trade still open at the end (``None``: flat).
    open_entry: int | None
    cash: Decimal
    position: Decimal
    fees: Decimal
    realized_pnl: Decimal
    #: Quantity ordered and filled by the orders that ended (filled or canceled).
    ordered: Decimal
    filled: Decimal
    orders_ended: int


def simulate(
    series: BarSeries,
    signal: SignalStrategy,
    params: StrategyParams,
    cash: Decimal,
    fees: FeeModel,
    cache: ArrayCache,
    key: object,
) -> FastRun:
    """Replay the strategy's decisions on ``series`` as the kernel fills them (module notes)."""
    closes = np.asarray(series.close, dtype=np.float64)
    opens = series.open
    instrument = series.instrument
    tick, lot = instrument.tick_size, instrument.lot_size
    decisions = signal.signals(params, closes, cache, key)
    rows = np.flatnonzero(decisions[:-1]).tolist()  # the last bar's decisions never fill
    allocation = signal.allocation(params)
    share = to_decimal(allocation if allocation is not None else 1.0)
    kept = to_decimal(signal.buffer(params))
    whole = share == 1
    fills: list[FastFill] = []
    trades: list[ClosedTrade] = []
    position = ZERO
    basis = ZERO
    realized = ZERO
    paid = ZERO
    ordered = filled = ZERO
    orders_ended = 0
    entry: int | None = None
    entry_realized = ZERO
    entry_fees = ZERO
    for row in rows:
        if decisions[row] > 0:
            if position:
                continue
            close = float(closes[row])
            equity = cash + ZERO  # flat: the books' equity is the cash
            budget = cash if whole else min(cash, equity * share)
            qty = _affordable(fees, close, budget, kept, cash, equity, lot)
            if qty <= 0:
                continue
            qty = qty.quantize(lot) if not qty % lot else qty
            mark = price_on_grid(close, tick)
            if qty * mark + fees.order_fee(qty, qty * mark) > max(cash, ZERO):
                continue  # refused: insufficient buying power
            price = price_on_grid(float(opens[row + 1]), tick)
            want = qty - ZERO
            cost = want * price
            take = want
            if cost + fees.order_fee(want, cost) > cash:
                take = fees.max_qty(cash, price, lot)
            ordered += qty
            orders_ended += 1
            if take <= 0:
                continue  # canceled: insufficient cash at execution
            filled += take
            fee = fees.fill_fee(NO_FILLS, take, price, _TAKER, True)
            cash -= take * price + fee
            paid += fee
            position = position + take
            basis = EXACT.add(basis, take * price)
            entry = len(fills)
            entry_realized = realized
            entry_fees = ZERO + fee
            fills.append(FastFill(row + 1, True, take, price, fee, cash, position))
        elif position > 0:
            qty = position.quantize(lot) if not position % lot else position
            want = qty - ZERO
            price = price_on_grid(float(opens[row + 1]), tick)
            fee = fees.fill_fee(NO_FILLS, want, price, _TAKER, False)
            ordered += qty
            filled += want
            orders_ended += 1
            cash -= -want * price + fee
            paid += fee
            held = position
            closing = min(abs(held), want)
            removed = (basis * closing / abs(held)).quantize(_BASIS_QUANTUM)
            gain = EXACT.subtract(closing * price, removed)
            basis = EXACT.subtract(basis, removed)
            realized = EXACT.add(realized, gain)
            position = held + -want
            if not position:
                basis = ZERO
            fills.append(FastFill(row + 1, False, want, price, fee, cash, position))
            assert entry is not None
            gross = EXACT.subtract(realized, entry_realized)
            trades.append(ClosedTrade(entry, len(fills) - 1, gross, entry_fees + fee))
            entry = None
    return FastRun(
        fills, trades, entry, cash, position, paid, realized, ordered, filled, orders_ended
    )


def _affordable(
    fees: FeeModel,
    close: float,
    budget: Decimal,
    kept: Decimal,
    cash: Decimal,
    equity: Decimal,
    lot: Decimal,
) -> Decimal:
    """The kernel's ``affordable_qty`` of a cash account at the signal bar's close."""
    reference = to_decimal(close)
    if reference <= ZERO:
        return ZERO
    available = budget
    if kept:
        available = min(available, max(cash, ZERO) - kept * equity)
    if available <= ZERO:
        return ZERO
    return fees.max_qty(available, reference, lot)
