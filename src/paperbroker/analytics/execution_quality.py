"""Execution quality: what trading cost beyond the reference prices, and how much got done.

- **slippage_bps**: the slippage paid, as basis points of the traded reference
  value: ``10_000 * sum(slippage * qty) / sum(reference_price * qty)`` over
  all fills (maker fills have none).
- **fill_ratio**: the quantity filled over the quantity ordered, for orders
  that have ended (a working order is not yet a shortfall); notional orders
  count once sized.  Left out: replaced orders (their replacement counts),
  rejected ones (they never traded), and exit legs their links canceled (the
  other side of a filled OCO pair, the legs of an entry that never filled).
- **average_latency_ms**: the mean time fills' orders took to reach the venue.
- **fees**: the sum of every fill's fee.

The fills are summed in one pass (:func:`fill_totals`), which also gives the
traded notional the turnover divides.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from paperbroker.model.enums import OrderStatus
from paperbroker.model.events import OrderCanceled
from paperbroker.model.fill import Fill
from paperbroker.model.order import OPEN_STATUSES, Order
from paperbroker.model.values import ZERO

_BPS = Decimal(10_000)
_NS_PER_MS = 1_000_000
_QTY = attrgetter("qty")
_FILLED_QTY = attrgetter("filled_qty")
# Still open (Order.is_open), replaced or rejected: none of these counts.
_NOT_COUNTED = OPEN_STATUSES | {OrderStatus.REPLACED, OrderStatus.REJECTED}


class ExecutionQuality(NamedTuple):
    """Execution statistics of a set of orders and their fills."""

    fills: int
    orders: int
    ordered_qty: Decimal
    filled_qty: Decimal
    fill_ratio: Decimal | None
    slippage_cost: Decimal
    slippage_bps: Decimal | None
    average_latency_ms: float | None
    fees: Decimal


class FillTotals(NamedTuple):
    """Sums over fills, in their order: the ones :class:`ExecutionQuality` reports and
    the traded notional ``sum(price * qty)`` (the turnover's)."""

    fills: int
    slippage_cost: Decimal
    reference_value: Decimal
    notional: Decimal
    fees: Decimal
    latency_ns: int


def fill_totals(fills: Iterable[Fill]) -> FillTotals:
    """:class:`FillTotals` of ``fills``, in one pass."""
    count = 0
    slippage = reference = notional = fees = ZERO
    latency_ns = 0
    for fill in fills:
        count += 1
        qty = fill.qty
        slippage += fill.slippage * qty
        reference += fill.reference_price * qty
        notional += fill.price * qty
        fees += fill.fee
        latency_ns += fill.latency_ns
    return FillTotals(count, slippage, reference, notional, fees, latency_ns)


def execution_quality(orders: Iterable[Order], fills: Iterable[Fill]) -> ExecutionQuality:
    """Summarise fills and the ended orders they belong to (see the module notes)."""
    return quality_of(orders, fill_totals(fills))


def quality_of(orders: Iterable[Order], totals: FillTotals) -> ExecutionQuality:
    """:func:`execution_quality` of ``orders`` and the fills that sum to ``totals``."""
    count = totals.fills
    slippage = totals.slippage_cost
    reference = totals.reference_value
    ended = [
        o
        for o in orders
        if o.status not in _NOT_COUNTED
        and (not isinstance(o.events[-1], OrderCanceled) or _counts_canceled(o))
    ]
    ordered = sum(map(_QTY, ended), ZERO)
    filled = sum(map(_FILLED_QTY, ended), ZERO)
    return ExecutionQuality(
        fills=count,
        orders=len(ended),
        ordered_qty=ordered,
        filled_qty=filled,
        fill_ratio=(filled / ordered).quantize(Decimal("0.0001")) if ordered else None,
        slippage_cost=slippage,
        slippage_bps=(_BPS * slippage / reference).quantize(Decimal("0.01")) if reference else None,
        average_latency_ms=totals.latency_ns / count / _NS_PER_MS if count else None,
        fees=totals.fees,
    )


def _counts_canceled(order: Order) -> bool:
    """Whether an order that ended canceled counts: not when its links canceled it
    before it traded."""
    last = order.events[-1]
    assert isinstance(last, OrderCanceled)
    return bool(order.filled_qty) or not last.reason.startswith(("oco:", "entry "))
