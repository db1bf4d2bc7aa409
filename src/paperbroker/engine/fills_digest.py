"""The digest of a run's fills: one canonical text form, hashed.

A backtest (:meth:`~paperbroker.engine.result.BacktestResult.fills_digest`)
and a session's stored run record write the same digest for the same fills.
Ids are written as the order in which they first appear (fill 1, 2, …; order
1, 2, …): they come from per-run counters anyway, and a session's are UUIDs
derived from its own id, so two sessions that fill alike digest alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from paperbroker.model.fill import Fill


def fills_digest(fills: Iterable[Fill]) -> str:
    """SHA-256 over every fill's fields in a canonical text form.

    Two runs with the same data, parameters and seed give the same digest;
    any difference in any fill, to the last digit, changes it.
    """
    digest = hashlib.sha256()
    orders: dict[str, int] = {}
    for number, fill in enumerate(fills, start=1):
        order = orders.setdefault(fill.order_id, len(orders) + 1)
        digest.update(
            "|".join(
                (
                    str(number), str(order), fill.symbol, fill.side.value, str(fill.qty),
                    str(fill.price), str(fill.fee), str(fill.ts), fill.liquidity.value,
                    fill.rule.value, str(fill.reference_price), str(fill.slippage),
                    fill.path, str(fill.bar_ts), fill.model, str(fill.latency_ns),
                )
            ).encode()
            + b"\n"
        )  # fmt: skip
    return digest.hexdigest()
