"""What open orders hold of a position: Alpaca's ``qty_available`` and its 403.

The figures are the pre-trade check's own (:meth:`Kernel.holding
<paperbroker.engine.order_desk.OrderDesk.holding>`): a linked pair (an OCO,
a bracket's two exits) holds its quantity once, so 20 shares with one OCO of
5 working show ``qty_available`` 15, and a sell of 16 is refused.

A sell of a long position beyond what is available is answered as Alpaca
answers it, 403 with code ``40310000``::

    {"code": 40310000,
     "message": "insufficient qty available for order (requested: 10, available: 5)",
     "available": "5", "existing_qty": "20", "held_for_orders": "15",
     "symbol": "AAPL", "related_orders": ["…"]}

plus, when the refusal left a rejected order behind, its ``order_id`` and
``reject_reason`` (``insufficient_qty``), as every refused order's error has.
"""

from __future__ import annotations

from decimal import Decimal

from paperbroker.api.alpaca.common import accepted
from paperbroker.api.alpaca.target import Target
from paperbroker.api.errors import ApiError
from paperbroker.api.formats import decimal_text
from paperbroker.model.enums import OrderStatus, RejectReason
from paperbroker.portfolio.claims import Holding
from paperbroker.portfolio.portfolio import insufficient_qty_message
from paperbroker.services.views import OrderView


def holding(target: Target, symbol: str) -> Holding:
    """What the account's open orders hold of its position in ``symbol``."""
    return target.service.holding(target.owner, target.session_id, target.account_id, symbol)


def insufficient_qty(target: Target, symbol: str, requested: Decimal) -> ApiError:
    """Alpaca's 403 for a sell of ``requested`` beyond what the position has available."""
    held = holding(target, symbol)
    return ApiError(
        403,
        insufficient_qty_message(requested, held.available),
        details=_details(symbol, held),
    )


def accepted_order(target: Target, view: OrderView) -> OrderView:
    """``view``, unless its order was rejected: then Alpaca's error for the refusal.

    A sell refused for want of available quantity is the 403 above; any other
    refusal as :func:`~paperbroker.api.alpaca.common.accepted` answers it.
    """
    order = view.order
    if order.status is not OrderStatus.REJECTED or (
        order.reject_reason is not RejectReason.INSUFFICIENT_QTY
    ):
        return accepted(view)
    details = {
        **_details(order.symbol, holding(target, order.symbol)),
        "order_id": order.id,
        "reject_reason": RejectReason.INSUFFICIENT_QTY.value,
    }
    raise ApiError(403, order.reject_message, details=details)


def _details(symbol: str, held: Holding) -> dict[str, object]:
    return {
        "available": decimal_text(held.available),
        "existing_qty": decimal_text(held.existing),
        "held_for_orders": decimal_text(held.held),
        "symbol": symbol,
        "related_orders": list(held.related),
    }
