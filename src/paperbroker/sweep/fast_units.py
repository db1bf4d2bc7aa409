"""The fast path in integer units: the common case without a ``Decimal`` per decision.

When prices sit on a power-of-ten tick (``10**-d``), quantities on a
power-of-ten lot (``10**-l``), the fee is none or a flat amount per order and
the entry spends all the cash (``allocation`` 1 of one symbol, no ``buffer``),
every amount of the books is an integer number of ``10**-(d + l)``: a price
in ticks, a quantity in lots, cash in ticks times lots. The decisions then
replay with Python integers, which is exact and several times faster than
the same arithmetic in ``Decimal`` (:func:`~paperbroker.sweep.fast.simulate`,
which covers every other case).

The two agree on every rule (sizing ``floor(cash / close)`` lots less the fee,
the buying-power check, the trim to the cash at the fill); the ``Decimal``
values a result reports are rebuilt with the exponents the books' operations
give them, so their text is the kernel's to the last digit:

- cash after a fill has exponent ``min(e_cash, -(d + l), e_fee)``;
- a round trip's gross P&L ``min(-10, -(d + l))`` (the books round a removed
  cost basis to ``1e-10``), its net P&L that or the fees' exponent if lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from paperbroker.model.values import ZERO
from paperbroker.venue.commission import FeeModel, FixedCommission, NoCommission

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Cash beyond this many units goes to the ``Decimal`` path: below 2**53, every amount
#: is an exact float too.
_MAX_UNITS = 2**53


@dataclass(frozen=True)
class Units:
    """The integer scale of one run: ``10**-decimals`` ticks, ``10**-lot_decimals`` lots."""

    decimals: int
    lot_decimals: int
    #: The fee of every order in units (0 without fees), and as the model bills it.
    fee: int
    fee_decimal: Decimal
    cash: int

    @property
    def exponent(self) -> int:
        return -(self.decimals + self.lot_decimals)


def _power_of_ten(step: Decimal) -> int | None:
    sign, digits, exponent = step.normalize().as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int) or exponent > 0:
        return None
    return -exponent


def _in_units(value: Decimal, exponent: int) -> int | None:
    scaled = value.scaleb(-exponent)
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def units_for(
    tick: Decimal, lot: Decimal, fees: FeeModel, cash: Decimal, whole: bool
) -> Units | None:
    """The integer scale of a run, or ``None`` where the ``Decimal`` path must run it."""
    decimals, lot_decimals = _power_of_ten(tick), _power_of_ten(lot)
    if decimals is None or lot_decimals is None or not whole:
        return None
    exponent = -(decimals + lot_decimals)
    if isinstance(fees, NoCommission):
        fee = ZERO
    elif isinstance(fees, FixedCommission):
        fee = fees.order_fee(Decimal(1), Decimal(1))
        if fee != fees.amount:  # its max_qty sizes with the amount before rounding
            return None
    else:
        return None
    fee_units, cash_units = _in_units(fee, exponent), _in_units(cash, exponent)
    if fee_units is None or cash_units is None or fee_units < 0 or not 0 < cash_units < _MAX_UNITS:
        return None
    return Units(decimals, lot_decimals, fee_units, fee, cash_units)


@dataclass
class UnitRun:
    """The round trips of an integer run and the books at the end.

    Fills alternate: entry 0, exit 0, entry 1, exit 1, … and, when a trade is
    still open at the end, its entry last. ``entry_*`` and ``qty`` have one item
    per trade (the open one included), ``exit_*`` one per closed trade; rows are
    the bars the fills happened on, prices in ticks, quantities in lots, cash in
    units after each fill.
    """

    entry_rows: list[int]
    exit_rows: list[int]
    qty: list[int]
    price_in: list[int]
    price_out: list[int]
    cash_in: list[int]
    cash_out: list[int]
    cash: int
    position: int
    ordered: int
    filled: int

    @property
    def fills(self) -> int:
        return len(self.entry_rows) + len(self.exit_rows)

    @property
    def is_open(self) -> bool:
        return len(self.entry_rows) > len(self.exit_rows)


def simulate_units(
    decisions: FloatArray, opens: IntArray, closes: IntArray, units: Units
) -> UnitRun | None:
    """Replay the decisions in units (``opens``/``closes``: every bar's, in ticks).

    The usual case takes the alternation of entries and exits from the signals
    with NumPy and visits each round trip once; an entry that cannot be made
    (no cash for one lot, or nothing left at the fill) changes what the next
    signals do, and then every decision is replayed in order
    (:func:`_replay`). ``None`` if the cash outgrows the integer scale (the
    ``Decimal`` path then runs).
    """
    signs = decisions[:-1]  # the last bar's decisions never fill
    moments = np.flatnonzero(signs)
    enter = signs[moments] > 0
    if moments.shape[0]:
        first = np.empty(moments.shape[0], dtype=np.bool_)
        first[0] = bool(enter[0])  # a leading exit signal finds nothing to sell
        first[1:] = enter[1:] != enter[:-1]
        moments = moments[first]
    entries, exits = moments[0::2], moments[1::2]
    entry_rows = entries + 1
    exit_rows = exits + 1
    paid = opens[entry_rows].tolist()
    got = opens[exit_rows].tolist()
    done = _round_trips(closes[entries].tolist(), paid, got, units.cash, units.fee)
    if done is None:
        return _replay(decisions, opens.tolist(), closes.tolist(), units)
    qty, cash_in, cash_out, cash, ordered = done
    if max(cash_out, default=cash) >= _MAX_UNITS or cash >= _MAX_UNITS:
        return None
    position = qty[-1] if len(qty) > len(got) else 0
    return UnitRun(
        entry_rows.tolist(), exit_rows.tolist(), qty, paid, got, cash_in, cash_out, cash,
        position, ordered, sum(qty) + sum(qty[: len(got)]),
    )  # fmt: skip


def _round_trips(
    sizing: list[int], paid: list[int], got: list[int], cash: int, fee: int
) -> tuple[list[int], list[int], list[int], int, int] | None:
    """Each round trip's quantity, the cash after its entry and its exit, the cash at the
    end and the quantity ordered; ``None`` when an entry cannot be made."""
    qty: list[int] = []
    cash_in: list[int] = []
    cash_out: list[int] = []
    take_qty, after_entry, after_exit = qty.append, cash_in.append, cash_out.append
    ordered = 0
    for close, at, out in zip(sizing, paid, got, strict=False):  # the closed round trips
        if cash <= fee:
            return None
        spend = cash - fee
        want = spend // close
        take = want if want * at <= spend else spend // at
        if take <= 0:
            return None
        ordered += want + take
        cash -= take * at + fee
        after_entry(cash)
        cash += take * out - fee
        after_exit(cash)
        take_qty(take)
    if len(sizing) > len(got):  # the last entry, still open at the end
        if cash <= fee:
            return None
        spend = cash - fee
        want = spend // sizing[-1]
        at = paid[-1]
        take = want if want * at <= spend else spend // at
        if take <= 0:
            return None
        ordered += want
        cash -= take * at + fee
        after_entry(cash)
        take_qty(take)
    return qty, cash_in, cash_out, cash, ordered


def _replay(
    decisions: FloatArray, opens: list[int], closes: list[int], units: Units
) -> UnitRun | None:
    """Every decision in order, as the strategy takes them (the general case)."""
    fee = units.fee
    cash = units.cash
    position = 0
    ordered = filled = 0
    run = UnitRun([], [], [], [], [], [], [], 0, 0, 0, 0)
    signs = decisions[:-1]
    moments = np.flatnonzero(signs)
    for row, enter in zip(moments.tolist(), (signs[moments] > 0).tolist(), strict=True):
        if enter:
            if position:
                continue
            close = closes[row]
            if cash <= fee:
                continue  # max_qty: nothing fits (no order)
            want = (cash - fee) // close
            if want <= 0:
                continue
            at = opens[row + 1]
            take = want if want * at + fee <= cash else (cash - fee) // at if cash > fee else 0
            ordered += want
            if take <= 0:
                continue  # canceled: insufficient cash at execution
            filled += take
            cash -= take * at + fee
            position = take
            run.entry_rows.append(row + 1)
            run.qty.append(take)
            run.price_in.append(at)
            run.cash_in.append(cash)
        elif position:
            at = opens[row + 1]
            ordered += position
            filled += position
            cash += position * at - fee
            position = 0
            run.exit_rows.append(row + 1)
            run.price_out.append(at)
            run.cash_out.append(cash)
            if cash >= _MAX_UNITS:
                return None
    run.cash, run.position, run.ordered, run.filled = cash, position, ordered, filled
    return run


def grid_units(prices: FloatArray, decimals: int) -> IntArray:
    """Prices already on a ``10**-decimals`` grid (``grid_floats``) as integer ticks."""
    return np.rint(prices * 10.0**decimals).astype(np.int64)
