"""Enumerations of the trading domain (string-valued, so they serialise as-is)."""

from __future__ import annotations

from enum import StrEnum


class OrderSide(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell: the direction a fill moves the position."""
        return 1 if self is OrderSide.BUY else -1


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"


class OrderStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"


class LiquiditySide(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


class AssetClass(StrEnum):
    EQUITY = "equity"
    FX = "fx"
    CRYPTO = "crypto"


class AccountType(StrEnum):
    CASH = "cash"
    MARGIN = "margin"


class RejectReason(StrEnum):
    INSUFFICIENT_BUYING_POWER = "insufficient_buying_power"
    SHORT_NOT_ALLOWED = "short_not_allowed"
    UNKNOWN_SYMBOL = "unknown_symbol"
    INVALID_ORDER = "invalid_order"
