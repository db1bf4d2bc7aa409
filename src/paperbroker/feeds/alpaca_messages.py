"""Alpaca's market-data stream, one message at a time: frames in, verdicts out.

The stream (``wss://stream.data.alpaca.markets/v2/{feed}``) sends JSON arrays
of items, each tagged by ``T``: control items (``success``, ``subscription``,
``error``) and market data (``b`` for a minute bar, ``t`` trades, ``q``
quotes, ...). A bar's ``t`` is the minute it *starts*; paperbroker stamps a
bar at its close, one minute later. Everything here is pure: it parses and
judges, and :class:`~paperbroker.feeds.alpaca.AlpacaBarFeed` decides what to do.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Mapping
from datetime import datetime
from typing import ClassVar

from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.data.bar import Bar

#: Refusals another attempt cannot cure: they need a human (keys, plan, symbols,
#: or the other client that holds the account's one connection).
FATAL_CODES: Mapping[int, str] = {
    400: "invalid syntax",
    401: "not authenticated",
    402: "auth failed",
    405: "symbol limit exceeded",
    406: "connection limit exceeded",
    409: "insufficient subscription",
}
#: Market data the feed does not ask for but may see (Alpaca's buffers lag a
#: change of subscription): ignored, not counted as bad.
OTHER_DATA = frozenset({"t", "q", "u", "d", "s", "l", "c", "x", "i", "n", "o"})

Item = Mapping[str, object]

_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")


class Rejected(ValueError):
    """Something the stream sent that the feed skips; ``counter`` names the
    :attr:`~paperbroker.feeds.base.FeedHealth.extra` count it goes to."""

    counter: ClassVar[str] = "rejected"
    #: Whether it happens in normal operation (logged at DEBUG, not WARNING).
    expected: ClassVar[bool] = False


class BadMessage(Rejected):
    """A frame or item that does not fit the protocol."""

    counter = "bad_messages"


class InvalidBar(Rejected):
    """A well-formed bar whose values cannot be a bar."""

    counter = "invalid_bars"


class DuplicateBar(Rejected):
    """A bar closing at or before its symbol's last one (Alpaca may send a bar
    again after a reconnect)."""

    counter = "duplicate_bars"
    expected = True


class LateBar(Rejected):
    """A bar closing before the last batch handed out: too late to join it."""

    counter = "late_bars"


class AlpacaStreamRefused(OperationalError):
    """Alpaca refused the stream in a way that retrying cannot fix (see
    :data:`FATAL_CODES`); the message says which refusal and what to check."""

    def __init__(self, code: int, message: str, url: str) -> None:
        self.refusal_code = code
        hint = {
            401: "the feed sent data requests before authenticating",
            402: "check the key id and secret key",
            405: "subscribe to fewer symbols",
            406: "another client holds the account's one market-data connection",
            409: "the account's data plan does not include this feed (try iex)",
        }.get(code, "see Alpaca's market-data stream documentation")
        super().__init__(f"Alpaca refused the bar stream at {url}: {message} ({code}); {hint}")


def stream_url(url: str) -> str:
    """``url`` if it can be the stream's address.

    Raises:
        InvalidRequest: for anything but a ``ws://`` or ``wss://`` URL with a
            host, or one with a user or password in it (the keys go in the
            auth message, and a URL is logged).
    """
    try:
        parsed = parse_uri(url)
    except (InvalidURI, ValueError):
        raise InvalidRequest(f"an alpaca feed needs a ws:// or wss:// URL, got {url!r}") from None
    if parsed.user_info is not None:
        raise InvalidRequest("an alpaca feed's URL must not hold credentials")
    return url


def auth_message(key_id: str, secret_key: str) -> str:
    """The frame that authenticates the connection (never to be logged)."""
    return json.dumps({"action": "auth", "key": key_id, "secret": secret_key})


def subscribe_message(symbols: list[str]) -> str:
    """The frame that asks for the minute bars of ``symbols``."""
    return json.dumps({"action": "subscribe", "bars": symbols})


def parse_frame(data: str | bytes) -> list[object]:
    """The items of one frame (each still to be read by :func:`read_item`).

    Raises:
        BadMessage: for a binary frame (the feed speaks JSON), text that is not
            JSON, or JSON that is not an array.
    """
    if isinstance(data, bytes):
        raise BadMessage("a binary frame (the feed asked for JSON)")
    try:
        items = json.loads(data)
    except ValueError:
        raise BadMessage("a frame that is not JSON") from None
    if not isinstance(items, list):
        raise BadMessage("a frame that is not a JSON array")
    return items


def read_item(item: object) -> tuple[str, Item]:
    """``(T, item)`` of one item of a frame.

    Raises:
        BadMessage: for an item that is not an object with a string ``T``.
    """
    if isinstance(item, dict):
        kind = item.get("T")
        if isinstance(kind, str):
            return kind, item
    raise BadMessage("an item that is not an object with a type")


def error_of(item: Item) -> tuple[int, str]:
    """``(code, message)`` of an ``error`` item (code 0 when it has none)."""
    code, message = item.get("code"), item.get("msg")
    return (
        code if isinstance(code, int) and not isinstance(code, bool) else 0,
        message if isinstance(message, str) else "no message",
    )


def bar_from_item(item: Item, symbols: Container[str]) -> Bar:
    """The bar of a ``b`` item, stamped at its close (start + 1 minute).

    Raises:
        BadMessage: for a missing or mistyped field, or an unreadable time.
        InvalidBar: for a symbol not subscribed, a price that is not positive
            and finite, a high or low that does not bound the open and close,
            or a volume that is negative or not finite.
    """
    symbol = item.get("S")
    if not isinstance(symbol, str):
        raise BadMessage("a bar without a symbol")
    start_ns = parse_time(item.get("t"))
    o, h, low, c, v = (_number(item, field) for field in ("o", "h", "l", "c", "v"))
    if symbol not in symbols:
        raise InvalidBar(f"a bar of {symbol!r}, which the feed did not subscribe to")
    if not all(math.isfinite(p) and p > 0 for p in (o, h, low, c)):
        raise InvalidBar(f"{symbol}: a price is not positive and finite")
    if h < max(o, c) or low > min(o, c):
        raise InvalidBar(f"{symbol}: the high and low do not bound the open and close")
    if not (math.isfinite(v) and v >= 0):
        raise InvalidBar(f"{symbol}: the volume is negative or not finite")
    return Bar(symbol, start_ns + NANOS_PER_MINUTE, o, h, low, c, v)


def parse_time(value: object) -> int:
    """Epoch ns of an RFC 3339 time such as ``2021-02-22T15:51:00Z`` (to the ns).

    Raises:
        BadMessage: for anything else.
    """
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadMessage(f"an unreadable bar time {value!r}")
    whole, fraction, zone = match.groups()
    try:
        moment = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        raise BadMessage(f"an impossible bar time {value!r}") from None
    return datetime_to_ns(moment) + int((fraction or "0").ljust(9, "0"))


def _number(item: Item, field: str) -> float:
    value = item.get(field)
    # bool is an int to Python, never a price to Alpaca.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadMessage(f"a bar whose {field!r} is not a number")
    try:
        return float(value)
    except OverflowError:  # an integer beyond any float
        raise BadMessage(f"a bar whose {field!r} is out of range") from None
