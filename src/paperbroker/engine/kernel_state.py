"""How a kernel is written into a checkpoint, and read back: its orders, accounts and
the rest (:func:`kernel_to_state`, :func:`kernel_from_state`).

An order is its history: it is rebuilt from its ``OrderSubmitted`` event by
applying the events that followed, exactly as the kernel moved it, so its
status, fills and prices cannot come back different. The checkpoint keeps
each event once, in the kernel's history (the session's events but the bars
and clock moves, which the bars and the clock themselves hold), and an
order names its events by their place there. What is not an event (the
exit legs' ids, a trailing stop's high-water mark and stop price) is written
beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from paperbroker.core.ids import AccountId
from paperbroker.core.snapshot import CheckpointMismatch, NotSnapshottable
from paperbroker.engine.indicator_state import indicators_from_state, indicators_to_state
from paperbroker.engine.live_feed import LiveFeed
from paperbroker.model.account import Account, AccountConfig, AccountRules
from paperbroker.model.codec import decode_event, encode_event
from paperbroker.model.enums import AccountType
from paperbroker.model.events import (
    AdvanceRequested,
    BarReceived,
    Event,
    OrderEvent,
    OrderSubmitted,
)
from paperbroker.model.order import Order
from paperbroker.strategy.base import checkpoint_exact

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel

#: Events a checkpoint does not keep: the bars (the feed holds them) and clock moves.
UNKEPT = (BarReceived, AdvanceRequested)


def kept(events: Sequence[Event]) -> list[Event]:
    """The events a checkpoint keeps as the kernel's history, in order."""
    return [e for e in events if not isinstance(e, UNKEPT)]


def orders_to_state(orders: dict[str, Order], history: Sequence[Event]) -> list[dict[str, Any]]:
    """Every order, oldest first, as the places of its events in ``history``.

    Raises:
        NotSnapshottable: if an order holds an event the history does not.
    """
    place = {id(event): i for i, event in enumerate(history)}
    written = []
    for order in orders.values():
        try:
            events = [place[id(e)] for e in order.events]
        except KeyError:
            raise NotSnapshottable(f"order {order.id} holds an event out of the history") from None
        written.append(
            {
                "events": events,
                "legs": list(order.legs),
                "hwm": None if order.hwm is None else str(order.hwm),
                "stop": None if order.stop_price is None else str(order.stop_price),
            }
        )
    return written


def orders_from_state(state: list[dict[str, Any]], history: Sequence[Event]) -> dict[str, Order]:
    """The orders :func:`orders_to_state` wrote, rebuilt from their events.

    Raises:
        CheckpointMismatch: if an order's events do not start with its submission.
    """
    orders: dict[str, Order] = {}
    for item in state:
        events = [history[i] for i in item["events"]]
        submitted = events[0]
        if not isinstance(submitted, OrderSubmitted):
            raise CheckpointMismatch("an order's history does not start with its submission")
        order = Order(submitted)
        for event in events[1:]:
            assert isinstance(event, OrderEvent)
            order.apply(event)
        order.legs = tuple(item["legs"])
        order.hwm = None if item["hwm"] is None else Decimal(item["hwm"])
        # A trailing stop's price moves with the market (the venue sets it), not by events.
        order.stop_price = None if item["stop"] is None else Decimal(item["stop"])
        orders[order.id] = order
    return orders


def account_to_state(account: Account) -> dict[str, Any]:
    """An account's id, opening cash, settings and rules (its books are the portfolio's)."""
    config = account.config
    return {
        "id": account.id,
        "initial_cash": str(account.initial_cash),
        "currency": account.currency,
        "type": config.account_type.value,
        "leverage": str(config.leverage),
        "intraday_leverage": None
        if config.intraday_leverage is None
        else str(config.intraday_leverage),
        "rules": {f.name: _plain(getattr(account.rules, f.name)) for f in fields(AccountRules)},
    }


def account_from_state(state: dict[str, Any]) -> Account:
    """The account :func:`account_to_state` wrote (cash as it opened: the books set it)."""
    intraday = state["intraday_leverage"]
    config = AccountConfig(
        AccountType(state["type"]),
        Decimal(state["leverage"]),
        None if intraday is None else Decimal(intraday),
    )
    account = Account(
        AccountId(state["id"]), Decimal(state["initial_cash"]), config, state["currency"]
    )
    account.rules = AccountRules(**state["rules"])
    return account


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def kernel_to_state(kernel: Kernel) -> dict[str, Any]:
    """Everything the kernel holds, as JSON, for a session's checkpoint: the clock,
    the ids, where the feed is (and a live feed's bars), the history (but bars and
    clock moves), the orders, the accounts and their books, the venue, the links,
    the risk layer, the strategy's own state (``Strategy.on_save``) and its
    indicators (:mod:`~paperbroker.engine.indicator_state`).

    Raises:
        NotSnapshottable: for a venue that cannot write its state, or a strategy
            that keeps state it does not save (``Strategy.keeps_no_state``).
    """
    venue_state = getattr(kernel.venue, "to_state", None)
    if venue_state is None:
        raise NotSnapshottable(f"the venue {type(kernel.venue).__name__} keeps no checkpoint")
    feed = kernel.feed
    history = kept(kernel.events)
    return {
        "clock": kernel.clock.now_ns(),
        "ids": kernel.ids.to_state(),
        "cursor": kernel._cursor,
        "seen": list(kernel._seen),
        "bars": len(feed),
        "feed": feed.to_state() if isinstance(feed, LiveFeed) else None,
        "history": [list(encode_event(e)) for e in history],
        "orders": orders_to_state(kernel.orders, history),
        "client_ids": sorted([a, c] for a, c in kernel._client_ids),
        "accounts": [
            {"account": account_to_state(books.account), "books": books.to_state()}
            for books in kernel.portfolios.values()
        ],
        "venue": venue_state(),
        "links": kernel._links.to_state(),
        "risk": kernel.risk.to_state(),
        "strategy": _strategy_state(kernel),
        "indicators": indicators_to_state(kernel._indicators),
    }


def _strategy_state(kernel: Kernel) -> dict[str, Any] | None:
    strategy = kernel.strategy
    if strategy is None:
        return None
    if not checkpoint_exact(strategy):
        raise NotSnapshottable(f"the strategy {type(strategy).__name__} does not save its state")
    return strategy.on_save()


def kernel_from_state(kernel: Kernel, state: dict[str, Any]) -> None:
    """Take the state :func:`kernel_to_state` wrote, into a kernel built as the session's was
    (its feed's history re-derived from the data) that has published nothing since.

    Raises:
        CheckpointMismatch: if the state does not fit this kernel's data.
    """
    feed = kernel.feed
    if isinstance(feed, LiveFeed):
        feed.from_state(state["feed"])
    if len(feed) < int(state["bars"]) or len(state["seen"]) != len(kernel.instruments):
        raise CheckpointMismatch("the session's bars differ from the checkpoint's")
    kernel.clock._ns = int(state["clock"])
    kernel.ids.from_state(state["ids"])
    kernel._cursor = int(state["cursor"])
    kernel._seen = [int(row) for row in state["seen"]]
    kernel._prices = [(-1, -1, None) for _ in kernel.instruments]
    history = [decode_event(str(k), int(v), str(p)) for k, v, p in state["history"]]
    kernel.events[:] = history
    kernel.orders.clear()
    kernel.orders.update(orders_from_state(state["orders"], history))
    kernel._client_ids = {(a, c) for a, c in state["client_ids"]}
    for index, item in enumerate(state["accounts"]):
        account = account_from_state(item["account"])
        if index == 0:
            books = kernel.portfolio
            if books.account.id != account.id:
                raise CheckpointMismatch("the default account differs from the checkpoint's")
            books.account.rules = account.rules
        else:
            books = kernel.accounts.restore(account)
        books.from_state(item["books"])
    restore_venue = getattr(kernel.venue, "from_state", None)
    if restore_venue is None:
        raise CheckpointMismatch(f"the venue {type(kernel.venue).__name__} takes no checkpoint")
    restore_venue(state["venue"], kernel.orders)
    kernel._links.from_state(state["links"])
    kernel.risk.from_state(state["risk"])
    if kernel.strategy is not None:
        kernel.start()
        if state["strategy"] is None:
            raise CheckpointMismatch("the checkpoint has no state of the strategy")
        kernel.strategy.on_load(state["strategy"])
    indicators_from_state(kernel._indicators, state["indicators"], kernel._seen)
