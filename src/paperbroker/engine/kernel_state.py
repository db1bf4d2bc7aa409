"""How a kernel's orders and accounts are written into a checkpoint, and read back.

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
from typing import Any

from paperbroker.core.ids import AccountId
from paperbroker.core.snapshot import CheckpointMismatch, NotSnapshottable
from paperbroker.model.account import Account, AccountConfig, AccountRules
from paperbroker.model.enums import AccountType
from paperbroker.model.events import (
    AdvanceRequested,
    BarReceived,
    Event,
    OrderEvent,
    OrderSubmitted,
)
from paperbroker.model.order import Order

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
        order.legs = list(item["legs"])
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
