"""Round-trip trades rebuilt from fills.

A *trade* is one round trip of a symbol's position: it starts when the
position leaves zero and ends when it returns to zero.  The P&L of a trade is
computed with the very same average-cost accounting as
:class:`paperbroker.model.position.Position` (the builder drives a ``Position``
per symbol), so trade reports and the ledger can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from operator import itemgetter
from typing import Literal, NamedTuple

from paperbroker.core.clock import ns_to_text
from paperbroker.core.ids import FillId
from paperbroker.model.enums import OrderSide
from paperbroker.model.fill import Fill, typed_equality
from paperbroker.model.position import Position
from paperbroker.model.values import EXACT as _EXACT
from paperbroker.model.values import ZERO

Direction = Literal["long", "short"]

# A context in which + and - of finite decimals are exact (no rounding ever).

# Fee parts are rounded to the fee's own exponent, but never coarser than a cent.
_MAX_FEE_EXPONENT = -2


class Trade(NamedTuple):
    """One round trip of a symbol's position (flat -> non-flat -> flat); immutable.

    - ``qty``: the largest absolute position held during the round trip.
    - ``entry_price``: qty-weighted average price of the fills (or fill parts)
      that opened or increased the position; ``exit_price`` the same over the
      reducing ones (``None`` while nothing was reduced yet).
    - ``gross_pnl``: realized P&L before fees, by average cost exactly as
      :meth:`Position.apply` realizes it.  Precisely, it is the change of
      ``Position.realized_pnl`` over the trade's life, subtracted without
      context rounding; so adding up a symbol's trades in order gives
      ``Position.realized_pnl`` to the last digit.  For an open trade it is
      the P&L realized so far (partial exits).
    - ``fees``: all fees of the trade's fills; a fill that flips the position
      contributes only its share (see :func:`build_trades`).
    - ``exit_ts``: the ts of the fill that flattened the position, ``None``
      while the trade is still open.
    - ``fill_ids``: the fills that belong to the trade, in order (a flipping
      fill belongs to both the trade it closes and the one it opens).
    - ``mae``/``mfe``: the maximum adverse (<= 0) and favourable (>= 0)
      excursion while open, as ratios of the entry price, from the bars' lows
      and highs; ``None`` until computed from bars
      (:func:`paperbroker.analytics.excursions.with_excursions`).
    """

    symbol: str
    direction: Direction
    qty: Decimal
    entry_ts: int
    exit_ts: int | None
    entry_price: Decimal
    exit_price: Decimal | None
    gross_pnl: Decimal
    fees: Decimal
    fill_ids: tuple[FillId, ...]
    mae: float | None = None
    mfe: float | None = None

    @property
    def pnl(self) -> Decimal:
        """Net P&L: ``gross_pnl - fees``."""
        return self.gross_pnl - self.fees

    @property
    def is_open(self) -> bool:
        """True while the position has not returned to zero (``exit_ts is None``)."""
        return self.exit_ts is None

    @property
    def return_pct(self) -> float:
        """Net return on the capital committed: ``pnl / (entry_price * qty)``.

        The denominator is the notional of the largest position at the average
        entry price, so a short that makes money has a positive return, as
        backtesting.py reports it.  A float because it is an analytics ratio,
        not money; ``0.0`` when the notional is zero.
        """
        return return_on(self.pnl, self.entry_price, self.qty)

    def __repr__(self) -> str:
        exit_ = (
            "open" if self.exit_ts is None else f"{ns_to_text(self.exit_ts)} @ {self.exit_price}"
        )
        return (
            f"Trade({self.symbol} {self.direction} qty={self.qty} "
            f"entry={ns_to_text(self.entry_ts)} @ {self.entry_price} exit={exit_} "
            f"gross_pnl={self.gross_pnl} fees={self.fees} fills={len(self.fill_ids)})"
        )


typed_equality(Trade)


def return_on(pnl: Decimal, entry_price: Decimal, qty: Decimal) -> float:
    """:attr:`Trade.return_pct` of a trade whose net P&L is ``pnl``: ``pnl`` over the
    notional ``entry_price * qty`` (``0.0`` when it is zero)."""
    notional = entry_price * qty
    if not notional:
        return 0.0
    return float(pnl / notional)


class _Opening(NamedTuple):
    """A trade of one fill so far: ``qty`` units of ``fill`` (all of it, or what is left
    of a flipping fill) opened it, paying ``fee``; ``after`` and ``realized`` are the
    position's quantity and realized P&L right after the fill."""

    fill: Fill
    qty: Decimal
    fee: Decimal
    after: Decimal
    realized: Decimal

    def accumulators(self) -> _Open:
        """The trade's :class:`_Open`, to take more fills."""
        fill, qty, after = self.fill, self.qty, self.after
        return _Open(
            "long" if after > ZERO else "short",
            fill.ts,
            self.realized,
            abs(after),
            ZERO + qty,
            ZERO + qty * fill.price,
            ZERO + self.fee,
            [fill.id],
        )

    def closed_by(self, fill: Fill, closing: Decimal, realized_now: Decimal) -> Trade:
        """The round trip of two fills: ``fill`` closed all ``closing`` units and left
        the position flat with ``realized_now``.  The very sums and quotients
        :meth:`accumulators` and :meth:`_Open.to_trade` make of the two fills."""
        first, qty, after = self.fill, self.qty, self.after
        exit_qty = ZERO + closing
        return _new_trade(
            Trade,
            (
                fill.symbol,
                "long" if after > ZERO else "short",
                abs(after),
                first.ts,
                fill.ts,
                (ZERO + qty * first.price) / (ZERO + qty),
                (ZERO + closing * fill.price) / exit_qty,
                _EXACT.subtract(realized_now, self.realized),
                ZERO + self.fee + fill.fee,
                (first.id, fill.id),
                None,
                None,
            ),
        )


@dataclass(slots=True)
class _Open:
    """Accumulators of the trade currently open for one symbol.

    Each sum starts from ``ZERO`` and adds in the fills' order, in the default
    context: the trade's prices keep the digits and exponents that gives.
    """

    direction: Direction
    entry_ts: int
    realized_at_start: Decimal
    max_qty: Decimal
    entry_qty: Decimal
    entry_notional: Decimal
    fees: Decimal
    fill_ids: list[FillId]
    exit_qty: Decimal = ZERO
    exit_notional: Decimal = ZERO

    def to_trade(self, symbol: str, realized_now: Decimal, exit_ts: int | None) -> Trade:
        exit_qty = self.exit_qty
        return _new_trade(
            Trade,
            (
                symbol,
                self.direction,
                self.max_qty,
                self.entry_ts,
                exit_ts,
                self.entry_notional / self.entry_qty,
                self.exit_notional / exit_qty if exit_qty else None,
                _EXACT.subtract(realized_now, self.realized_at_start),
                self.fees,
                tuple(self.fill_ids),
                None,
                None,
            ),
        )


def split_fee(fee: Decimal, part_qty: Decimal, total_qty: Decimal) -> tuple[Decimal, Decimal]:
    """Split ``fee`` pro rata into ``(rest, part)`` where ``part`` is for ``part_qty``.

    ``part = fee * part_qty / total_qty`` rounded half-even to the fee's own
    exponent (at least cents), and ``rest = fee - part`` exactly, so the two
    always add up to ``fee`` to the last digit and the rounding remainder lands
    on ``rest`` (the closing part of a flipping fill).
    """
    exponent = fee.as_tuple().exponent
    places = min(exponent, _MAX_FEE_EXPONENT) if isinstance(exponent, int) else _MAX_FEE_EXPONENT
    quantum = Decimal(1).scaleb(places)
    part = (fee * part_qty / total_qty).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return _EXACT.subtract(fee, part), part


def build_trades(fills: Iterable[Fill], realized: Sequence[Decimal] | None = None) -> list[Trade]:
    """Group fills into round-trip :class:`Trade` objects.

    Fills are taken in the order given (execution order, as the ledger records
    them) and handled per symbol: a trade starts when the position leaves zero
    and ends when it returns to zero.  A fill that flips the position (e.g.
    +100 then -150) closes the trade with its first 100 units and opens an
    opposite trade with the remaining 50 at the fill price, exactly as
    :meth:`Position.apply` does; its fee is split pro rata to quantity with
    :func:`split_fee` (the opening part is rounded, the closing part takes the
    remainder, so the parts sum exactly to the fill's fee).  Trades still open
    at the end are returned with ``exit_ts=None``.

    ``realized``, when given, is the realized P&L of each fill's position right
    after it, as the books worked it out (:attr:`Portfolio.realized_trail
    <paperbroker.portfolio.portfolio.Portfolio.realized_trail>`, one per fill):
    the positions' average cost is then not worked out a second time here.

    Returns the trades sorted by ``(entry_ts, symbol)`` (a stable sort, so a
    symbol's trades stay in the order they happened).

    Raises:
        ValueError: for a fill with a non-positive quantity, or a ``realized`` that
            does not have one value per fill.
    """
    return _build(fills, pairs=True, realized=realized)


def _build(
    fills: Iterable[Fill], *, pairs: bool, realized: Sequence[Decimal] | None = None
) -> list[Trade]:
    """:func:`build_trades`.  With ``pairs``, a round trip of two fills (one opens the
    position, the next closes it: the usual trade) is made from the two at once
    (:meth:`_Opening.closed_by`); without, every trade goes through :class:`_Open`.
    Both give the same trades to the last digit."""
    positions: dict[str, Position] = {}  # replayed when the books' P&L is not given
    held: dict[str, Decimal] = {}  # else each symbol's quantity, as Position.apply moves it
    pnl: dict[str, Decimal] = {}  # and its realized P&L, as the books gave it
    trail = None if realized is None else iter(realized)
    opening: dict[str, _Opening] = {}
    current: dict[str, _Open] = {}
    trades: list[Trade] = []

    for fill in fills:
        qty = fill.qty
        if qty <= ZERO:
            raise ValueError(f"fill {fill.id} has non-positive qty {fill.qty}")
        symbol = fill.symbol
        if trail is None:
            position = positions.get(symbol)
            if position is None:
                position = positions[symbol] = Position(symbol)
            before = position.qty
            position.apply(fill)
            after, realized_now = position.qty, position.realized_pnl
        else:
            before = held.get(symbol, ZERO)
            after = held[symbol] = before + (qty if fill.side is _BUY else -qty)
            given = next(trail, None)
            if given is None:
                raise ValueError("realized has fewer values than there are fills")
            realized_now = pnl[symbol] = given

        if not before:
            # Flat before: this fill opens a trade.
            opening[symbol] = _Opening(fill, qty, fill.fee, after, realized_now)
            continue
        first = opening.pop(symbol, None)
        if first is not None:
            if pairs and not after:
                # The second fill closes the trade (an opposite fill of the same
                # quantity: it neither increases nor flips the position).
                trades.append(first.closed_by(fill, min(abs(before), qty), realized_now))
                continue
            current[symbol] = first.accumulators()
        trade = current[symbol]
        trade.fill_ids.append(fill.id)

        if (before > ZERO) == (after > before):
            # Increasing.
            trade.entry_qty += qty
            trade.entry_notional += qty * fill.price
            trade.fees += fill.fee
            trade.max_qty = max(trade.max_qty, abs(after))
            continue

        closing = min(abs(before), qty)
        remainder = qty - closing
        trade.exit_qty += closing
        trade.exit_notional += closing * fill.price
        if not remainder:
            trade.fees += fill.fee
            if not after:
                trades.append(trade.to_trade(symbol, realized_now, fill.ts))
                del current[symbol]
            continue

        # The fill flips the position: close this trade, open the opposite one.
        closing_fee, opening_fee = split_fee(fill.fee, remainder, qty)
        trade.fees += closing_fee
        trades.append(trade.to_trade(symbol, realized_now, fill.ts))
        del current[symbol]
        opening[symbol] = _Opening(fill, remainder, opening_fee, after, realized_now)

    for symbol, first in opening.items():
        current[symbol] = first.accumulators()
    if trail is not None and next(trail, None) is not None:
        raise ValueError("realized has more values than there are fills")
    for symbol, trade in current.items():
        final = positions[symbol].realized_pnl if trail is None else pnl[symbol]
        trades.append(trade.to_trade(symbol, final, None))
    # One symbol: its trades sort by entry_ts alone, a cheaper key.
    trades.sort(key=_BY_ENTRY if len(positions or held) > 1 else _ENTRY_TS)
    return trades


_BUY = OrderSide.BUY
# A Trade made from its fields' tuple at once (what its constructor does, without a call).
_new_trade = tuple.__new__
# Trades sort by (entry_ts, symbol).
_BY_ENTRY = itemgetter(3, 0)
_ENTRY_TS = itemgetter(3)
