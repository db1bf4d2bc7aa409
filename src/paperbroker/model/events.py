"""Immutable domain events, past tense, each stamped with the kernel clock.

Events are the journal of a session: every state change is one of them, and
state (orders, positions, cash) is what you get by applying them in order.
``ts`` is the kernel time (epoch ns) at which the event happened.

Events are named tuples: immutable, cheap to create on the order path, and
trivially serialisable (``event._asdict()``).  Equality also compares the
event type, so two different events with equal fields are never equal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from paperbroker.core.ids import AccountId, ClientOrderId, OrderId
from paperbroker.model.enums import (
    AccountType,
    CheckTiming,
    ConfirmEmail,
    OrderClass,
    OrderSide,
    OrderType,
    RejectReason,
    TimeInForce,
)
from paperbroker.model.fill import Fill, typed_equality


class OrderSubmitted(NamedTuple):
    """A strategy or client asked for an order; it now exists with status ``new``.

    A notional order has ``qty`` 0 and ``notional`` set: the venue sizes it
    when it first trades (:class:`OrderSized`).  A bracket or OTO entry
    carries its exits' prices (``take_profit``, ``stop_loss``,
    ``stop_loss_limit``); its legs follow as orders of their own with
    ``parent_id`` set.  An OCO carries its stop-loss the same way.
    ``replaces`` names the order a replacement takes the place of.
    """

    ts: int
    order_id: OrderId
    client_order_id: ClientOrderId
    account_id: AccountId
    symbol: str
    side: OrderSide
    order_type: OrderType
    qty: Decimal
    time_in_force: TimeInForce
    limit_price: Decimal | None
    stop_price: Decimal | None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    notional: Decimal | None = None
    order_class: OrderClass = OrderClass.SIMPLE
    parent_id: OrderId | None = None
    replaces: OrderId | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop_loss_limit: Decimal | None = None


class OrderAccepted(NamedTuple):
    """The venue took the order; it is working."""

    ts: int
    order_id: OrderId


class OrderRejected(NamedTuple):
    """The venue or a pre-trade check refused the order."""

    ts: int
    order_id: OrderId
    reason: RejectReason
    message: str


class OrderDenied(NamedTuple):
    """The session's risk layer refused the order: ``rule`` (``limits.max_order_qty``,
    ``hours.blackouts``, ``breakers.daily_loss``, ...) allows ``limit`` and the order
    would have made it ``value``.  The order is ``rejected`` with reason ``risk_denied``."""

    ts: int
    order_id: OrderId
    rule: str
    limit: str
    value: str
    message: str


class OrderFilled(NamedTuple):
    """Part or all of an order executed; ``fill`` holds every detail."""

    ts: int
    order_id: OrderId
    fill: Fill


class OrderCanceled(NamedTuple):
    """The order (or its unfilled remainder) was canceled."""

    ts: int
    order_id: OrderId
    reason: str


class OrderExpired(NamedTuple):
    """The order's time in force ran out with quantity unfilled."""

    ts: int
    order_id: OrderId


class CancelRequested(NamedTuple):
    """A client asked to cancel an order; it is ``pending_cancel`` until the venue answers."""

    ts: int
    order_id: OrderId


class ReplaceRequested(NamedTuple):
    """A replacement (``replacement_id``) is on its way; the order is ``pending_replace``."""

    ts: int
    order_id: OrderId
    replacement_id: OrderId


class OrderReplaced(NamedTuple):
    """The venue swapped the order for its replacement; the order is ``replaced``."""

    ts: int
    order_id: OrderId
    replaced_by: OrderId


class OrderReleased(NamedTuple):
    """A held exit leg starts working, for ``qty`` (what its entry filled)."""

    ts: int
    order_id: OrderId
    qty: Decimal


class OrderSized(NamedTuple):
    """A notional order was sized at the price it first met: it now works for ``qty``."""

    ts: int
    order_id: OrderId
    qty: Decimal
    price: Decimal


class AdvanceRequested(NamedTuple):
    """The clock was asked to move to ``until``; the events it causes follow."""

    ts: int
    until: int


class AccountOpened(NamedTuple):
    """A trading account was opened in the session with its starting cash."""

    ts: int
    account_id: AccountId
    initial_cash: Decimal
    account_type: AccountType
    leverage: Decimal
    intraday_leverage: Decimal | None = None


class AccountConfigured(NamedTuple):
    """An account's rules were set (Alpaca's account configurations): all of them,
    as they stand from now on.  The fields are those of
    :class:`~paperbroker.model.account.AccountRules`."""

    ts: int
    account_id: AccountId
    dtbp_check: CheckTiming
    fractional_trading: bool
    max_margin_multiplier: Decimal
    no_shorting: bool
    pdt_check: CheckTiming
    suspend_trade: bool
    trade_confirm_email: ConfirmEmail
    ptp_no_exception_entry: bool
    max_options_trading_level: int | None


class AgentCommanded(NamedTuple):
    """A client started or stopped one agent of the session's pipeline, changed its
    configuration (``changes``: the changed fields as canonical JSON) or reset its metrics."""

    ts: int
    agent: str
    action: str
    changes: str = "{}"


class RiskCommanded(NamedTuple):
    """A client changed the session's risk or used an emergency control: ``action``
    (``configure``, ``override``, ``clear_override``, ``reset_breaker``, ``cancel_all``,
    ``close_all``, ``kill``, ``reduce``, ``tighten_stops``) with ``params`` (canonical
    JSON), ``by`` whom (a key id) and why.  What it caused follows it."""

    ts: int
    action: str
    params: str = "{}"
    by: str = ""
    reason: str = ""


class BreakerTripped(NamedTuple):
    """A circuit breaker tripped: ``breaker`` (``daily_loss``, ``max_drawdown_pct``, ...)
    saw ``value`` against its ``limit``.  New entries are denied until it is reset."""

    ts: int
    breaker: str
    value: str
    limit: str
    message: str


class RiskAdjusted(NamedTuple):
    """The risk layer changed something by itself: ``what`` (``override_expired``,
    ``scale_up``, ``scale_down``, ``safeguard``, ``max_holding``) to ``value``."""

    ts: int
    what: str
    value: str
    message: str


class NewsPosted(NamedTuple):
    """A client posted a headline to the session (``symbols`` comma-separated)."""

    ts: int
    symbols: str
    headline: str
    source: str = ""


class BarReceived(NamedTuple):
    """A paper or live session's feed delivered a bar that closed at ``ts``.

    Prices are the bar's floats written exactly (``Decimal(repr(price))``), so
    the replay rebuilds the very same bar."""

    ts: int
    symbol: str
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class SessionStateChanged(NamedTuple):
    """The session moved in its lifecycle (``session.lifecycle``): ``trigger`` took it
    to ``state``; ``reason`` says why when the session did it itself."""

    ts: int
    state: str
    trigger: str
    reason: str = ""


class BrokerReported(NamedTuple):
    """What a live session's broker said of one of its orders: an input, journaled
    before its effects (the order's own events), and applied again by a replay.

    ``update`` is ``accepted``, ``fill``, ``canceled``, ``expired``, ``rejected``
    or ``replaced`` (``broker_order_id`` then names the replacement at the
    broker). A ``fill`` carries the broker's execution id (``fill_id``: fills
    are applied once, keyed by it), its ``qty``, ``price``, ``fee`` and the
    broker's time (``filled_at``). ``ts`` is when the session heard of it.
    """

    ts: int
    order_id: OrderId
    update: str
    broker_order_id: str = ""
    fill_id: str = ""
    qty: Decimal | None = None
    price: Decimal | None = None
    fee: Decimal | None = None
    filled_at: int = 0
    reason: str = ""


class ReconciliationApplied(NamedTuple):
    """A reconciliation brought a live session's books in line with its broker's.

    ``differences`` is the run's JSON array of differences (kind, symbol,
    local, broker); ``adjustments`` the JSON object applied to the default
    account: ``{"positions": {symbol: {"qty", "avg_entry_price"}}, "cash"}``
    (a position or cash absent from it is unchanged). ``run_id`` names the run
    in the reconciliation record; ``by`` who approved it (empty: the policy).
    """

    ts: int
    run_id: str
    differences: str
    adjustments: str
    by: str = ""


OrderEvent = (
    OrderSubmitted
    | OrderAccepted
    | OrderRejected
    | OrderDenied
    | OrderFilled
    | OrderCanceled
    | OrderExpired
    | CancelRequested
    | ReplaceRequested
    | OrderReplaced
    | OrderReleased
    | OrderSized
)
#: Every event the kernel emits (more kinds join as sessions and agents arrive).
Event = (
    OrderEvent
    | AccountOpened
    | AccountConfigured
    | AdvanceRequested
    | AgentCommanded
    | NewsPosted
    | SessionStateChanged
    | BarReceived
    | RiskCommanded
    | BreakerTripped
    | RiskAdjusted
    | BrokerReported
    | ReconciliationApplied
)

#: Every event type, in the order the docs list them.
EVENT_TYPES: tuple[type[Event], ...] = (
    OrderSubmitted,
    OrderAccepted,
    OrderRejected,
    OrderFilled,
    OrderCanceled,
    OrderExpired,
    AccountOpened,
    CancelRequested,
    AdvanceRequested,
    ReplaceRequested,
    OrderReplaced,
    OrderReleased,
    OrderSized,
    AccountConfigured,
    AgentCommanded,
    NewsPosted,
    SessionStateChanged,
    BarReceived,
    OrderDenied,
    RiskCommanded,
    BreakerTripped,
    RiskAdjusted,
    BrokerReported,
    ReconciliationApplied,
)

for _event_type in EVENT_TYPES:
    typed_equality(_event_type)
