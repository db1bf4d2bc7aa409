"""What the long-only built-ins share: the allocation parameter, sizing, entries and exits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from paperbroker.model.enums import OrderSide
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.model.values import to_decimal
from paperbroker.strategy.base import Strategy


def allocation_field() -> Any:
    """The ``allocation`` parameter every long-only built-in takes (a fresh field each time)."""
    return Field(
        None,
        gt=0,
        le=1,
        description="share of equity per entry (default: split equally across symbols)",
    )


def buffer_field() -> Any:
    """The ``buffer`` parameter of the built-ins that size entries (a fresh field each time)."""
    return Field(
        0.0,
        ge=0,
        lt=1,
        description="share of equity kept free when sizing an entry (LEAN keeps 0.0025)",
    )


def entry_qty(
    strategy: Strategy, symbol: str, price: float, share: Decimal, buffer: Decimal
) -> Decimal:
    """What an entry of ``share`` of the equity buys at ``price``: capped by the cash, with
    commission, keeping ``buffer`` of the equity free (``share`` 1: all the cash).

    The built-in strategies size their entries with it at the signal bar's
    close (``price``) and let the fill trim them: the market order fills at
    the next bar's open, and in a cash account an open above that close fills
    only what the cash covers then (with ``fill_timing`` ``signal_close`` it
    fills at the sizing close itself, untrimmed).
    """
    ctx = strategy.ctx
    budget: Decimal = ctx.cash if share == 1 else min(ctx.cash, ctx.equity * share)
    return ctx.affordable_qty(symbol, price=price, budget=budget, buffer=buffer)


class LongOnly(Strategy):
    """A strategy that is either flat or long each symbol, sized by an allocation.

    Subclasses call :meth:`setup_sizing` in ``on_start`` and then :meth:`enter`
    and :meth:`leave`, which keep at most one order working per symbol: an
    entry is taken only when flat with nothing working, and an exit cancels a
    working entry and is not sent twice.
    """

    def setup_sizing(self, allocation: float | None, buffer: float = 0.0) -> None:
        """Hold live positions, the share of equity each entry may spend and the share of
        equity every entry keeps free (``buffer``)."""
        ctx = self.ctx
        # Positions are live objects: holding them saves a lookup on every bar.
        self.positions: dict[str, Position] = {s: ctx.position(s) for s in ctx.symbols}
        share = allocation if allocation is not None else 1 / len(ctx.symbols)
        self._share = to_decimal(share)
        self._buffer = to_decimal(buffer)

    def enter(self, symbol: str, price: float) -> Order | None:
        """Buy as much as the allocation affords at ``price`` (a market order), if flat and idle.

        ``price`` is the signal bar's close; the order fills at the next bar's
        open (or, with ``fill_timing`` ``signal_close``, at that close), where a
        cash account fills only what its cash covers then.
        """
        ctx = self.ctx
        if self.positions[symbol].qty or ctx.open_orders(symbol):
            return None
        qty = entry_qty(self, symbol, price, self._share, self._buffer)
        if qty <= 0:
            return None
        return ctx.buy(symbol, qty)

    def leave(self, symbol: str) -> Order | None:
        """Sell the whole position at market, unless a sell is already working."""
        ctx = self.ctx
        working = ctx.open_orders(symbol)
        if any(order.side is OrderSide.SELL for order in working):
            return None  # already on the way out: a second sell would go short
        for order in working:  # an entry still filling: stop it growing the position
            ctx.cancel(order)
        return ctx.close_position(symbol)
