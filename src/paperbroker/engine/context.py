"""What a strategy sees of the kernel: orders, positions, cash, history, indicators."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict, Unpack

import numpy as np
import numpy.typing as npt

from paperbroker.core.clock import ns_to_datetime
from paperbroker.engine.order_entry import OrderTerms, PriceLike
from paperbroker.model.enums import OrderSide, TimeInForce
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.model.values import to_decimal
from paperbroker.strategy.indicators import Series

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel

__all__ = ["BarHistory", "OrderOptions", "PriceLike", "SentimentSource", "StrategyContext"]

_BUY = OrderSide.BUY
_SELL = OrderSide.SELL
#: The terms of an order a strategy gives only a symbol, a side and a quantity, as
#: :class:`OrderTerms` defaults them (built without its constructor's call).
_TERMS_DEFAULTS = tuple(OrderTerms._field_defaults[f] for f in OrderTerms._fields[3:])
_tuple_new: Callable[..., Any] = tuple.__new__

#: Answers with the latest sentiment score published for a symbol, or ``None``.
SentimentSource = Callable[[str], float | None]


class BarHistory(NamedTuple):
    """Read-only NumPy views of one symbol's bars up to and including the current one."""

    ts: npt.NDArray[np.int64]
    open: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    volume: npt.NDArray[np.float64]


class OrderOptions(TypedDict, total=False):
    """Optional fields of a strategy's order (those of
    :class:`~paperbroker.engine.order_entry.OrderTerms` a strategy sets).

    ``limit``/``stop`` choose the type (none: market, ``limit``: limit, ``stop``:
    stop, both: stop-limit); ``tif`` is ``day`` (default), ``gtc``, ``ioc`` or
    ``fok``; ``client_order_id`` must be unique in the session.
    """

    limit: PriceLike | None
    stop: PriceLike | None
    tif: TimeInForce | str
    client_order_id: str | None


class StrategyContext:
    """The strategy's handle on its session.

    Orders: :meth:`buy`, :meth:`sell`, :meth:`cancel`, :meth:`close_position`.
    The order type follows from the prices given: none is a market order,
    ``limit`` a limit, ``stop`` a stop, both a stop-limit.  Malformed orders
    (unknown symbol, quantity off the lot grid, price off the tick grid) raise
    :class:`~paperbroker.core.errors.InvalidRequest`; orders the account cannot
    carry are *rejected* (an ``OrderRejected`` event, ``on_order`` is called), and so
    are orders the session's risk rules deny (an ``OrderDenied`` event).  Under
    position scaling (``risk.scaling``) an order that opens or grows a position is
    sent for its quantity times the multiplier (see :mod:`paperbroker.risk.scaling`).
    """

    __slots__ = ("_kernel", "_positions", "_sentiment_source")

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self._sentiment_source: SentimentSource | None = None
        # The default account's positions, one for every symbol traded: the books
        # keep this dict (and its positions) for their whole life.
        self._positions = kernel.accounts.default.positions

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._kernel.feed.symbols)

    @property
    def now_ns(self) -> int:
        return self._kernel.clock.now_ns()

    @property
    def now(self) -> datetime:
        return ns_to_datetime(self._kernel.clock.now_ns())

    # -- account ------------------------------------------------------------
    @property
    def cash(self) -> Decimal:
        return self._kernel.portfolio.account.cash

    @property
    def equity(self) -> Decimal:
        return self._kernel.portfolio.equity

    @property
    def buying_power(self) -> Decimal:
        return self._kernel.portfolio.buying_power

    def position(self, symbol: str) -> Position:
        """The position in ``symbol`` (``qty == 0`` when flat).

        Raises:
            InvalidRequest: if ``symbol`` is not traded in this session.
        """
        try:
            return self._positions[symbol]
        except KeyError:
            pass  # another spelling of a symbol, or an unknown one: the kernel says which
        return self._kernel.position(symbol)

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return self._kernel.open_orders(symbol)

    def affordable_qty(
        self,
        symbol: str,
        price: PriceLike | None = None,
        budget: PriceLike | None = None,
        buffer: PriceLike = 0,
    ) -> Decimal:
        """The largest quantity whose cost plus commission fits the budget.

        ``price`` defaults to the last close; ``budget`` to the buying power.
        ``buffer`` is a fraction of the equity kept free (LEAN's ``SetHoldings``
        keeps 0.0025): the cost also fits the buying power less ``buffer ×
        equity``, so an order sized on a close still fits if the price it fills
        at is a little higher.  Default 0: the whole budget.

        Raises:
            InvalidRequest: for an unknown symbol, or a buffer outside [0, 1).
        """
        return self._kernel.affordable_qty(symbol, price, budget, buffer)

    # -- orders -------------------------------------------------------------
    def buy(self, symbol: str, qty: PriceLike, **options: Unpack[OrderOptions]) -> Order:
        """Submit a buy order; returns it (check ``order.status`` for a rejection)."""
        kernel = self._kernel
        size = self._scaled(symbol, _BUY, qty) if kernel.risk.scaler.enabled else qty
        if options:
            return kernel.submit(OrderTerms(symbol, _BUY, size, **options))
        return kernel.submit(_tuple_new(OrderTerms, (symbol, _BUY, size, *_TERMS_DEFAULTS)))

    def sell(self, symbol: str, qty: PriceLike, **options: Unpack[OrderOptions]) -> Order:
        """Submit a sell order (a short sale if it exceeds the position)."""
        kernel = self._kernel
        size = self._scaled(symbol, _SELL, qty) if kernel.risk.scaler.enabled else qty
        if options:
            return kernel.submit(OrderTerms(symbol, _SELL, size, **options))
        return kernel.submit(_tuple_new(OrderTerms, (symbol, _SELL, size, *_TERMS_DEFAULTS)))

    def _scaled(self, symbol: str, side: OrderSide, qty: PriceLike) -> PriceLike:
        """``qty`` under the risk layer's position scaling (itself when scaling is off)."""
        risk = self._kernel.risk
        if not risk.scaler.enabled:
            return qty
        return risk.scaled(symbol, side, to_decimal(qty, field="qty"))

    def close_position(self, symbol: str) -> Order | None:
        """Flatten ``symbol`` with a market order (through :meth:`buy`/:meth:`sell`);
        ``None`` if already flat."""
        qty = self.position(symbol).qty
        if not qty:
            return None
        return self.sell(symbol, qty) if qty > 0 else self.buy(symbol, -qty)

    def cancel(self, order: Order | str) -> bool:
        """Cancel a working order; ``False`` if it is no longer working."""
        return self._kernel.cancel_order(order if isinstance(order, str) else order.id)

    # -- data ---------------------------------------------------------------
    def indicator(
        self,
        symbol: str,
        fn: Callable[..., Any],
        *args: Any,
        source: str = "close",
        **kwargs: Any,
    ) -> Series:
        """Register ``fn(history[source], *args, **kwargs)`` and return its growing series.

        Raises:
            InvalidRequest: for an unknown symbol or source column, or a result
                that is not one value per bar.
            LookAheadError: if ``fn`` uses prices after the bar it values.
        """
        return self._kernel.register_indicator(symbol, fn, args, kwargs, source)

    def history(self, symbol: str, length: int | None = None) -> BarHistory:
        """The last ``length`` bars of ``symbol`` up to now (all of them if ``None``)."""
        return self._kernel.history(symbol, length)

    # -- sentiment ------------------------------------------------------------
    def set_sentiment_source(self, source: SentimentSource | None) -> None:
        """Serve :meth:`sentiment` from ``source(symbol)``; ``None`` removes the source.

        The source must answer with scores already published at the kernel's
        current time (the context cannot tell): a backtest that reads a later
        score looks ahead.
        """
        self._sentiment_source = source

    def sentiment(self, symbol: str) -> float | None:
        """The latest sentiment score published for ``symbol`` (in [-1, 1] on the bus).

        ``None`` when no source is set, the source has no score for the symbol
        yet, or its score is not a finite number.
        """
        source = self._sentiment_source
        if source is None:
            return None
        score = source(symbol)
        if score is None:
            return None
        value = float(score)
        return value if math.isfinite(value) else None
