"""Alpaca's JSON objects read into the broker adapter's data classes, and times written back.

Quantities and prices arrive as decimal strings and stay
:class:`~decimal.Decimal`; times are RFC 3339 and become epoch ns. A fill's
id is its execution id: in a ``trade_updates`` message ``execution_id``, in a
``FILL`` activity the part of ``id`` after ``::`` (Alpaca's activity ids are
``<time>::<execution id>``), so the stream and the activities name a fill alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from paperbroker.broker.adapter import (
    BrokerAccount,
    BrokerFill,
    BrokerOrder,
    BrokerPosition,
    BrokerUnavailable,
    TradeUpdate,
)
from paperbroker.core.clock import datetime_to_ns

Json = dict[str, Any]


def decimal(value: object) -> Decimal | None:
    """A decimal string (or number) as a Decimal; ``None`` for null or empty."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise BrokerUnavailable(f"the broker sent {value!r} for a number") from None


def _required(value: object) -> Decimal:
    found = decimal(value)
    return Decimal(0) if found is None else found


def time_ns(value: object) -> int:
    """An RFC 3339 time as epoch ns (0 for null)."""
    if not isinstance(value, str) or not value:
        return 0
    text = value.replace("Z", "+00:00")
    # Python reads at most 6 fractional digits; Alpaca writes up to 9.
    head, dot, rest = text.partition(".")
    nanos = 0
    if dot:
        count = len(rest) - len(rest.lstrip("0123456789"))
        digits, zone = rest[:count], rest[count:]
        nanos = int(digits[:9].ljust(9, "0")) if digits else 0
        text = head + zone
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BrokerUnavailable(f"the broker sent {value!r} for a time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return datetime_to_ns(moment) + nanos


def time_text(ns: int) -> str:
    """Epoch ns as RFC 3339 UTC to the microsecond (Alpaca's query parameters)."""
    moment = datetime.fromtimestamp(ns // 1000 / 1_000_000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def order_of(data: Json) -> BrokerOrder:
    """An order object (``GET /v2/orders/{id}``)."""
    try:
        return BrokerOrder(
            id=str(data["id"]),
            client_order_id=str(data.get("client_order_id") or ""),
            symbol=str(data["symbol"]),
            side=str(data["side"]),
            order_type=str(data.get("order_type") or data.get("type") or ""),
            time_in_force=str(data.get("time_in_force") or ""),
            status=str(data["status"]),
            qty=decimal(data.get("qty")),
            filled_qty=_required(data.get("filled_qty")),
            filled_avg_price=decimal(data.get("filled_avg_price")),
            submitted_at=time_ns(data.get("submitted_at") or data.get("created_at")),
            limit_price=decimal(data.get("limit_price")),
            stop_price=decimal(data.get("stop_price")),
            replaced_by=data.get("replaced_by") or None,
        )
    except (KeyError, TypeError) as error:
        raise BrokerUnavailable(f"the broker sent an order without {error}") from None


def execution_id(activity_id: str) -> str:
    """The execution id in an activity id (``<time>::<execution id>``)."""
    return activity_id.rpartition("::")[2]


def activity_fill(data: Json) -> BrokerFill:
    """A ``FILL`` activity (``GET /v2/account/activities/FILL``)."""
    try:
        return BrokerFill(
            id=execution_id(str(data["id"])),
            order_id=str(data["order_id"]),
            client_order_id="",
            symbol=str(data["symbol"]),
            side=str(data["side"]),
            qty=_required(data["qty"]),
            price=_required(data["price"]),
            ts=time_ns(data.get("transaction_time")),
        )
    except (KeyError, TypeError) as error:
        raise BrokerUnavailable(f"the broker sent a fill without {error}") from None


def trade_update(data: Json) -> TradeUpdate:
    """A ``trade_updates`` message's ``data``."""
    order = order_of(data["order"])
    event = str(data.get("event") or "")
    fill = None
    if event in ("fill", "partial_fill") and data.get("execution_id"):
        fill = BrokerFill(
            id=str(data["execution_id"]),
            order_id=order.id,
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            qty=_required(data.get("qty")),
            price=_required(data.get("price")),
            ts=time_ns(data.get("timestamp")),
        )
    return TradeUpdate(event, order, fill, str(data.get("reason") or ""))


def position_of(data: Json) -> BrokerPosition:
    """A position object; ``qty`` is negative for a short, as Alpaca writes it."""
    qty = _required(data.get("qty"))
    if data.get("side") == "short" and qty > 0:
        qty = -qty
    return BrokerPosition(str(data["symbol"]), qty, _required(data.get("avg_entry_price")))


def account_of(data: Json) -> BrokerAccount:
    """The account object (``GET /v2/account``)."""
    return BrokerAccount(
        account_id=str(data.get("id") or ""),
        cash=_required(data.get("cash")),
        equity=_required(data.get("equity")),
        buying_power=_required(data.get("buying_power")),
        currency=str(data.get("currency") or "USD"),
    )
