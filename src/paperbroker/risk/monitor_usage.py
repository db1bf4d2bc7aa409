"""Limit usage: how much of each set risk limit and breaker a session uses now.

A :class:`Usage` is ``value / limit`` of one rule: 0.5 is half used, 1 at the
limit (a further order in that direction is denied, a breaker trips).  Rules
are named as :meth:`~paperbroker.risk.settings.RiskSettings.active_rules`
names them (``limits.max_position_qty``), a sector's limit with its sector
(``limits.sector_max_pct.Energy``).

Pre-trade limits check each order against its own account's books, so their
value is the largest over the session's accounts (and, for a per-symbol limit,
over each account's symbols).  Breakers act on the session as a whole: their
value is the session's.  Limits on a single order (``max_order_qty``,
``max_order_value``, ``max_volume_share_pct``) are measured on the largest
working order; ``min_bar_volume`` is a floor a bar must reach, not a budget
that fills up, and has no usage.  Protective (``risk-``) orders are left out
of the order counts and sizes, as the limits leave them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from paperbroker.model.enums import OrderType, RejectReason
from paperbroker.model.values import ZERO
from paperbroker.risk.monitor_stats import range_multiple
from paperbroker.risk.sectors import sector_limits, sector_of
from paperbroker.risk.settings import RiskSettings

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.order import Order

#: Client order ids of the orders the risk layer places (stops, targets, closes).
PROTECTIVE_PREFIX = "risk-"
#: Records a usage when both its value and its limit are known.
_Add = Callable[[str, Decimal | None, Decimal | int | None], None]
_MINUTE_NS = 60_000_000_000
_PCT = Decimal("0.0001")
_RATIO = Decimal("0.000001")
_HUNDRED = Decimal(100)


class Usage(NamedTuple):
    """How much of one rule is used: ``ratio = value / limit`` (6 places)."""

    rule: str
    value: Decimal
    limit: Decimal
    ratio: Decimal


class AccountBook(NamedTuple):
    """One account's equity and open positions: symbol → (qty, value at the mark)."""

    account_id: str
    equity: Decimal
    holdings: dict[str, tuple[Decimal, Decimal]]

    @property
    def gross(self) -> Decimal:
        return sum((abs(value) for _, value in self.holdings.values()), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((value for _, value in self.holdings.values()), ZERO)


def usage_of(
    kernel: Kernel,
    settings: RiskSettings,
    books: list[AccountBook],
    equity: Decimal,
    *,
    peak_equity: Decimal | None = None,
    day_start_equity: Decimal | None = None,
    consecutive_losses: int | None = None,
) -> tuple[Usage, ...]:
    """The usage of every set limit of ``settings`` and of every breaker whose figure is
    known, in the order the settings list them.

    ``books`` are the session's accounts, ``equity`` their sum; ``peak_equity``,
    ``day_start_equity`` and ``consecutive_losses`` are the risk guard's figures.
    """
    limits = settings.limits
    rows: list[Usage] = []

    def add(rule: str, value: Decimal | None, limit: Decimal | int | None) -> None:
        if value is not None and limit is not None:
            rows.append(_usage(rule, value, Decimal(limit)))

    held = [qty_value for book in books for qty_value in book.holdings.values()]
    add(
        "limits.max_position_qty",
        max((abs(q) for q, _ in held), default=ZERO),
        limits.max_position_qty,
    )
    add(
        "limits.max_position_value",
        max((abs(v) for _, v in held), default=ZERO),
        limits.max_position_value,
    )
    add("limits.max_gross_exposure", max(b.gross for b in books), limits.max_gross_exposure)
    add("limits.max_net_exposure", max(abs(b.net) for b in books), limits.max_net_exposure)
    add(
        "limits.max_gross_exposure_pct",
        _largest_pct((b.gross, b.equity) for b in books),
        limits.max_gross_exposure_pct,
    )
    add(
        "limits.max_net_exposure_pct",
        _largest_pct((abs(b.net), b.equity) for b in books),
        limits.max_net_exposure_pct,
    )
    order_limits = (
        limits.max_order_qty,
        limits.max_order_value,
        limits.max_open_orders,
        limits.max_orders_per_minute,
        limits.max_volume_share_pct,
    )
    if any(limit is not None for limit in order_limits):
        _order_usage(kernel, settings, books, add)
    for sector, limit in sector_limits(limits.sector_max_pct).items():
        add(f"limits.sector_max_pct.{sector}", _sector_pct(kernel, books, sector), limit)
    _breaker_usage(kernel, settings, equity, peak_equity, day_start_equity, consecutive_losses, add)
    return tuple(rows)


def _order_usage(
    kernel: Kernel, settings: RiskSettings, books: list[AccountBook], add: _Add
) -> None:
    """Usage of the limits on orders: the largest working order, the working orders
    per account, and the orders submitted in the last minute per account."""
    limits = settings.limits
    mark = kernel.portfolio.mark
    working: list[Order] = []
    counts: list[int] = []
    for book in books:
        mine = [o for o in kernel.open_orders(account_id=book.account_id) if not _protective(o)]
        working.extend(mine)
        counts.append(len(mine))
    sizes = [(o, o.leaves_qty if o.is_sized else ZERO) for o in working]
    add("limits.max_order_qty", max((qty for _, qty in sizes), default=ZERO), limits.max_order_qty)
    if limits.max_order_value is not None:
        values = [_order_value(o, qty, mark(o.symbol)) for o, qty in sizes]
        add("limits.max_order_value", max(values, default=ZERO), limits.max_order_value)
    add("limits.max_open_orders", Decimal(max(counts, default=0)), limits.max_open_orders)
    if limits.max_orders_per_minute is not None:
        add(
            "limits.max_orders_per_minute",
            Decimal(_busiest_minute(kernel)),
            limits.max_orders_per_minute,
        )
    if limits.max_volume_share_pct is not None:
        shares = [_volume_share(kernel, o.symbol, qty, limits.volume_lookback) for o, qty in sizes]
        add("limits.max_volume_share_pct", max(shares, default=ZERO), limits.max_volume_share_pct)


def _order_value(order: Order, qty: Decimal, mark: Decimal | None) -> Decimal:
    if not order.is_sized:
        return order.notional or ZERO
    if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT) and order.limit_price:
        price: Decimal | None = order.limit_price
    elif order.order_type is OrderType.STOP and order.stop_price:
        price = order.stop_price
    else:
        price = mark
    return qty * (price or ZERO)


def _busiest_minute(kernel: Kernel) -> int:
    """The most orders one account submitted in the last 60 seconds of session time
    (``(now − 60 s, now]``): those the risk rules let through, protective ones aside."""
    since = kernel.clock.now_ns() - _MINUTE_NS
    counts: dict[str, int] = {}
    for order in reversed(kernel.orders.values()):  # submission order: newest last
        if order.ts_created <= since:
            break
        if not _protective(order) and order.reject_reason is not RejectReason.RISK_DENIED:
            counts[order.account_id] = counts.get(order.account_id, 0) + 1
    return max(counts.values(), default=0)


def _volume_share(kernel: Kernel, symbol: str, qty: Decimal, lookback: int) -> Decimal:
    """``qty`` in percent of ``symbol``'s average bar volume over ``lookback`` bars."""
    volume = kernel.history(symbol, lookback).volume
    average = float(np.mean(volume)) if volume.shape[0] else 0.0
    if not average > 0:
        return ZERO
    return (qty * _HUNDRED / Decimal(repr(average))).quantize(_PCT)


def _sector_pct(kernel: Kernel, books: list[AccountBook], sector: str) -> Decimal | None:
    """The largest gross exposure to ``sector`` of one account, in percent of its equity."""
    classes = {i.symbol: i.asset_class for i in kernel.instruments}

    def in_sector(book: AccountBook) -> Decimal:
        return sum(
            (abs(v) for s, (_, v) in book.holdings.items() if sector_of(s, classes[s]) == sector),
            ZERO,
        )

    return _largest_pct((in_sector(book), book.equity) for book in books)


def _breaker_usage(
    kernel: Kernel,
    settings: RiskSettings,
    equity: Decimal,
    peak_equity: Decimal | None,
    day_start_equity: Decimal | None,
    consecutive_losses: int | None,
    add: _Add,
) -> None:
    """Usage of the breakers, from the session's equity and the guard's figures."""
    breakers = settings.breakers
    if day_start_equity is not None:
        loss = max(day_start_equity - equity, ZERO)
        add("breakers.daily_loss", loss, breakers.daily_loss)
        if day_start_equity > 0:
            add(
                "breakers.daily_loss_pct", _percent(loss, day_start_equity), breakers.daily_loss_pct
            )
    if peak_equity is not None:
        peak = max(peak_equity, equity)
        if peak > 0:
            add(
                "breakers.max_drawdown_pct",
                _percent(peak - equity, peak),
                breakers.max_drawdown_pct,
            )
    if consecutive_losses is not None:
        add("breakers.consecutive_losses", Decimal(consecutive_losses), breakers.consecutive_losses)
    if breakers.volatility_multiple is not None:
        lookback = breakers.volatility_lookback
        multiples = []
        for instrument in kernel.instruments:
            bars = kernel.history(instrument.symbol, lookback + 1)
            multiple = range_multiple(bars.high, bars.low, lookback)
            if multiple is not None:
                multiples.append(multiple)
        if multiples:
            value = Decimal(repr(max(multiples))).quantize(_PCT)
            add("breakers.volatility_multiple", value, breakers.volatility_multiple)


def _usage(rule: str, value: Decimal, limit: Decimal) -> Usage:
    return Usage(rule, value, limit, (value / limit).quantize(_RATIO))


def _largest_pct(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The largest ``part / whole × 100`` of the pairs whose whole (an equity) is positive."""
    found = [_percent(part, whole) for part, whole in pairs if whole > 0]
    return max(found, default=None)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * _HUNDRED / whole).quantize(_PCT)


def _protective(order: Order) -> bool:
    return order.client_order_id.startswith(PROTECTIVE_PREFIX)


__all__ = ["PROTECTIVE_PREFIX", "AccountBook", "Usage", "usage_of"]
