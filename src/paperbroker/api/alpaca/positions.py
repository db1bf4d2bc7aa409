"""Alpaca-compatible positions: ``/v2/positions``, valued at the session's current time."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from paperbroker.api.alpaca.common import NEW_YORK, find_asset
from paperbroker.api.alpaca.holdings import accepted_order, holding, insufficient_qty
from paperbroker.api.alpaca.shapes import AlpacaOrder, AlpacaPosition
from paperbroker.api.alpaca.target import Target, Trading
from paperbroker.api.decimals import OrderNumber, Percentage
from paperbroker.api.errors import ApiError, error_code
from paperbroker.api.routes import order_answers
from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.core.errors import Conflict, InsufficientQuantity, InvalidRequest
from paperbroker.portfolio.marks import mark
from paperbroker.services.views import PositionView
from paperbroker.session.market import MarketData

router = APIRouter(prefix="/v2/positions", tags=["alpaca"])


@router.get("", summary="List open positions")
def list_positions(target: Trading) -> list[AlpacaPosition]:
    views = target.service.positions(target.owner, target.session_id, target.account_id)
    return [_position(target, view) for view in views]


@router.get("/{symbol_or_asset_id}", summary="Read a position")
def get_position(
    symbol_or_asset_id: Annotated[str, Path(max_length=64)], target: Trading
) -> AlpacaPosition:
    """The position in a symbol (named by symbol or asset id); 404 when there is none."""
    symbol = find_asset(target.service.market, symbol_or_asset_id).symbol
    view = target.service.position(target.owner, target.session_id, target.account_id, symbol)
    return _position(target, view)


@router.delete(
    "/{symbol_or_asset_id}",
    summary="Close a position",
    responses=order_answers("qty or percentage, not both"),
)
def close_position(
    symbol_or_asset_id: Annotated[str, Path(max_length=64)],
    target: Trading,
    qty: Annotated[OrderNumber | None, Query()] = None,
    percentage: Annotated[Percentage | None, Query()] = None,
) -> AlpacaOrder:
    """The market order that closes the position, or ``qty`` or ``percentage`` of it.

    More than open orders leave of the position is Alpaca's 403 (``insufficient
    qty available for order``, see :mod:`.holdings`).
    """
    symbol = find_asset(target.service.market, symbol_or_asset_id).symbol
    try:
        view = target.service.close_position(
            target.owner, target.session_id, target.account_id, symbol,
            qty=qty, percentage=percentage,
        )  # fmt: skip
    except InsufficientQuantity:
        raise insufficient_qty(target, symbol, Decimal(qty or 0)) from None
    return AlpacaOrder.of_view(accepted_order(target, view))


@router.delete("", status_code=207, summary="Close every position")
def close_all_positions(target: Trading, cancel_orders: bool = False) -> JSONResponse:
    """One result per position: ``{"symbol", "status": 200, "body": order}`` or the error.

    ``cancel_orders`` cancels the account's open orders first (their shares
    are then free to sell).
    """
    service = target.service
    if cancel_orders:
        for view in service.orders(target.owner, target.session_id, target.account_id, "open"):
            service.cancel_order(target.owner, target.session_id, target.account_id, view.order.id)
    results: list[dict[str, Any]] = []
    for position in service.positions(target.owner, target.session_id, target.account_id):
        results.append(_close_result(target, position.symbol))
    return JSONResponse(results, status_code=207)


def _close_result(target: Target, symbol: str) -> dict[str, Any]:
    try:
        view = accepted_order(
            target,
            target.service.close_position(
                target.owner, target.session_id, target.account_id, symbol
            ),
        )
    except ApiError as error:
        body = {
            "code": error.code or error_code(error.status),
            "message": error.message,
            **error.details,
        }
        return {"symbol": symbol, "status": error.status, "body": body}
    except (InvalidRequest, Conflict) as error:
        status = 422 if isinstance(error, InvalidRequest) else 409
        body = {"code": error_code(status), "message": str(error)}
        return {"symbol": symbol, "status": status, "body": body}
    order = AlpacaOrder.of_view(view).model_dump()
    return {"symbol": symbol, "status": 200, "order_id": view.order.id, "body": order}


def _position(target: Target, view: PositionView) -> AlpacaPosition:
    """The Alpaca position of ``view``: what open orders leave of it, and yesterday's close."""
    runtime = target.runtime
    market = target.service.market
    held = holding(target, view.symbol)
    available = held.available if view.qty > 0 else -held.available
    asset = next((a for a in market.assets() if a.symbol == view.symbol), None)
    lastday = _lastday_close(market, view.symbol, runtime.now_ns) or view.current_price
    return AlpacaPosition.of(view, asset, available, lastday)


def _lastday_close(market: MarketData, symbol: str, now_ns: int) -> Decimal | None:
    """The mark of the last close before today (New York) began: Alpaca's ``lastday_price``.

    On the tick grid, as the current price is, so the intraday figures compare
    like with like.  ``None`` when there is none.
    """
    series = market.series(symbol)
    if series is None or not len(series):
        return None
    today = ns_to_datetime(now_ns).astimezone(NEW_YORK).date()
    midnight = datetime_to_ns(datetime.combine(today, time(), tzinfo=NEW_YORK))
    row = int(np.searchsorted(series.ts, midnight, side="left")) - 1
    if row < 0:
        return None
    return mark(float(series.close[row]), series.instrument.tick_size)
