"""The /v1 and /api routes, one module per resource; each route is one call to the service.

Who may call each route, and the errors every route may answer, are derived
from its declarations (:mod:`paperbroker.api.access`,
:mod:`paperbroker.api.contract`); only what a route adds is listed here.
"""

from __future__ import annotations

from typing import Any, Final

from paperbroker.api.contract import answers
from paperbroker.api.responses import OrderRefusedBody

#: What creating a session refuses although its schema lets the request through.
SESSION_RULES: Final = (
    "times between 1970-01-01 and 2262-04-10",
    "strategy or agents, not both; agents as docs/agents.md describes them, at least one",
    "a strategy, symbols and data the server has, with valid parameters",
    "strategies instead of strategy or agents: weights summing to at most 1 and leaving a "
    "share for each strategy without one, unique labels (docs/ab-tests.md)",
)
#: The rules of an order that its schema cannot state.
ORDER_RULES: Final = (
    "each price the order type needs, and no other: limit_price (limit, stop_limit), "
    "stop_price (stop, stop_limit), trail_price or trail_percent (trailing_stop)",
    "qty or notional, not both; its legs (take_profit, stop_loss) as its order_class needs",
    "a replacement changes only what applies to the order's type",
    "the broker refuses the order (another reason than the 403's): the body names it",
)
#: What a route that submits an order answers when the broker refuses it (it stays, rejected).
ORDER_REFUSALS_TEXT: Final = {
    403: "The key may not call this route, or the order was refused (insufficient "
    "buying power or quantity, a short the account may not make): then the body "
    "also names the rejected order.",
    422: "A field is invalid (named), or the order was refused for another reason: "
    "then the body also names the rejected order.",
}


def order_answers(*rules: str) -> dict[int | str, dict[str, Any]]:
    """The answers of a route that submits an order, with its own ``rules`` besides
    :data:`ORDER_RULES`."""
    return answers(ORDER_REFUSALS_TEXT, rules=[*ORDER_RULES, *rules], body=OrderRefusedBody)


#: The errors of a route that submits an order the broker may refuse.
ORDER_REFUSALS: Final = order_answers()
