"""The /v1 and /api routes, one module per resource; each route is one call to the service.

Who may call each route, and the errors every route may answer, are derived
from its declarations (:mod:`paperbroker.api.access`,
:mod:`paperbroker.api.contract`); only what a route adds is listed here.
"""

from __future__ import annotations

from typing import Any, Final

from paperbroker.api.responses import OrderRefusedBody

#: The errors of a route that submits an order the broker may refuse (it stays, rejected).
ORDER_REFUSALS: Final[dict[int | str, dict[str, Any]]] = {
    403: {
        "model": OrderRefusedBody,
        "description": (
            "The key may not call this route, or the order was refused (insufficient "
            "buying power or quantity, a short the account may not make): then the body "
            "also names the rejected order."
        ),
    },
    422: {
        "model": OrderRefusedBody,
        "description": (
            "A field is invalid (named), or the order was refused for another reason: "
            "then the body also names the rejected order."
        ),
    },
}
