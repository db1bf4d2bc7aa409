"""How the API writes values: decimals, prices, times, ids.

Every decimal quantity (money, prices, quantities) is a decimal string, as
Alpaca's are (``"100000"``, ``"10"``, ``"412.5"``); times are RFC 3339 in UTC
with a ``Z`` and as many fractional digits as they need (none, on a whole
second).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, TypedDict

from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.model.enums import OrderStatus
from paperbroker.model.events import (
    OrderCanceled,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from paperbroker.model.order import Order

#: Decimal places an average price keeps (fills at different prices divide without end).
_AVERAGE_PLACES: Final = 9
_AVERAGE_STEP: Final = Decimal(1).scaleb(-_AVERAGE_PLACES)


def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string, without exponent or negative zero: ``1E+2`` → ``"100"``."""
    if not value:
        return "0"
    return format(value, "f")


def text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def average_text(value: Decimal) -> str:
    """An average price: exact up to nine decimal places, rounded half-even beyond."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_AVERAGE_PLACES:
        value = value.quantize(_AVERAGE_STEP).normalize()
    return decimal_text(value)


def time_text(ts_ns: int) -> str:
    """Epoch nanoseconds as RFC 3339 UTC with ``Z``: ``2012-01-03T14:30:00Z``."""
    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    text = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


class OrderTimes(TypedDict):
    """The time fields of an order, as Alpaca names them (RFC 3339 or ``None``)."""

    created_at: str
    updated_at: str
    submitted_at: str
    filled_at: str | None
    canceled_at: str | None
    expired_at: str | None
    failed_at: str | None
    replaced_at: str | None


def order_times(order: Order) -> OrderTimes:
    """An order's Alpaca time fields: when it was created, last changed, and last
    filled (once filled), canceled, expired, rejected (``failed_at``) and replaced."""

    def last(kind: type) -> str | None:
        ts = next((e.ts for e in reversed(order.events) if isinstance(e, kind)), None)
        return None if ts is None else time_text(ts)

    return OrderTimes(
        created_at=time_text(order.ts_created),
        updated_at=time_text(order.ts_updated),
        submitted_at=time_text(order.ts_created),
        filled_at=last(OrderFilled) if order.status is OrderStatus.FILLED else None,
        canceled_at=last(OrderCanceled),
        expired_at=last(OrderExpired),
        failed_at=last(OrderRejected) or last(OrderDenied),
        replaced_at=last(OrderReplaced),
    )


def canonical_uuid(text: str) -> str | None:
    """``text`` as a canonical lower-case UUID, or ``None`` if it is not one."""
    if len(text) > 45:  # the longest form uuid.UUID reads: urn:uuid:{…}
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None
