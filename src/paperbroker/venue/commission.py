"""Commission models.

Each model prices the *order*: minimums and maximums apply per order, not per
fill, so an order filled in three pieces pays what it would have paid in one.
``fee`` returns the increment owed by a new fill given what the order already
paid.  ``round_to`` rounds each order's cumulative fee half-up to that step
(cents by default, as brokers bill); ``None`` keeps exact amounts.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Protocol

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import CENT, ZERO, quantize_to_step, to_decimal


class CommissionModel(Protocol):
    """Prices the fees of an order."""

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        """Total fee of an order that has filled ``filled_qty`` for ``filled_notional``."""
        ...

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        """The largest lot-multiple quantity whose cost plus fee fits ``budget``."""
        ...


class _Rounding:
    def __init__(self, round_to: Decimal | str | None) -> None:
        self.round_to = None if round_to is None else to_decimal(round_to, field="round_to")

    def _round(self, fee: Decimal) -> Decimal:
        if self.round_to is None:
            return fee
        return quantize_to_step(fee, self.round_to, ROUND_HALF_UP)

    def _fits(self, qty: Decimal, price: Decimal, budget: Decimal) -> bool:
        fee = self.order_fee(qty, qty * price) if qty else ZERO
        return qty * price + fee <= budget

    def _largest_fitting(
        self, estimate: Decimal, price: Decimal, lot: Decimal, budget: Decimal
    ) -> Decimal:
        qty = max(quantize_to_step(estimate, lot, ROUND_FLOOR), ZERO)
        # The closed form ignores rounding and minimums: step down until it fits.
        while qty > ZERO and not self._fits(qty, price, budget):
            qty -= lot
        return qty

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        raise NotImplementedError


class NoCommission:
    """No fees."""

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return ZERO

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return quantize_to_step(budget / price, lot, ROUND_FLOOR)

    def __repr__(self) -> str:
        return "NoCommission()"


class PercentCommission(_Rounding):
    """``rate`` times the notional (0.001 = 0.1 %), the usual crypto and FX model."""

    def __init__(self, rate: Decimal | str | float, round_to: Decimal | str | None = CENT) -> None:
        super().__init__(round_to)
        self.rate = to_decimal(rate, field="commission rate")
        if not ZERO <= self.rate < 1:
            raise InvalidRequest(f"commission rate must be in [0, 1), got {self.rate}")

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self._round(filled_notional * self.rate)

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return self._largest_fitting(budget / (price * (1 + self.rate)), price, lot, budget)

    def __repr__(self) -> str:
        return f"PercentCommission(rate={self.rate}, round_to={self.round_to})"


class PerShareCommission(_Rounding):
    """``per_share`` per unit, at least ``minimum`` and at most ``maximum`` per order.

    ``maximum_pct`` caps the fee at a share of the order's notional (brokers
    such as Interactive Brokers cap at 1 % of trade value); both caps may be set.
    """

    def __init__(
        self,
        per_share: Decimal | str | float,
        minimum: Decimal | str | float = ZERO,
        maximum: Decimal | str | float | None = None,
        maximum_pct: Decimal | str | float | None = None,
        round_to: Decimal | str | None = CENT,
    ) -> None:
        super().__init__(round_to)
        self.per_share = to_decimal(per_share, field="per_share")
        self.minimum = to_decimal(minimum, field="minimum")
        self.maximum = None if maximum is None else to_decimal(maximum, field="maximum")
        self.maximum_pct = (
            None if maximum_pct is None else to_decimal(maximum_pct, field="maximum_pct")
        )
        if self.per_share < ZERO or self.minimum < ZERO:
            raise InvalidRequest("per-share rate and minimum must not be negative")
        if self.maximum is not None and self.maximum < self.minimum:
            raise InvalidRequest(f"maximum {self.maximum} is below minimum {self.minimum}")

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        fee = max(filled_qty * self.per_share, self.minimum)
        if self.maximum is not None:
            fee = min(fee, self.maximum)
        if self.maximum_pct is not None:
            fee = min(fee, filled_notional * self.maximum_pct)
        return self._round(fee)

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= self.minimum:
            return ZERO
        return self._largest_fitting(budget / (price + self.per_share), price, lot, budget)

    def __repr__(self) -> str:
        return (
            f"PerShareCommission(per_share={self.per_share}, minimum={self.minimum}, "
            f"maximum={self.maximum}, maximum_pct={self.maximum_pct})"
        )


class FixedCommission(_Rounding):
    """A flat ``amount`` per order, charged with the order's first fill."""

    def __init__(
        self, amount: Decimal | str | float, round_to: Decimal | str | None = CENT
    ) -> None:
        super().__init__(round_to)
        self.amount = to_decimal(amount, field="commission amount")
        if self.amount < ZERO:
            raise InvalidRequest(f"commission must not be negative, got {self.amount}")

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self._round(self.amount) if filled_qty else ZERO

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= self.amount:
            return ZERO
        return self._largest_fitting((budget - self.amount) / price, price, lot, budget)

    def __repr__(self) -> str:
        return f"FixedCommission(amount={self.amount})"
