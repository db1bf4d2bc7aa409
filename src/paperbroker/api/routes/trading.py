"""``/v1/trading/accounts/{accountId}/…``: an account's books, orders and positions.

Every route needs the ``X-Session-Id`` header naming the account's session.
A rejected order is answered as an error (403 for insufficient buying power,
422 otherwise) although the order exists, rejected, in the account's history;
the error's body names it (``order_id``, ``reject_reason``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from paperbroker.api.access import Owner
from paperbroker.api.deps import AccountIdPath, OrderIdPath, Service, SessionIdHeader, SymbolPath
from paperbroker.api.errors import accepted_or_refused
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import AccountPublic, FillPublic, OrderPublic, PositionPublic
from paperbroker.api.routes import ORDER_REFUSALS
from paperbroker.api.schemas import OrderCreate, OrderReplace, OrderStatusFilter
from paperbroker.services.fills import MAX_LIMIT, Direction, account_fills

router = APIRouter(prefix="/v1/trading/accounts/{accountId}", tags=["trading"])


@router.get("/account", operation_id="getAccount", summary="Read an account")
def get_account(
    account_id: AccountIdPath, session_id: SessionIdHeader, caller: Owner, service: Service
) -> AccountPublic:
    """Cash, equity, buying power and P&L, valued at the session's current time."""
    return AccountPublic.of(service.account(caller.key_id, session_id, account_id))


@router.post(
    "/orders", operation_id="submitOrder", summary="Submit an order", responses=ORDER_REFUSALS
)
def submit_order(
    account_id: AccountIdPath,
    body: OrderCreate,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> OrderPublic:
    """The accepted order; it fills as the clock passes over the bars, never at submission."""
    order = service.submit_order(caller.key_id, session_id, account_id, body.to_request())
    return OrderPublic.of(accepted_or_refused(order))


@router.get("/orders", operation_id="listOrders", summary="List orders")
def list_orders(
    account_id: AccountIdPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
    status: OrderStatusFilter = "open",
    nested: Annotated[
        bool, Query(description="Show exit legs only under their entry order's `legs`.")
    ] = False,
) -> list[OrderPublic]:
    """The account's orders, oldest first: ``open`` (default), ``closed`` or ``all``.

    Exit legs are listed on their own (and under their entry), unless ``nested``.
    """
    views = service.orders(caller.key_id, session_id, account_id, status)
    if nested:
        views = [view for view in views if view.order.parent_id is None]
    return [OrderPublic.of(view) for view in views]


@router.get("/orders/{orderId}", operation_id="getOrder", summary="Read an order")
def get_order(
    account_id: AccountIdPath,
    order_id: OrderIdPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> OrderPublic:
    return OrderPublic.of(service.order(caller.key_id, session_id, account_id, order_id))


@router.delete(
    "/orders/{orderId}",
    operation_id="cancelOrder",
    summary="Cancel an order",
)
def cancel_order(
    account_id: AccountIdPath,
    order_id: OrderIdPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> OrderPublic:
    """The order, ``canceled``, or ``pending_cancel`` while the cancel is on its way (latency).

    A pending cancel acts when the clock passes its arrival; the order may fill
    before then. 409 if the order is no longer working.
    """
    return OrderPublic.of(service.cancel_order(caller.key_id, session_id, account_id, order_id))


@router.patch(
    "/orders/{orderId}",
    operation_id="replaceOrder",
    summary="Replace an order",
    responses=ORDER_REFUSALS,
)
def replace_order(
    account_id: AccountIdPath,
    order_id: OrderIdPath,
    body: OrderReplace,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> OrderPublic:
    """The NEW order, which ``replaces`` the old one; the old one ends ``replaced``.

    Until the replacement reaches the venue (latency) the old order is
    ``pending_replace`` and may still fill; if it fills completely first, the
    replacement is canceled. 409 if the order can no longer be replaced.
    """
    request = body.to_request()
    order = service.replace_order(caller.key_id, session_id, account_id, order_id, request)
    return OrderPublic.of(accepted_or_refused(order))


#: A fill id as the venue writes them (a UUID, or ``F-1`` from a kernel without a namespace).
FILL_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"


@router.get("/fills", operation_id="listFills", summary="List fills with their pricing")
def list_fills(
    account_id: AccountIdPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
    order_id: Annotated[
        str | None,
        Query(pattern=UUID_PATTERN, description="Only this order's fills (its id)."),
    ] = None,
    page_token: Annotated[
        str | None,
        Query(
            pattern=FILL_ID_PATTERN,
            description="Continue after this fill (the last `id` of the previous page), in "
            "the same direction, as Alpaca's activities page; 404 if it is not one of the "
            "fills listed.",
        ),
    ] = None,
    direction: Annotated[
        Direction, Query(description="`desc`: newest first (default); `asc`: oldest first.")
    ] = "desc",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many.")] = 100,
) -> list[FillPublic]:
    """The account's fills, newest first by default, each with its reference price,
    slippage, fee, liquidity, latency and the matching rule that priced it. Page with
    `page_token` = the last `id` of a page: pages never repeat or skip a fill."""
    runtime = service.runtime(caller.key_id, session_id)
    fills = account_fills(
        runtime, account_id, order_id=order_id, after=page_token, limit=limit, direction=direction
    )
    return [FillPublic.of(fill) for fill in fills]


@router.get("/positions", operation_id="listPositions", summary="List positions")
def list_positions(
    account_id: AccountIdPath, session_id: SessionIdHeader, caller: Owner, service: Service
) -> list[PositionPublic]:
    """The account's open positions, valued at the session's current time."""
    positions = service.positions(caller.key_id, session_id, account_id)
    return [PositionPublic.of(position) for position in positions]


@router.get(
    "/positions/{symbol}",
    operation_id="getPosition",
    summary="Read a position",
)
def get_position(
    account_id: AccountIdPath,
    symbol: SymbolPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> PositionPublic:
    return PositionPublic.of(service.position(caller.key_id, session_id, account_id, symbol))


@router.delete(
    "/positions/{symbol}",
    operation_id="closePosition",
    summary="Close a position",
    responses=ORDER_REFUSALS,
)
def close_position(
    account_id: AccountIdPath,
    symbol: SymbolPath,
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
) -> OrderPublic:
    """The market order that closes the position; it fills as the clock moves."""
    order = service.close_position(caller.key_id, session_id, account_id, symbol)
    return OrderPublic.of(accepted_or_refused(order))
