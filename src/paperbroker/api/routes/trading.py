"""``/v1/trading/accounts/{accountId}/…``: an account's books, orders and positions.

Every route needs the ``X-Session-Id`` header naming the account's session.
A rejected order is answered as an error (403 for insufficient buying power,
422 otherwise) although the order exists, rejected, in the account's history.
"""

from __future__ import annotations

from fastapi import APIRouter

from paperbroker.api.auth import Caller
from paperbroker.api.deps import AccountIdPath, OrderIdPath, Service, SessionIdHeader, SymbolPath
from paperbroker.api.errors import accepted_or_refused
from paperbroker.api.routes import CHANGE_ERRORS, LOOKUP_ERRORS
from paperbroker.api.schemas import (
    AccountPublic,
    ErrorBody,
    OrderCreate,
    OrderPublic,
    OrderStatusFilter,
    PositionPublic,
)

router = APIRouter(prefix="/v1/trading/accounts/{accountId}", tags=["trading"])

_ORDER_ERRORS = {
    **CHANGE_ERRORS,
    403: {"model": ErrorBody, "description": "Insufficient buying power (code 40310000)."},
}


@router.get(
    "/account", operation_id="getAccount", summary="Read an account", responses=LOOKUP_ERRORS
)
def get_account(
    account_id: AccountIdPath, session_id: SessionIdHeader, caller: Caller, service: Service
) -> AccountPublic:
    """Cash, equity, buying power and P&L, valued at the session's current time."""
    return AccountPublic.of(service.account(caller.key_id, session_id, account_id))


@router.post(
    "/orders", operation_id="submitOrder", summary="Submit an order", responses=_ORDER_ERRORS
)
def submit_order(
    account_id: AccountIdPath,
    body: OrderCreate,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
) -> OrderPublic:
    """The accepted order; it fills as the clock passes over the bars, never at submission."""
    order = service.submit_order(caller.key_id, session_id, account_id, body.to_request())
    return OrderPublic.of(accepted_or_refused(order))


@router.get("/orders", operation_id="listOrders", summary="List orders", responses=LOOKUP_ERRORS)
def list_orders(
    account_id: AccountIdPath,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
    status: OrderStatusFilter = "open",
) -> list[OrderPublic]:
    """The account's orders, oldest first: ``open`` (default), ``closed`` or ``all``."""
    orders = service.orders(caller.key_id, session_id, account_id, status)
    return [OrderPublic.of(order) for order in orders]


@router.get(
    "/orders/{orderId}", operation_id="getOrder", summary="Read an order", responses=LOOKUP_ERRORS
)
def get_order(
    account_id: AccountIdPath,
    order_id: OrderIdPath,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
) -> OrderPublic:
    return OrderPublic.of(service.order(caller.key_id, session_id, account_id, order_id))


@router.delete(
    "/orders/{orderId}",
    operation_id="cancelOrder",
    summary="Cancel an order",
    responses=CHANGE_ERRORS,
)
def cancel_order(
    account_id: AccountIdPath,
    order_id: OrderIdPath,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
) -> OrderPublic:
    """The canceled order; 409 if it is no longer working."""
    return OrderPublic.of(service.cancel_order(caller.key_id, session_id, account_id, order_id))


@router.get(
    "/positions", operation_id="listPositions", summary="List positions", responses=LOOKUP_ERRORS
)
def list_positions(
    account_id: AccountIdPath, session_id: SessionIdHeader, caller: Caller, service: Service
) -> list[PositionPublic]:
    """The account's open positions, valued at the session's current time."""
    positions = service.positions(caller.key_id, session_id, account_id)
    return [PositionPublic.of(position) for position in positions]


@router.get(
    "/positions/{symbol}",
    operation_id="getPosition",
    summary="Read a position",
    responses=LOOKUP_ERRORS,
)
def get_position(
    account_id: AccountIdPath,
    symbol: SymbolPath,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
) -> PositionPublic:
    return PositionPublic.of(service.position(caller.key_id, session_id, account_id, symbol))


@router.delete(
    "/positions/{symbol}",
    operation_id="closePosition",
    summary="Close a position",
    responses=_ORDER_ERRORS,
)
def close_position(
    account_id: AccountIdPath,
    symbol: SymbolPath,
    session_id: SessionIdHeader,
    caller: Caller,
    service: Service,
) -> OrderPublic:
    """The market order that closes the position; it fills as the clock moves."""
    order = service.close_position(caller.key_id, session_id, account_id, symbol)
    return OrderPublic.of(accepted_or_refused(order))
