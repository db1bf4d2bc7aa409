"""Fee models: what an order pays its broker, its exchange and its regulators.

Most brokers price the *order*: minimums and maximums apply once per order,
not per fill, so an order filled in three pieces pays what it would have paid
in one.  Those models compute the order's cumulative fee after each fill and
charge the increment (:meth:`FeeModel.fill_fee`).  Crypto exchanges bill each
fill on its own, at a maker or a taker rate (:class:`MakerTakerCommission`).
US equity sales also owe the SEC and FINRA small regulatory fees
(:class:`RegulatoryFees`), which :class:`FeeSchedule` adds to a broker's
commission.

``round_to`` rounds fees half-up to that step (cents by default, as brokers
bill); ``None`` keeps exact amounts.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, Protocol

from paperbroker.model.enums import LiquiditySide
from paperbroker.model.values import CENT, ZERO, quantize_to_step
from paperbroker.venue.schema import (
    FeeScheduleSpec,
    FixedCommissionSpec,
    MakerTakerCommissionSpec,
    NoCommissionSpec,
    PercentCommissionSpec,
    PerShareCommissionSpec,
    RegulatoryFeesSpec,
)
from paperbroker.venue.schema_base import ModelSpec, Specified

_MILLION = Decimal(1_000_000)


class OrderFees(NamedTuple):
    """An order's fills so far, before the fill being priced."""

    filled_qty: Decimal
    filled_notional: Decimal
    fee_paid: Decimal


#: Nothing filled yet: the state of an order before its first fill.
NO_FILLS = OrderFees(ZERO, ZERO, ZERO)


class FeeModel(Protocol):
    """Prices the fees of an order and of each of its fills."""

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        """Total fee of a taker *buy* order that filled ``filled_qty`` for ``filled_notional``.

        Pre-trade checks reserve this amount for the order.
        """
        ...

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        """The fee a new fill of ``qty`` at ``price`` owes (``>= 0``), given the order's past."""
        ...

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        """The largest lot-multiple quantity whose cost plus fee fits ``budget``."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        ...


#: The former name of :class:`FeeModel`.
CommissionModel = FeeModel


class _PerOrder(Specified):
    """A model that prices the whole order; each fill pays the increase of the total."""

    def __init__(self, spec: ModelSpec, round_to: Decimal | None) -> None:
        self.spec = spec
        self.round_to = round_to

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

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        after = self.order_fee(before.filled_qty + qty, before.filled_notional + qty * price)
        return max(after - before.fee_paid, ZERO)


class NoCommission(Specified):
    """No fees."""

    spec_type = NoCommissionSpec

    def __init__(self) -> None:
        self.spec = NoCommissionSpec()

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return ZERO

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        return ZERO

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return quantize_to_step(budget / price, lot, ROUND_FLOOR)


class PercentCommission(_PerOrder):
    """``rate`` times the order's notional (0.001 = 0.1 %), rounded once per order.

    Raises:
        InvalidRequest: if ``rate`` is outside [0, 1).
    """

    spec_type = PercentCommissionSpec

    def __init__(self, rate: Decimal | str | float, round_to: Decimal | str | None = CENT) -> None:
        spec = PercentCommissionSpec.checked(rate=rate, round_to=round_to)
        super().__init__(spec, spec.round_to)
        self.rate = spec.rate

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self._round(filled_notional * self.rate)

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return self._largest_fitting(budget / (price * (1 + self.rate)), price, lot, budget)


class PerShareCommission(_PerOrder):
    """``per_share`` per unit, at least ``minimum`` and at most ``maximum`` per order.

    ``maximum_pct`` caps the fee at a share of the order's notional (brokers
    such as Interactive Brokers cap at 1 % of trade value); both caps may be set.

    Raises:
        InvalidRequest: if a parameter is negative or ``maximum`` is below ``minimum``.
    """

    spec_type = PerShareCommissionSpec

    def __init__(
        self,
        per_share: Decimal | str | float,
        minimum: Decimal | str | float = ZERO,
        maximum: Decimal | str | float | None = None,
        maximum_pct: Decimal | str | float | None = None,
        round_to: Decimal | str | None = CENT,
    ) -> None:
        spec = PerShareCommissionSpec.checked(
            per_share=per_share,
            minimum=minimum,
            maximum=maximum,
            maximum_pct=maximum_pct,
            round_to=round_to,
        )
        super().__init__(spec, spec.round_to)
        self.per_share = spec.per_share
        self.minimum = spec.minimum
        self.maximum = spec.maximum
        self.maximum_pct = spec.maximum_pct

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


class FixedCommission(_PerOrder):
    """A flat ``amount`` per order, charged with the order's first fill.

    Raises:
        InvalidRequest: if ``amount`` is negative.
    """

    spec_type = FixedCommissionSpec

    def __init__(
        self, amount: Decimal | str | float, round_to: Decimal | str | None = CENT
    ) -> None:
        spec = FixedCommissionSpec.checked(amount=amount, round_to=round_to)
        super().__init__(spec, spec.round_to)
        self.amount = spec.amount

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self._round(self.amount) if filled_qty else ZERO

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= self.amount:
            return ZERO
        return self._largest_fitting((budget - self.amount) / price, price, lot, budget)


class MakerTakerCommission(_PerOrder):
    """A rate on each fill's notional, by whether the fill added or took liquidity.

    Each fill pays ``qty × price × rate`` with ``maker_rate`` for a maker fill
    and ``taker_rate`` for a taker fill, rounded half-up to ``round_to`` *per
    fill*: exchanges bill every trade on its own, so an order filled in pieces
    may pay a rounding step more or less than in one.  Pre-trade checks
    (:meth:`order_fee`, :meth:`max_qty`) assume the taker rate.  This is the
    tiered schedule of crypto exchanges and NautilusTrader's
    ``MakerTakerFeeModel``.

    Raises:
        InvalidRequest: if a rate is outside [0, 1).
    """

    spec_type = MakerTakerCommissionSpec

    def __init__(
        self,
        maker_rate: Decimal | str | float,
        taker_rate: Decimal | str | float,
        round_to: Decimal | str | None = CENT,
    ) -> None:
        spec = MakerTakerCommissionSpec.checked(
            maker_rate=maker_rate, taker_rate=taker_rate, round_to=round_to
        )
        super().__init__(spec, spec.round_to)
        self.maker_rate = spec.maker_rate
        self.taker_rate = spec.taker_rate

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self._round(filled_notional * self.taker_rate)

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        rate = self.maker_rate if liquidity is LiquiditySide.MAKER else self.taker_rate
        return self._round(qty * price * rate)

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return self._largest_fitting(budget / (price * (1 + self.taker_rate)), price, lot, budget)


class RegulatoryFees(Specified):
    """US equity transaction fees on *sales*: the SEC Section 31 fee and FINRA's TAF.

    - SEC fee: ``notional × sec_rate_per_million / 1,000,000``.
    - FINRA Trading Activity Fee: ``taf_per_share`` per share sold, at most
      ``taf_max`` per order.

    Each is rounded *up* to the cent per order, as brokers pass them on; the
    order's cumulative fee is recomputed after every fill and the fill pays
    the increase.  Buys pay nothing.  The defaults are the FY2024 rates (SEC
    fee rate advisory of 2024: $27.80 per million, effective 22 May 2024;
    FINRA By-Laws Schedule A, section 1: $0.000166 per share, at most $8.30
    per trade); rates change every year, so set your own.

    Raises:
        InvalidRequest: if a rate is negative.
    """

    spec_type = RegulatoryFeesSpec

    def __init__(
        self,
        sec_rate_per_million: Decimal | str | float = Decimal("27.80"),
        taf_per_share: Decimal | str | float = Decimal("0.000166"),
        taf_max: Decimal | str | float = Decimal("8.30"),
    ) -> None:
        self.spec = spec = RegulatoryFeesSpec.checked(
            sec_rate_per_million=sec_rate_per_million, taf_per_share=taf_per_share, taf_max=taf_max
        )
        self.sec_rate_per_million = spec.sec_rate_per_million
        self.taf_per_share = spec.taf_per_share
        self.taf_max = spec.taf_max

    def sell_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        """The regulatory fees of a sell order that has filled this much so far."""
        if not filled_qty:
            return ZERO
        sec = filled_notional * self.sec_rate_per_million / _MILLION
        taf = min(filled_qty * self.taf_per_share, self.taf_max)
        return quantize_to_step(sec, CENT, ROUND_CEILING) + quantize_to_step(
            taf, CENT, ROUND_CEILING
        )

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return ZERO  # a buy owes no regulatory fee

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        if is_buy:
            return ZERO
        after = self.sell_fee(before.filled_qty + qty, before.filled_notional + qty * price)
        return after - self.sell_fee(before.filled_qty, before.filled_notional)

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        if budget <= ZERO:
            return ZERO
        return quantize_to_step(budget / price, lot, ROUND_FLOOR)


class FeeSchedule(Specified):
    """A broker's commission (``base``) plus, on sales, the regulatory fees.

    A fill pays ``base``'s fee plus the increase of the order's regulatory
    fees.  ``fee_paid`` in :class:`OrderFees` counts both; the regulatory part
    of it is recomputed from the order's fills, and ``base`` sees the rest.
    Pre-trade checks use ``base`` alone (a buy owes no regulatory fee).
    """

    spec_type = FeeScheduleSpec

    def __init__(self, base: FeeModel, regulatory: RegulatoryFees | None = None) -> None:
        self.base = base
        self.regulatory = regulatory
        self.spec = FeeScheduleSpec.checked(
            base=base.describe(), regulatory=None if regulatory is None else regulatory.spec
        )

    def order_fee(self, filled_qty: Decimal, filled_notional: Decimal) -> Decimal:
        return self.base.order_fee(filled_qty, filled_notional)

    def fill_fee(
        self,
        before: OrderFees,
        qty: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        is_buy: bool,
    ) -> Decimal:
        regulatory = self.regulatory
        if regulatory is None or is_buy:
            return self.base.fill_fee(before, qty, price, liquidity, is_buy)
        paid = regulatory.sell_fee(before.filled_qty, before.filled_notional)
        base_before = before._replace(fee_paid=before.fee_paid - paid)
        return self.base.fill_fee(base_before, qty, price, liquidity, is_buy) + regulatory.fill_fee(
            before, qty, price, liquidity, is_buy
        )

    def max_qty(self, budget: Decimal, price: Decimal, lot: Decimal) -> Decimal:
        return self.base.max_qty(budget, price, lot)
