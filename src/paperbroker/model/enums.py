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
    TRAILING_STOP = "trailing_stop"


class OrderClass(StrEnum):
    """How an order relates to others: alone, or one of a linked group."""

    SIMPLE = "simple"
    BRACKET = "bracket"  # an entry, then a take-profit and a stop-loss that cancel each other
    OCO = "oco"  # two exits: the first to fill cancels the other
    OTO = "oto"  # an entry, then one exit


class TimeInForce(StrEnum):
    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    OPG = "opg"  # the opening auction only
    CLS = "cls"  # the closing auction only


class OrderStatus(StrEnum):
    NEW = "new"
    HELD = "held"  # an exit leg waiting for its entry to fill
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    PENDING_CANCEL = "pending_cancel"  # a cancel is on its way to the venue
    PENDING_REPLACE = "pending_replace"  # a replacement is on its way to the venue
    REPLACED = "replaced"


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


class CheckTiming(StrEnum):
    """When a broker-side day-trading check runs: as a position opens, closes, or both."""

    ENTRY = "entry"
    EXIT = "exit"
    BOTH = "both"


class ConfirmEmail(StrEnum):
    """Which trade confirmation emails an account asks for."""

    ALL = "all"
    NONE = "none"


class RejectReason(StrEnum):
    INSUFFICIENT_BUYING_POWER = "insufficient_buying_power"
    INSUFFICIENT_QTY = "insufficient_qty"  # a sell of a long position beyond its qty_available
    SHORT_NOT_ALLOWED = "short_not_allowed"  # a cash account, an unshortable asset, or no_shorting
    UNKNOWN_SYMBOL = "unknown_symbol"
    INVALID_ORDER = "invalid_order"
    MARKET_CLOSED = "market_closed"  # no more data for the symbol, or no auction to join
    MARKET_OPEN = "market_open"  # an opening-auction order while the session is in progress
    TRADING_SUSPENDED = "trading_suspended"  # the account's suspend_trade rule
    FRACTIONAL_NOT_ALLOWED = "fractional_not_allowed"  # fractional_trading is off
    RISK_DENIED = "risk_denied"  # a pipeline's risk agent denied the order intent
    NOT_ROUTED = "not_routed"  # a pipeline had no running agent to pass the intent on
