"""Order entry: turn what a client asked for into a valid order, or say exactly why not.

An order's terms as asked travel as one :class:`OrderTerms`, from a
strategy's ``ctx.buy``, a session's API request or a journal's
``OrderSubmitted`` to the kernel's order desk; :func:`check_terms` turns
them into :class:`CheckedTerms` (prices and quantities on their grids, the
type known).  Malformed requests raise :class:`InvalidRequest` and leave no
trace; a request that is well formed but that the account or the market
refuses becomes an order with an ``OrderRejected`` event, one the session's
risk rules refuse an order with an ``OrderDenied`` event (see the kernel).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypedDict, TypeVar

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import OrderClass, OrderSide, OrderType, TimeInForce
from paperbroker.model.instrument import Instrument
from paperbroker.model.values import CENT, ZERO, to_decimal
from paperbroker.venue.working import FRACTION_STEP

if TYPE_CHECKING:
    from paperbroker.model.events import OrderSubmitted

PriceLike = Decimal | int | float | str

_IMMEDIATE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})
_AUCTION: Final = frozenset({TimeInForce.OPG, TimeInForce.CLS})
_MARKET_OR_LIMIT: Final = frozenset({OrderType.MARKET, OrderType.LIMIT})
_RESTING: Final = frozenset({TimeInForce.DAY, TimeInForce.GTC})
_DAY: Final = TimeInForce.DAY
_SIMPLE: Final = OrderClass.SIMPLE
_MARKET: Final = OrderType.MARKET


class OrderTerms(NamedTuple):
    """An order's terms as a client asks for them (checked by :func:`check_terms`).

    Immutable, and a named tuple rather than a frozen dataclass: one is built
    for every order a strategy sends, so it must cost next to nothing.

    The prices choose the type: none is a market order, ``limit`` a limit,
    ``stop`` a stop, both a stop-limit, ``trail_price``/``trail_percent`` a
    trailing stop.  Exactly one of ``qty`` and ``notional`` (that much
    money's worth).  ``order_class`` ``bracket``/``oto`` adds exit legs at
    ``take_profit`` (a limit) and ``stop_loss`` (a stop, or a stop-limit with
    ``stop_loss_limit``); ``oco`` makes a limit order and a stop-loss cancel
    each other.  ``client_order_id`` must be unique in its account.
    """

    symbol: str
    side: OrderSide
    qty: PriceLike | None = None
    limit: PriceLike | None = None
    stop: PriceLike | None = None
    tif: TimeInForce | str = TimeInForce.DAY
    client_order_id: str | None = None
    trail_price: PriceLike | None = None
    trail_percent: PriceLike | None = None
    notional: PriceLike | None = None
    order_class: OrderClass | str = OrderClass.SIMPLE
    take_profit: PriceLike | None = None
    stop_loss: PriceLike | None = None
    stop_loss_limit: PriceLike | None = None

    @classmethod
    def of(cls, event: OrderSubmitted) -> OrderTerms:
        """The terms a journaled ``OrderSubmitted`` was asked with (to run it again)."""
        return cls(
            event.symbol, event.side, None if event.notional is not None else event.qty,
            limit=event.limit_price, stop=event.stop_price, tif=event.time_in_force,
            client_order_id=event.client_order_id, trail_price=event.trail_price,
            trail_percent=event.trail_percent, notional=event.notional,
            order_class=event.order_class, take_profit=event.take_profit,
            stop_loss=event.stop_loss, stop_loss_limit=event.stop_loss_limit,
        )  # fmt: skip


class TermOptions(TypedDict, total=False):
    """The terms of :class:`OrderTerms` after ``symbol``, ``side`` and ``qty``, as keyword
    arguments (``kernel.submit_order(symbol, side, qty, **options)``)."""

    limit: PriceLike | None
    stop: PriceLike | None
    tif: TimeInForce | str
    client_order_id: str | None
    trail_price: PriceLike | None
    trail_percent: PriceLike | None
    notional: PriceLike | None
    order_class: OrderClass | str
    take_profit: PriceLike | None
    stop_loss: PriceLike | None
    stop_loss_limit: PriceLike | None


class CheckedTerms(NamedTuple):
    """Checked terms: every field of ``OrderSubmitted`` but the order's identity.

    Immutable; a named tuple, as :class:`OrderTerms` is, because every order
    builds one.
    """

    symbol: str
    side: OrderSide
    order_type: OrderType
    qty: Decimal
    time_in_force: TimeInForce
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    notional: Decimal | None = None
    order_class: OrderClass = OrderClass.SIMPLE
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop_loss_limit: Decimal | None = None

    @property
    def is_fractional(self) -> bool:
        return self.notional is not None or bool(self.qty % 1)


#: The fields of :class:`CheckedTerms` after ``time_in_force``, as it defaults them.
_CHECKED_DEFAULTS: Final = tuple(CheckedTerms._field_defaults[f] for f in CheckedTerms._fields[5:])
#: A named tuple from a tuple of all its fields, without the call to the generated
#: constructor (which sorts out defaults and keywords).
_tuple_new: Final[Callable[..., Any]] = tuple.__new__


def check_terms(
    terms: OrderTerms, instrument: Instrument, *, fractional: bool = True
) -> CheckedTerms:
    """Check an order's terms against its instrument's grids and the order rules.

    ``fractional`` ``False`` is an account that trades no fractions
    (``fractional_trading`` off): its fractional quantities and notional
    orders are let through here, whatever else makes a fractional order
    invalid, because the account's rules refuse them all with one reason,
    ``fractional_not_allowed`` (:func:`~paperbroker.engine.pretrade.rules_refusal`).

    Raises:
        InvalidRequest: naming the first field that is wrong.
    """
    symbol = instrument.symbol
    tif, order_class = terms.tif, terms.order_class
    if (
        tif is _DAY
        and order_class is _SIMPLE
        and terms.limit is None
        and terms.stop is None
        and terms.trail_price is None
        and terms.trail_percent is None
        and terms.notional is None
        and terms.take_profit is None
        and terms.stop_loss is None
        and terms.stop_loss_limit is None
    ):
        # A plain day market order, what most strategies send: only its quantity
        # has anything to check (the rules below cannot refuse the rest).
        quantity, _ = _quantity(terms.qty, None, instrument, _MARKET, _DAY, fractional)
        checked: CheckedTerms = _tuple_new(
            CheckedTerms, (symbol, terms.side, _MARKET, quantity, _DAY, *_CHECKED_DEFAULTS)
        )
        return checked
    time_in_force = tif if type(tif) is TimeInForce else _enum(TimeInForce, tif, "time in force")
    klass = (
        order_class
        if type(order_class) is OrderClass
        else _enum(OrderClass, order_class, "order class")
    )
    limit_price = _grid_price(terms.limit, "limit price", instrument)
    stop_price = _grid_price(terms.stop, "stop price", instrument)
    trail_amount = _grid_price(terms.trail_price, "trail price", instrument)
    trail_pct = _positive(terms.trail_percent, "trail percent")
    if trail_pct is not None and trail_pct >= 100:
        raise InvalidRequest(f"trail percent must be below 100, got {trail_pct}")
    order_type = _order_type(limit_price, stop_price, trail_amount, trail_pct)
    quantity, notional_value = _quantity(
        terms.qty, terms.notional, instrument, order_type, time_in_force, fractional
    )
    if time_in_force in _IMMEDIATE and order_type not in _MARKET_OR_LIMIT:
        raise InvalidRequest(f"{time_in_force} is only for market and limit orders")
    if time_in_force in _AUCTION:
        if order_type not in _MARKET_OR_LIMIT:
            raise InvalidRequest(f"{time_in_force} is only for market and limit orders")
        if instrument.hours.is_24h:
            raise InvalidRequest(
                f"{symbol} trades around the clock: it has no auction for {time_in_force}"
            )
    if order_type is OrderType.TRAILING_STOP and time_in_force not in _RESTING:
        raise InvalidRequest("a trailing stop must be day or gtc")
    checked = CheckedTerms(
        symbol, terms.side, order_type, quantity, time_in_force, limit_price, stop_price,
        trail_amount, trail_pct, notional_value, klass,
    )  # fmt: skip
    take_profit, stop_loss, stop_loss_limit = (
        terms.take_profit, terms.stop_loss, terms.stop_loss_limit
    )  # fmt: skip
    if klass is OrderClass.SIMPLE:
        if take_profit is not None or stop_loss is not None or stop_loss_limit is not None:
            raise InvalidRequest("take_profit and stop_loss belong to bracket, oco and oto orders")
        return checked
    return _with_exits(checked, instrument, take_profit, stop_loss, stop_loss_limit)


def _with_exits(
    terms: CheckedTerms,
    instrument: Instrument,
    take_profit: PriceLike | None,
    stop_loss: PriceLike | None,
    stop_loss_limit: PriceLike | None,
) -> CheckedTerms:
    klass = terms.order_class
    profit = _grid_price(take_profit, "take_profit limit price", instrument)
    loss = _grid_price(stop_loss, "stop_loss stop price", instrument)
    loss_limit = _grid_price(stop_loss_limit, "stop_loss limit price", instrument)
    if loss_limit is not None and loss is None:
        raise InvalidRequest("stop_loss needs a stop price")
    if terms.notional is not None:
        raise InvalidRequest(f"a {klass} order needs a qty, not a notional")
    if terms.time_in_force not in _RESTING:
        raise InvalidRequest(f"a {klass} order must be day or gtc")
    if terms.order_type is OrderType.TRAILING_STOP:
        raise InvalidRequest(f"a {klass} order cannot be a trailing stop")
    if klass is OrderClass.BRACKET and (profit is None or loss is None):
        raise InvalidRequest("a bracket order needs both take_profit and stop_loss")
    if klass is OrderClass.OTO and (profit is None) == (loss is None):
        raise InvalidRequest("an oto order needs exactly one of take_profit and stop_loss")
    if klass is OrderClass.OCO:
        if terms.order_type is not OrderType.LIMIT:
            raise InvalidRequest("an oco order is a limit order (its take-profit) with a stop_loss")
        if loss is None:
            raise InvalidRequest("an oco order needs a stop_loss")
        if profit is not None and profit != terms.limit_price:
            raise InvalidRequest("an oco order's take_profit is its own limit price")
        profit = terms.limit_price
    # The exits close what the entry opens: for a long entry, profit above loss.
    is_buy_entry = terms.side is OrderSide.BUY if klass is not OrderClass.OCO else None
    if profit is not None and loss is not None:
        long_exits = is_buy_entry if is_buy_entry is not None else terms.side is OrderSide.SELL
        if long_exits and profit <= loss:
            raise InvalidRequest(f"take_profit {profit} must be above stop_loss {loss}")
        if not long_exits and profit >= loss:
            raise InvalidRequest(f"take_profit {profit} must be below stop_loss {loss}")
    if loss is not None and loss_limit is not None:
        # The stop-loss sells (or buys back): its limit must not be better than its stop.
        sells = terms.side is (OrderSide.SELL if klass is OrderClass.OCO else OrderSide.BUY)
        if (sells and loss_limit > loss) or (not sells and loss_limit < loss):
            raise InvalidRequest("stop_loss limit price must not be better than its stop price")
    return CheckedTerms(
        terms.symbol, terms.side, terms.order_type, terms.qty, terms.time_in_force,
        terms.limit_price, terms.stop_price, None, None, None, klass, profit, loss, loss_limit,
    )  # fmt: skip


def exit_legs(terms: CheckedTerms) -> list[CheckedTerms]:
    """The exit legs an order class adds to its entry (OCO: the stop-loss only)."""
    if terms.order_class is OrderClass.SIMPLE:
        return []
    oco = terms.order_class is OrderClass.OCO
    side = terms.side if oco else _opposite(terms.side)
    legs = []
    if terms.take_profit is not None and not oco:
        legs.append(
            CheckedTerms(
                terms.symbol,
                side,
                OrderType.LIMIT,
                terms.qty,
                terms.time_in_force,
                limit_price=terms.take_profit,
                order_class=terms.order_class,
            )
        )
    if terms.stop_loss is not None:
        kind = OrderType.STOP if terms.stop_loss_limit is None else OrderType.STOP_LIMIT
        legs.append(
            CheckedTerms(
                terms.symbol,
                side,
                kind,
                terms.qty,
                terms.time_in_force,
                limit_price=terms.stop_loss_limit,
                stop_price=terms.stop_loss,
                order_class=terms.order_class,
            )
        )
    return legs


def _opposite(side: OrderSide) -> OrderSide:
    return OrderSide.SELL if side is OrderSide.BUY else OrderSide.BUY


def _quantity(
    qty: PriceLike | None,
    notional: PriceLike | None,
    instrument: Instrument,
    order_type: OrderType,
    tif: TimeInForce,
    fractional: bool,
) -> tuple[Decimal, Decimal | None]:
    if (qty is None) == (notional is None):
        raise InvalidRequest("give exactly one of qty and notional")
    if notional is not None:
        amount = _positive(notional, "notional")
        assert amount is not None
        if amount % CENT:
            raise InvalidRequest(f"notional {amount} has more than two decimal places")
        if fractional and (order_type is not OrderType.MARKET or tif is not TimeInForce.DAY):
            raise InvalidRequest("a notional order must be a day market order")
        return ZERO, amount.quantize(CENT)
    quantity = qty if type(qty) is Decimal else to_decimal(qty, field="qty")  # type: ignore[arg-type]
    if quantity <= ZERO:
        raise InvalidRequest(f"qty must be positive, got {quantity}")
    lot = instrument.lot_size
    if not quantity % lot:
        # One spelling per value ("10" and "10.0" are the same order, and digest alike).
        return quantity.quantize(lot), None
    if not fractional and quantity % 1:
        return quantity.normalize(), None  # the account's rules refuse it, for that reason
    if not instrument.fractionable or quantity % FRACTION_STEP:
        raise InvalidRequest(
            f"qty {quantity} is not a multiple of {instrument.symbol}'s lot size {lot}"
        )
    if order_type not in _MARKET_OR_LIMIT or tif is not TimeInForce.DAY:
        raise InvalidRequest("a fractional order must be a day market or limit order")
    return quantity.quantize(FRACTION_STEP).normalize(), None


def _order_type(
    limit: Decimal | None,
    stop: Decimal | None,
    trail_price: Decimal | None,
    trail_percent: Decimal | None,
) -> OrderType:
    if trail_price is not None or trail_percent is not None:
        if trail_price is not None and trail_percent is not None:
            raise InvalidRequest("give trail_price or trail_percent, not both")
        if limit is not None or stop is not None:
            raise InvalidRequest("a trailing stop takes no limit or stop price")
        return OrderType.TRAILING_STOP
    if limit is None:
        return OrderType.MARKET if stop is None else OrderType.STOP
    return OrderType.LIMIT if stop is None else OrderType.STOP_LIMIT


def _positive(value: PriceLike | None, field: str) -> Decimal | None:
    if value is None:
        return None
    number = value if type(value) is Decimal else to_decimal(value, field=field)
    if number <= ZERO:
        raise InvalidRequest(f"{field} must be positive, got {number}")
    return number


def _grid_price(value: PriceLike | None, field: str, instrument: Instrument) -> Decimal | None:
    price = _positive(value, field)
    if price is None:
        return None
    if price % instrument.tick_size:
        raise InvalidRequest(
            f"{field} {price} is not a multiple of {instrument.symbol}'s tick "
            f"{instrument.tick_size}"
        )
    return price.quantize(instrument.tick_size)


_E = TypeVar("_E", TimeInForce, OrderClass)


def _enum(kind: type[_E], value: str, what: str) -> _E:
    try:
        member: _E = kind(value)  # not returned directly: mypyc reads the call as Any
        return member
    except ValueError:
        choices = ", ".join(t.value for t in kind)
        raise InvalidRequest(f"{what} {value!r} is not one of {choices}") from None
