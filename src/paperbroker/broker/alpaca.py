"""Alpaca's Trading API as a :class:`~paperbroker.broker.adapter.BrokerAdapter`.

REST over one synchronous :class:`httpx.Client` with explicit timeouts, so a
call's outcome is always one of three (see ``docs/live.md``, "Brokers"):

- the broker answered: the answer, or :class:`~.adapter.BrokerRefused` for a
  4xx (its status and message);
- the request never left (no connection could be made, or none was free in
  the pool): :class:`~.adapter.BrokerNotSent`, safe to send again;
- it may have arrived (a read or write timeout, a dropped connection, a 5xx,
  a 429): :class:`~.adapter.BrokerUnavailable`, the outcome is unknown: ask
  the broker by ``client_order_id``, never send it again blindly.

The ``trade_updates`` stream is :mod:`.alpaca_stream`. Endpoints:
``paper`` (``https://paper-api.alpaca.markets``), ``live``
(``https://api.alpaca.markets``, real money) or any ``base_url`` (a
paperbroker server in tests, which speaks the same API).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

import httpx

from paperbroker.broker import alpaca_json as js
from paperbroker.broker.adapter import (
    BrokerAccount,
    BrokerFill,
    BrokerNotSent,
    BrokerOrder,
    BrokerPosition,
    BrokerRefused,
    BrokerUnavailable,
    OrderRequest,
    TradeUpdate,
)
from paperbroker.broker.alpaca_stream import follow_trade_updates, stream_url
from paperbroker.core.errors import InvalidRequest

ENDPOINTS: Final = {
    "paper": "https://paper-api.alpaca.markets",
    "live": "https://api.alpaca.markets",
}
#: Orders per page of ``GET /v2/orders`` (Alpaca's most).
ORDERS_PAGE: Final = 500
#: Activities per page of ``GET /v2/account/activities/FILL`` (Alpaca's most).
ACTIVITIES_PAGE: Final = 100
#: Pages read at most by one listing (a guard against a broker that pages forever).
MAX_PAGES: Final = 1000


def _number(value: Decimal | None) -> str | None:
    # 2.0000 is sent as 2: the broker checks a price's increment, not its digits.
    return None if value is None else format(value.normalize(), "f")


class AlpacaBroker:
    """One Alpaca account (``key_id``/``secret_key``) at ``endpoint`` or ``base_url``.

    ``connect_timeout`` bounds making a connection (nothing was sent if it
    runs out); ``read_timeout`` bounds each wait for the broker after that
    (the outcome is unknown if it runs out).

    Raises:
        InvalidRequest: for an unknown endpoint, or ``custom`` without a ``base_url``.
    """

    def __init__(
        self,
        key_id: str,
        secret_key: str,
        *,
        endpoint: str = "paper",
        base_url: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        if base_url is None:
            if endpoint not in ENDPOINTS:
                raise InvalidRequest(f"unknown Alpaca endpoint {endpoint!r}: paper, live or custom")
            base_url = ENDPOINTS[endpoint]
        self.base_url = base_url.rstrip("/")
        self.real_money = endpoint == "live" and base_url == ENDPOINTS["live"]
        self.name = f"alpaca-{endpoint}"
        self._key = (key_id, secret_key)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret_key},
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout,
                pool=connect_timeout,
            ),
        )  # fmt: skip

    # -- orders -------------------------------------------------------------------
    def submit(self, request: OrderRequest) -> BrokerOrder:
        body = {
            "symbol": request.symbol,
            "side": request.side,
            "type": request.order_type,
            "time_in_force": request.time_in_force,
            "client_order_id": request.client_order_id,
            "qty": _number(request.qty),
            "notional": _number(request.notional),
            "limit_price": _number(request.limit_price),
            "stop_price": _number(request.stop_price),
            "trail_price": _number(request.trail_price),
            "trail_percent": _number(request.trail_percent),
        }
        sent = {k: v for k, v in body.items() if v is not None}
        return js.order_of(self._json("POST", "/v2/orders", json=sent))

    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None:
        try:
            data = self._json(
                "GET", "/v2/orders:by_client_order_id", params={"client_order_id": client_order_id}
            )
        except BrokerRefused as error:
            if error.status == 404:
                return None
            raise
        return js.order_of(data)

    def cancel(self, broker_order_id: str) -> None:
        self._call("DELETE", f"/v2/orders/{broker_order_id}")

    def replace(
        self,
        broker_order_id: str,
        *,
        qty: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
        time_in_force: str | None = None,
        client_order_id: str | None = None,
    ) -> BrokerOrder:
        body = {
            "qty": _number(qty),
            "limit_price": _number(limit_price),
            "stop_price": _number(stop_price),
            "time_in_force": time_in_force,
            "client_order_id": client_order_id,
        }
        sent = {k: v for k, v in body.items() if v is not None}
        return js.order_of(self._json("PATCH", f"/v2/orders/{broker_order_id}", json=sent))

    def orders(self, *, after_ns: int | None = None, open_only: bool = False) -> list[BrokerOrder]:
        """Orders submitted after ``after_ns`` (all: every status), oldest first, every page."""
        found: dict[str, BrokerOrder] = {}
        after = after_ns
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {
                "status": "open" if open_only else "all",
                "direction": "asc",
                "limit": ORDERS_PAGE,
                "nested": "false",
            }
            if after is not None:
                params["after"] = js.time_text(after)
            page = [js.order_of(o) for o in self._list("GET", "/v2/orders", params)]
            new = [o for o in page if o.id not in found]
            for order in new:
                found[order.id] = order
            if len(page) < ORDERS_PAGE or not new:
                break
            # Times are to the microsecond: the next page starts at the last one's, again.
            after = max(o.submitted_at for o in page) - 1_000
        return list(found.values())  # the broker's order: oldest first

    def fills(self, *, after_ns: int | None = None) -> list[BrokerFill]:
        """``FILL`` activities after ``after_ns``, oldest first, every page."""
        found: dict[str, BrokerFill] = {}
        token: str | None = None
        for _page in range(MAX_PAGES):
            params: dict[str, Any] = {"direction": "asc", "page_size": ACTIVITIES_PAGE}
            if after_ns is not None:
                params["after"] = js.time_text(after_ns)
            if token is not None:
                params["page_token"] = token
            raw = self._list("GET", "/v2/account/activities/FILL", params)
            for item in raw:
                if item.get("activity_type", "FILL") == "FILL":
                    fill = js.activity_fill(item)
                    found.setdefault(fill.id, fill)
            if len(raw) < ACTIVITIES_PAGE:
                break
            token = str(raw[-1]["id"])
        return list(found.values())

    def positions(self) -> list[BrokerPosition]:
        return [js.position_of(p) for p in self._list("GET", "/v2/positions", {})]

    def account(self) -> BrokerAccount:
        return js.account_of(self._json("GET", "/v2/account"))

    # -- the stream ------------------------------------------------------------------
    def stream(
        self,
        on_update: Callable[[TradeUpdate], None],
        on_connect: Callable[[], None],
        stop: threading.Event,
    ) -> None:
        """Follow ``trade_updates`` until ``stop`` (see :mod:`.alpaca_stream`)."""
        follow_trade_updates(
            stream_url(self.base_url), self._key, on_update, on_connect, stop,
            open_timeout=self.connect_timeout,
        )  # fmt: skip

    def close(self) -> None:
        self._client.close()

    # -- HTTP ------------------------------------------------------------------------
    def _list(self, method: str, path: str, params: Mapping[str, Any]) -> list[js.Json]:
        data = _decoded(self._call(method, path, params=params))
        if not isinstance(data, list):
            raise BrokerUnavailable(f"{method} {path}: the broker did not answer a list")
        return [item for item in data if isinstance(item, dict)]

    def _json(self, method: str, path: str, **kwargs: Any) -> js.Json:
        data = _decoded(self._call(method, path, **kwargs))
        if not isinstance(data, dict):
            raise BrokerUnavailable(f"{method} {path}: the broker did not answer an object")
        return data

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; its outcome as the module doc says."""
        try:
            response = self._client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise BrokerNotSent(f"{method} {path}: not sent: {error}") from error
        except httpx.TransportError as error:
            raise BrokerUnavailable(f"{method} {path}: no answer: {error!r}") from error
        status = response.status_code
        if status == 429 or status >= 500:
            raise BrokerUnavailable(f"{method} {path}: the broker answered {status}")
        if status >= 400:
            raise BrokerRefused(_message(response), status)  # the broker's own words
        return response


def _decoded(response: httpx.Response) -> object:
    try:
        data: object = response.json()
    except ValueError:
        text = response.text[:100]
        raise BrokerUnavailable(f"the broker's answer is not JSON: {text!r}") from None
    return data


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or str(response.status_code)
    if isinstance(data, dict) and "message" in data:
        return str(data["message"])[:300]
    return str(data)[:300]


__all__ = ["ENDPOINTS", "AlpacaBroker"]
