"""How much of each limit and breaker the session uses now.

For every rule with a number that is set, :func:`usage` gives the value the
rule would see now, its limit and the ratio of the two (1 is at the limit).
Pre-trade limits are per account: the figure is the most-used account's (and,
for the per-symbol limits, its most-used position's).  Breakers are the
session's: equity summed over the accounts, as they are evaluated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from paperbroker.model.values import ZERO

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.portfolio.portfolio import Portfolio
    from paperbroker.risk.guard import RiskGuard

_HUNDRED = Decimal(100)
_RATIO = Decimal("0.0001")


class Usage(NamedTuple):
    """One rule's use now: ``value`` against ``limit`` (``ratio`` = value / limit)."""

    rule: str
    value: Decimal
    limit: Decimal
    ratio: Decimal


def usage(guard: RiskGuard, kernel: Kernel) -> tuple[Usage, ...]:
    """Every set rule's use now, in the order the settings list them."""
    limits, breakers = guard.effective.limits, guard.effective.breakers
    books = list(kernel.portfolios.values())
    rows: list[Usage] = []

    def add(rule: str, value: Decimal, limit: Decimal | int | None) -> None:
        if limit is None:
            return
        bound = Decimal(limit)
        ratio = (value / bound).quantize(_RATIO) if bound else ZERO
        rows.append(Usage(rule, value, bound, ratio))

    positions = [(b, s, p.qty) for b in books for s, p in b.positions.items() if p.qty]
    add("limits.max_position_qty", max((abs(q) for _, _, q in positions), default=ZERO),
        limits.max_position_qty)  # fmt: skip
    add("limits.max_position_value", max((abs(q * (b.mark(s) or ZERO)) for b, s, q in positions),
        default=ZERO), limits.max_position_value)  # fmt: skip
    exposures = [_exposure(b) for b in books]
    add("limits.max_gross_exposure", max((g for g, _, _ in exposures), default=ZERO),
        limits.max_gross_exposure)  # fmt: skip
    add("limits.max_net_exposure", max((abs(n) for _, n, _ in exposures), default=ZERO),
        limits.max_net_exposure)  # fmt: skip
    add("limits.max_gross_exposure_pct", max((_pct(g, e) for g, _, e in exposures),
        default=ZERO), limits.max_gross_exposure_pct)  # fmt: skip
    add("limits.max_net_exposure_pct", max((_pct(abs(n), e) for _, n, e in exposures),
        default=ZERO), limits.max_net_exposure_pct)  # fmt: skip
    now = kernel.clock.now_ns()
    accounts = [b.account.id for b in books]
    add("limits.max_open_orders", Decimal(max(guard.counter.open_orders(a) for a in accounts)),
        limits.max_open_orders)  # fmt: skip
    add("limits.max_orders_per_minute", Decimal(max(guard.counter.recent(a, now)
        for a in accounts)), limits.max_orders_per_minute)  # fmt: skip
    board = guard.board
    equity = guard.equity()
    start = board.day_start if board.day_start is not None else equity
    loss = max(start - equity, ZERO)
    add("breakers.daily_loss", loss, breakers.daily_loss)
    add("breakers.daily_loss_pct", _pct(loss, start), breakers.daily_loss_pct)
    peak = board.peak if board.peak is not None else equity
    add("breakers.max_drawdown_pct", _pct(max(peak - equity, ZERO), peak),
        breakers.max_drawdown_pct)  # fmt: skip
    add("breakers.consecutive_losses", Decimal(board.losses), breakers.consecutive_losses)
    return tuple(rows)


def _exposure(books: Portfolio) -> tuple[Decimal, Decimal, Decimal]:
    """An account's (gross, net) exposure at the marks, and its equity."""
    gross = net = ZERO
    for symbol, position in books.positions.items():
        if position.qty:
            value = position.qty * (books.mark(symbol) or ZERO)
            gross += abs(value)
            net += value
    return gross, net, books.account.cash + net


def _pct(value: Decimal, of: Decimal) -> Decimal:
    return (value / of * _HUNDRED).quantize(Decimal("0.01")) if of > 0 else ZERO


__all__ = ["Usage", "usage"]
