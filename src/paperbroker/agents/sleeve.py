"""A strategy's share of an account it trades together with other strategies.

In a *shared* multi-strategy session every strategy agent trades the
default account; each sees its own **sleeve** of it through its context:

- its positions are its own net positions (the fills of the orders it
  placed, tagged with its label), so ``close_position`` closes what it holds,
  never another strategy's;
- its equity is ``weight × account equity`` and its cash
  ``clamp(weight × account equity − market value of its own positions,
  0, account cash)``; its buying power is ``min(account buying power, its
  cash)`` (a sleeve sizes against cash: no leverage);
- its working orders are its own.

The weight comes from the session's allocation rule
(:class:`Allocation`): ``fixed`` keeps each strategy's configured weight;
``equal_risk`` makes the weights proportional to ``weight / volatility``
of the strategy's symbols, recomputed at every bar (see
:func:`equal_risk_weights`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from paperbroker.model.fill import Fill
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.order import Order

#: Allocation rules of a shared account.
AllocationRule = Literal["fixed", "equal_risk"]
#: Bars of returns the ``equal_risk`` rule measures volatility over, unless configured.
DEFAULT_LOOKBACK: Final = 20
#: Places a computed weight keeps (weights are exact decimals once computed).
_WEIGHT_STEP: Final = Decimal("1e-9")


def label_prefix(label: str) -> str:
    """The client order id prefix of the orders a strategy labelled ``label`` places."""
    return f"{label}:"


def order_label(order: Order, orders: Mapping[str, Order]) -> str | None:
    """The label of the strategy that placed ``order`` (an exit leg: its entry's), or ``None``."""
    own = order
    if order.parent_id is not None and order.parent_id in orders:
        own = orders[order.parent_id]
    label, sep, _ = own.client_order_id.partition(":")
    return label if sep and label else None


def strategy_volatility(closes: Sequence[np.ndarray[Any, Any]]) -> float | None:
    """The standard deviation (``ddof=1``) of the equal-weighted mean simple return of the
    symbols whose closes are given (the same number of bars each), or ``None`` with
    fewer than two returns or a non-positive close."""
    if not closes:
        return None
    length = min(len(c) for c in closes)
    if length < 3:
        return None
    stacked = np.vstack([np.asarray(c[-length:], dtype=np.float64) for c in closes])
    if not np.all(stacked > 0):
        return None
    returns = (stacked[:, 1:] / stacked[:, :-1] - 1.0).mean(axis=0)
    value = float(np.std(returns, ddof=1))
    return value if math.isfinite(value) else None


def equal_risk_weights(
    base: Sequence[Decimal], volatilities: Sequence[float | None]
) -> list[Decimal]:
    """Weights ``w_i = W × (b_i / σ_i) / Σ_j (b_j / σ_j)`` with ``W = Σ b_j``: each
    strategy's base weight ``b_i`` scaled by the inverse of its volatility ``σ_i``,
    the total kept. The base weights themselves when any volatility is unknown or 0.

    Each weight is rounded down to 9 decimal places, so they never sum above ``W``.
    """
    if any(v is None or v <= 0 for v in volatilities):
        return list(base)
    raw = [float(b) / float(v) for b, v in zip(base, volatilities, strict=True) if v is not None]
    total = sum(raw)
    whole = sum(base, ZERO)
    if total <= 0:
        return list(base)
    return [
        (whole * Decimal(repr(r / total))).quantize(_WEIGHT_STEP, rounding="ROUND_DOWN")
        for r in raw
    ]


class Allocation:
    """The weights of the strategies sharing one account, by the session's rule.

    ``members`` are ``(name, base weight, symbols)``; ``fixed`` answers the base
    weights, ``equal_risk`` :func:`equal_risk_weights` over the last ``lookback``
    bar returns of each member's symbols (all the session's when it names none),
    computed once per clock time.
    """

    def __init__(
        self,
        kernel: Kernel,
        rule: AllocationRule,
        members: Sequence[tuple[str, Decimal, Sequence[str]]],
        lookback: int = DEFAULT_LOOKBACK,
    ) -> None:
        self._kernel = kernel
        self.rule = rule
        self.lookback = lookback
        self._names = [name for name, _, _ in members]
        self._base = [weight for _, weight, _ in members]
        self._symbols = [tuple(symbols) or tuple(kernel.feed.symbols) for _, _, symbols in members]
        self._at: int | None = None
        self._weights: dict[str, Decimal] = dict(zip(self._names, self._base, strict=True))

    def weights(self) -> dict[str, Decimal]:
        """Every member's weight now."""
        if self.rule == "fixed":
            return dict(self._weights)
        now = self._kernel.clock.now_ns()
        if self._at != now:
            volatilities = [
                strategy_volatility(
                    [self._kernel.history(s, self.lookback + 1).close for s in symbols]
                )
                for symbols in self._symbols
            ]
            computed = equal_risk_weights(self._base, volatilities)
            self._weights = dict(zip(self._names, computed, strict=True))
            self._at = now
        return dict(self._weights)

    def weight(self, name: str) -> Decimal:
        """The weight of member ``name`` now."""
        return self.weights()[name]


class Sleeve:
    """One strategy's share of a shared account (see the module doc)."""

    def __init__(
        self, kernel: Kernel, label: str, account_id: str | None, allocation: Allocation, name: str
    ) -> None:
        self._kernel = kernel
        self.label = label
        self._prefix = label_prefix(label)
        self._account_id = account_id
        self._allocation = allocation
        self._name = name
        self.positions: dict[str, Position] = {}

    @property
    def weight(self) -> Decimal:
        return self._allocation.weight(self._name)

    def owns(self, order: Order) -> bool:
        """Whether ``order`` is one of this strategy's (in its account, with its label)."""
        books = self._kernel.books(self._account_id)
        if order.account_id != books.account.id:
            return False
        return order_label(order, self._kernel.orders) == self.label

    def book(self, fill: Fill) -> None:
        """Apply ``fill`` to the sleeve's positions if one of its orders made it."""
        order = self._kernel.orders.get(fill.order_id)
        if order is not None and self.owns(order):
            self.position(fill.symbol).apply(fill)

    def position(self, symbol: str) -> Position:
        """The sleeve's live position in ``symbol`` (flat at first)."""
        position = self.positions.get(symbol)
        if position is None:
            position = self.positions[symbol] = Position(symbol)
        return position

    def market_value(self) -> Decimal:
        books = self._kernel.books(self._account_id)
        value = ZERO
        for symbol, position in self.positions.items():
            if position.qty:
                mark = books.mark(symbol)
                value += position.qty * (mark if mark is not None else position.avg_price)
        return value

    def equity(self) -> Decimal:
        return self.weight * self._kernel.books(self._account_id).equity

    def cash(self) -> Decimal:
        account_cash = self._kernel.books(self._account_id).account.cash
        free = self.equity() - self.market_value()
        return max(ZERO, min(account_cash, free))

    def buying_power(self) -> Decimal:
        return max(ZERO, min(self._kernel.books(self._account_id).buying_power, self.cash()))

    def save(self) -> dict[str, Any]:
        return {
            symbol: [str(p.qty), str(p.cost_basis), str(p.realized_pnl), str(p.fees)]
            for symbol, p in self.positions.items()
        }

    def load(self, state: Mapping[str, Any]) -> None:
        """Take back :meth:`save`'s state, into the same position objects (a strategy
        holds them)."""
        for position in self.positions.values():
            position.qty = position.cost_basis = position.realized_pnl = position.fees = ZERO
        for symbol, (qty, basis, realized, fees) in state.items():
            position = self.position(str(symbol))
            position.qty, position.cost_basis = Decimal(qty), Decimal(basis)
            position.realized_pnl, position.fees = Decimal(realized), Decimal(fees)
