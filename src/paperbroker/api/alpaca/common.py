"""What the Alpaca routes share: id and symbol lookups, refusals as errors.

Query values are read by the types of :mod:`paperbroker.api.params`.
"""

from __future__ import annotations

import re
from typing import Final
from zoneinfo import ZoneInfo

from paperbroker.api.alpaca.shapes import asset_id
from paperbroker.api.errors import ApiError, refusal_details
from paperbroker.api.formats import canonical_uuid
from paperbroker.api.schemas import SYMBOL_PATTERN
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.model.enums import OrderStatus, RejectReason
from paperbroker.services.views import OrderView
from paperbroker.session.market import Asset, MarketData

NEW_YORK: Final = ZoneInfo("America/New_York")
#: Alpaca's code for a malformed id in a path (``order_id is invalid``).
INVALID_ID_CODE: Final = 40010001
_SYMBOL: Final = re.compile(SYMBOL_PATTERN)
#: Refusals that Alpaca answers 403 (the account may not), the rest are 422.
_FORBIDDEN: Final = frozenset(
    {
        RejectReason.INSUFFICIENT_BUYING_POWER,
        RejectReason.INSUFFICIENT_QTY,
        RejectReason.SHORT_NOT_ALLOWED,
        RejectReason.TRADING_SUSPENDED,
        RejectReason.RISK_DENIED,
    }
)


def order_id_or_422(text: str) -> str:
    """``text`` as a canonical order id; a malformed one is Alpaca's 422 ``40010001``."""
    canonical = canonical_uuid(text)
    if canonical is None:
        raise ApiError(422, f"order_id {text[:64]!r} is not a UUID", code=INVALID_ID_CODE)
    return canonical


def find_asset(market: MarketData, symbol_or_id: str) -> Asset:
    """The asset named by a symbol (any case) or by its asset id.

    Raises:
        NotFound: ``asset not found for X`` when there is none.
    """
    assets = market.assets()
    canonical = canonical_uuid(symbol_or_id)
    for asset in assets:
        if asset.symbol == symbol_or_id.upper() or asset_id(asset.symbol) == canonical:
            return asset
    raise NotFound(f"asset not found for {symbol_or_id[:64]}")


def order_symbol(market: MarketData, symbol_or_id: str) -> str:
    """The symbol an order names by symbol or by asset id.

    Raises:
        InvalidRequest: for an asset id of no asset, or text that is neither.
    """
    if canonical_uuid(symbol_or_id) is not None:
        try:
            return find_asset(market, symbol_or_id).symbol
        except NotFound as error:
            raise InvalidRequest(f"symbol: {error}") from None
    if not _SYMBOL.fullmatch(symbol_or_id):
        raise InvalidRequest(f"symbol: {symbol_or_id[:64]!r} is not a symbol or an asset id")
    return symbol_or_id.upper()  # as Alpaca's API does


def accepted(view: OrderView) -> OrderView:
    """``view``, unless its order was rejected: then Alpaca's 403 or 422.

    A 403 (``40310000``) for insufficient buying power, a short the account
    may not make, an account whose trading is suspended, or an order the
    session's risk layer denied (``risk_denied``, with the ``rule``, its
    ``limit`` and the order's ``value``), a 422 (``42210000``) for any other
    refusal. The body names the rejected order (``order_id``,
    ``reject_reason``), which stays in the account's history.
    """
    order = view.order
    if order.status is not OrderStatus.REJECTED:
        return view
    reason = order.reject_reason or RejectReason.INVALID_ORDER
    details = refusal_details(order)
    status = 403 if reason in _FORBIDDEN else 422
    raise ApiError(status, order.reject_message or str(reason), details=details)
