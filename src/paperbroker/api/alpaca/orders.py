"""Alpaca-compatible orders: ``/v2/orders``.

Orders fill as the session's clock passes over the bars, by the session's
execution models; never at submission. A refused order is an error (403 or
422, see :func:`~paperbroker.api.alpaca.holdings.accepted_order`) although it stays,
``rejected``, in the account's history.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import Field

from paperbroker.api.alpaca.common import (
    order_id_or_422,
    order_symbol,
)
from paperbroker.api.alpaca.holdings import accepted_order
from paperbroker.api.alpaca.shapes import AlpacaOrder
from paperbroker.api.alpaca.target import Target, Trading
from paperbroker.api.contract import answers
from paperbroker.api.errors import ApiError, error_code
from paperbroker.api.params import SymbolsFilterQuery, TimeOrDateQuery, symbol_names
from paperbroker.api.routes import ORDER_REFUSALS, order_answers
from paperbroker.api.schemas import OrderCreate, OrderReplace, PrintableText
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.services.views import OrderView

router = APIRouter(prefix="/v2/orders", tags=["alpaca"])

MAX_LIMIT = 500
#: Alpaca answers a change to a finished order with a 422, not a 409.
NOT_WORKING = "an order no longer working (filled, canceled, ...), or in a finished session"
PositionIntent = Literal["buy_to_open", "buy_to_close", "sell_to_open", "sell_to_close"]


class AlpacaOrderCreate(OrderCreate):
    """Body of ``POST /v2/orders``: paperbroker's order fields plus Alpaca's bookkeeping ones.

    ``position_intent``, ``subtag`` and ``source`` are accepted and not used;
    ``symbol`` may also be an asset id.
    """

    symbol: str = Field(min_length=1, max_length=64, examples=["AAPL"])
    position_intent: PositionIntent | None = None
    subtag: PrintableText | None = Field(default=None, max_length=64)
    source: PrintableText | None = Field(default=None, max_length=64)


def _view(target: Target, order_id: str) -> OrderView:
    return target.service.order(target.owner, target.session_id, target.account_id, order_id)


@router.post("", summary="Submit an order", responses=ORDER_REFUSALS)
def submit_order(body: AlpacaOrderCreate, target: Trading) -> AlpacaOrder:
    """The accepted order (``new``); it fills as the session's clock moves."""
    request = replace(body.to_request(), symbol=order_symbol(target.service.market, body.symbol))
    view = target.service.submit_order(target.owner, target.session_id, target.account_id, request)
    return AlpacaOrder.of_view(accepted_order(target, view))


@router.get("", summary="List orders")
def list_orders(
    target: Trading,
    status: Literal["open", "closed", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    after: TimeOrDateQuery = None,
    until: TimeOrDateQuery = None,
    direction: Literal["asc", "desc"] = "desc",
    nested: bool = False,
    side: Literal["buy", "sell"] | None = None,
    symbols: SymbolsFilterQuery = None,
) -> list[AlpacaOrder]:
    """The account's orders, newest first by default.

    ``after``/``until`` keep orders submitted strictly after / before those
    times; ``nested`` shows exit legs only under their entry's ``legs``.
    """
    after_ns = None if after is None else datetime_to_ns(after)
    until_ns = None if until is None else datetime_to_ns(until)
    wanted = None if symbols is None else symbol_names(symbols)
    views = target.service.orders(target.owner, target.session_id, target.account_id, status)
    chosen = [
        view
        for view in views
        if (after_ns is None or view.order.ts_created > after_ns)
        and (until_ns is None or view.order.ts_created < until_ns)
        and (side is None or view.order.side.value == side)
        and (wanted is None or view.order.symbol in wanted)
        and not (nested and view.order.parent_id is not None)
    ]
    if direction == "desc":
        chosen.reverse()
    return [AlpacaOrder.of_view(view) for view in chosen[:limit]]


@router.delete(
    "",
    status_code=status.HTTP_207_MULTI_STATUS,
    summary="Cancel every open order",
)
def cancel_all_orders(target: Trading) -> JSONResponse:
    """One result per open order: ``{"id", "status": 200, "body": order}``, or the error."""
    views = target.service.orders(target.owner, target.session_id, target.account_id, "open")
    return JSONResponse([_cancel_result(target, view.order.id) for view in views], status_code=207)


def _cancel_result(target: Target, order_id: str) -> dict[str, Any]:
    try:
        view = target.service.cancel_order(
            target.owner, target.session_id, target.account_id, order_id
        )
    except Conflict as error:
        return {
            "id": order_id,
            "status": 422,
            "body": {"code": error_code(422), "message": str(error)},
        }
    return {"id": order_id, "status": 200, "body": AlpacaOrder.of_view(view).model_dump()}


@router.get(
    ":by_client_order_id",
    summary="Read an order by its client order id",
    responses=answers({404: "No order has that client order id."}),
)
def get_order_by_client_id(
    target: Trading,
    client_order_id: Annotated[str, Query(min_length=1, max_length=128)],
) -> AlpacaOrder:
    views = target.service.orders(target.owner, target.session_id, target.account_id, "all")
    for view in views:
        if view.order.client_order_id == client_order_id:
            return AlpacaOrder.of_view(view)
    raise NotFound(f"order not found for client_order_id {client_order_id[:64]!r}")


@router.get("/{order_id}", summary="Read an order")
def get_order(
    order_id: Annotated[str, Path(max_length=64)], target: Trading, nested: bool = False
) -> AlpacaOrder:
    """The order; its exit legs are under ``legs`` whether or not ``nested`` is given."""
    return AlpacaOrder.of_view(_view(target, order_id_or_422(order_id)))


@router.patch(
    "/{order_id}",
    summary="Replace an order",
    responses=order_answers(NOT_WORKING),
)
def replace_order(
    order_id: Annotated[str, Path(max_length=64)], body: OrderReplace, target: Trading
) -> AlpacaOrder:
    """The NEW order that replaces the old one (which ends ``replaced``).

    An order that can no longer be replaced is a 422, as Alpaca answers.
    """
    canonical = order_id_or_422(order_id)
    try:
        view = target.service.replace_order(
            target.owner, target.session_id, target.account_id, canonical, body.to_request()
        )
    except Conflict as error:
        raise InvalidRequest(str(error)) from None
    return AlpacaOrder.of_view(accepted_order(target, view))


@router.delete(
    "/{order_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Cancel an order",
    responses=answers(rules=[NOT_WORKING]),
)
def cancel_order(order_id: Annotated[str, Path(max_length=64)], target: Trading) -> Response:
    """No content; the order is ``pending_cancel`` while the cancel travels (latency).

    An order that is no longer working is a 422 (``order is not cancelable``).
    """
    canonical = order_id_or_422(order_id)
    try:
        target.service.cancel_order(target.owner, target.session_id, target.account_id, canonical)
    except Conflict as error:
        raise ApiError(422, f"order is not cancelable: {error}") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
