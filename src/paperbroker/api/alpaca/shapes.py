"""Alpaca's JSON objects, field for field as ``alpaca-py``'s models read them.

Money, prices and quantities are decimal strings; times RFC 3339 UTC; ids
UUIDs; enum values exactly Alpaca's. paperbroker's own order statuses map
one to one, except that a working order (``accepted`` here) is Alpaca's
``new`` and an order not yet checked (``new`` here) Alpaca's ``pending_new``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Final

from pydantic import Field

from paperbroker.api.formats import decimal_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.shared_fields import order_fields, position_fields
from paperbroker.model.enums import AssetClass, OrderStatus
from paperbroker.model.order import Order
from paperbroker.services.views import OrderView, PositionView
from paperbroker.session.market import Asset

#: Namespace of the asset ids: ``uuid5(ASSET_NAMESPACE, symbol)``, the same on every server.
ASSET_NAMESPACE: Final = uuid.UUID("6f1d3f0e-5b7a-4f4e-9a51-8d1f0c2b7a10")
#: Alpaca's asset classes for paperbroker's; FX has none, so FX symbols are not listed.
ASSET_CLASSES: Final = {AssetClass.EQUITY: "us_equity", AssetClass.CRYPTO: "crypto"}
#: The exchanges ``alpaca-py`` knows; any other is reported as ``""``.
KNOWN_EXCHANGES: Final = frozenset(
    {"AMEX", "ARCA", "BATS", "NYSE", "NASDAQ", "NYSEARCA", "OTC", "CRYPTO"}
)
_STATUS: Final = {
    OrderStatus.NEW: "pending_new",
    OrderStatus.ACCEPTED: "new",
}


def asset_id(symbol: str) -> str:
    """The stable UUID of ``symbol``'s asset."""
    return str(uuid.uuid5(ASSET_NAMESPACE, symbol))


def alpaca_status(status: OrderStatus) -> str:
    """Alpaca's name of an order status."""
    return _STATUS.get(status, status.value)


def asset_class_of(asset_class: AssetClass) -> str:
    """Alpaca's asset class (``us_equity`` for anything without one of its own)."""
    return ASSET_CLASSES.get(asset_class, "us_equity")


def exchange_of(exchange: str) -> str:
    return exchange if exchange in KNOWN_EXCHANGES else ""


class AlpacaOrder(ResponseModel):
    """An order (``alpaca.trading.models.Order``).

    The fields /v1 writes too come from :func:`~paperbroker.api.shared_fields.order_fields`;
    what is Alpaca's own: the key order (``alpaca-py``'s), the status names (a
    working order is ``new``, one not yet checked ``pending_new``), the
    ``asset_id`` and ``asset_class``, and fields paperbroker has no value for
    (``position_intent``, ``expires_at``, ``source``, ``subtag``: null).
    /v1's ``account_id`` and ``reject_message`` are not Alpaca's and left out.
    """

    id: str
    client_order_id: str
    created_at: str
    updated_at: str
    submitted_at: str
    filled_at: str | None
    expired_at: str | None
    canceled_at: str | None
    failed_at: str | None
    replaced_at: str | None
    replaced_by: str | None
    replaces: str | None
    asset_id: str
    symbol: str
    asset_class: str
    notional: str | None
    qty: str | None
    filled_qty: str
    filled_avg_price: str | None
    order_class: str
    order_type: str
    type: str
    side: str
    position_intent: str | None = None
    time_in_force: str
    limit_price: str | None
    stop_price: str | None
    status: str
    extended_hours: bool
    legs: list[AlpacaOrder] | None
    trail_percent: str | None
    trail_price: str | None
    hwm: str | None
    expires_at: str | None = None
    source: str | None = None
    subtag: str | None = None
    #: paperbroker's own: why a rejected order was rejected.
    reject_reason: str | None = Field(default=None, description="paperbroker: why it was rejected.")

    @classmethod
    def of(cls, order: Order, legs: tuple[Order, ...] | None = None) -> AlpacaOrder:
        return cls(
            **order_fields(order),
            asset_id=asset_id(order.symbol),
            asset_class="us_equity",
            status=alpaca_status(order.status),
            legs=None if legs is None else [cls.of(leg) for leg in legs],
        )

    @classmethod
    def of_view(cls, view: OrderView) -> AlpacaOrder:
        return cls.of(view.order, view.legs)


class AlpacaPosition(ResponseModel):
    """A position (``alpaca.trading.models.Position``); ``qty`` is negative when short.

    The fields /v1 writes too come from
    :func:`~paperbroker.api.shared_fields.position_fields`; the unrealized P/L
    is Alpaca's ``unrealized_pl`` (``unrealized_pnl`` in /v1), and the asset,
    what open orders leave available and the day's figures are Alpaca's own.
    """

    asset_id: str
    symbol: str
    exchange: str
    asset_class: str
    asset_marginable: bool
    avg_entry_price: str
    qty: str
    qty_available: str
    side: str
    market_value: str
    cost_basis: str
    unrealized_pl: str
    unrealized_plpc: str | None
    unrealized_intraday_pl: str
    unrealized_intraday_plpc: str | None
    current_price: str
    lastday_price: str
    change_today: str | None

    @classmethod
    def of(
        cls,
        view: PositionView,
        asset: Asset | None,
        available: Decimal,
        lastday_price: Decimal,
    ) -> AlpacaPosition:
        """``available`` is what open orders do not already hold; ``lastday_price`` the
        last close before the session's current day (for the intraday figures)."""
        qty, price = view.qty, view.current_price
        basis = abs(view.cost_basis)
        intraday = (price - lastday_price) * qty
        lastday_value = abs(lastday_price * qty)
        return cls(
            **position_fields(view),
            asset_id=asset_id(view.symbol),
            exchange="" if asset is None else exchange_of(asset.exchange),
            asset_class="us_equity" if asset is None else asset_class_of(asset.asset_class),
            asset_marginable=True,
            qty_available=decimal_text(available),
            unrealized_pl=decimal_text(view.unrealized_pnl),
            unrealized_plpc=_ratio(view.unrealized_pnl, basis),
            unrealized_intraday_pl=decimal_text(intraday),
            unrealized_intraday_plpc=_ratio(intraday, lastday_value),
            lastday_price=decimal_text(lastday_price),
            change_today=_ratio(price - lastday_price, lastday_price),
        )


def _ratio(numerator: Decimal, denominator: Decimal) -> str | None:
    """``numerator / denominator`` to 10 significant places, ``None`` over zero."""
    if not denominator:
        return None
    return decimal_text((numerator / denominator).quantize(Decimal("1e-10")).normalize())


class AlpacaAsset(ResponseModel):
    """An asset (``alpaca.trading.models.Asset``); ``class`` is the JSON key of its class."""

    id: str
    class_: str = Field(serialization_alias="class")
    exchange: str
    symbol: str
    name: str
    status: str
    tradable: bool
    marginable: bool
    shortable: bool
    easy_to_borrow: bool
    fractionable: bool
    maintenance_margin_requirement: float | None = None
    min_order_size: str | None = None
    min_trade_increment: str | None = None
    price_increment: str | None = None
    attributes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, asset: Asset) -> AlpacaAsset:
        return cls(
            id=asset_id(asset.symbol),
            class_=asset_class_of(asset.asset_class),
            exchange=exchange_of(asset.exchange),
            symbol=asset.symbol,
            name=asset.symbol,
            status="active",
            tradable=True,
            marginable=True,
            shortable=asset.shortable,
            easy_to_borrow=asset.shortable,
            fractionable=asset.fractionable,
            attributes=["fractional_eh_enabled"] if asset.fractionable else [],
        )
