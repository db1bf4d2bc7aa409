"""An account's fills, a page at a time, with what the venue recorded of each.

A fill carries the evidence of how it was priced
(:class:`~paperbroker.model.fill.Fill`): the matching rule and the price it
gave (``reference_price``), the slippage per unit and the model that priced
it, the intrabar path assumed, the bar that filled it, its fee, liquidity
side and the latency of its order. They are read from the session's events,
in the order they happened; a page continues after a fill's id, in either
direction, so consecutive pages neither repeat nor skip a fill.
"""

from __future__ import annotations

from typing import Final, Literal

from paperbroker.core.errors import NotFound
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill
from paperbroker.session.runtime import SessionRuntime

#: The largest page.
MAX_LIMIT: Final = 1000
Direction = Literal["asc", "desc"]


def account_fills(
    runtime: SessionRuntime,
    account_id: str,
    *,
    order_id: str | None = None,
    after: str | None = None,
    limit: int = 100,
    direction: Direction = "desc",
) -> list[Fill]:
    """At most ``limit`` of the account's fills (of ``order_id``'s only, if given):
    newest first (``desc``) or oldest first (``asc``), from just past the fill ``after``.

    Raises:
        NotFound: for an account or order the session does not have, or an
            ``after`` that is not one of the fills listed.
    """
    runtime.books(account_id)  # NotFound for another account
    if order_id is not None:
        runtime.order(account_id, order_id)
    with runtime.locked():
        events = list(runtime.kernel.events)
    fills = [
        e.fill
        for e in events
        if type(e) is OrderFilled
        and e.fill.account_id == account_id
        and (order_id is None or e.order_id == order_id)
    ]
    if direction == "desc":
        fills.reverse()
    start = 0
    if after is not None:
        found = next((i for i, fill in enumerate(fills) if fill.id == after), None)
        if found is None:
            raise NotFound(f"fill {after[:64]!r} not found among the fills listed")
        start = found + 1
    return fills[start : start + limit]
