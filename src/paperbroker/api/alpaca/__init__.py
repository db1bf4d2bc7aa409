"""The Alpaca-compatible API: Trading API v2, Market Data v2 and the trade_updates stream.

Every route is served twice: at ``/v2/...`` for keys bound to a session's
account, and at ``/sessions/{sessionId}/v2/...`` (see :mod:`.target`); the
stream at ``/stream`` and ``/sessions/{sessionId}/stream``.
"""

from __future__ import annotations

from fastapi import FastAPI

from paperbroker.api.access import SESSION_PREFIX
from paperbroker.api.alpaca import (
    account,
    activities,
    assets,
    clock,
    configurations,
    data_stream,
    market_data,
    orders,
    portfolio_history,
    positions,
    snapshots,
    stream,
    trades,
    watchlists,
)
from paperbroker.api.alpaca.target import SessionInPath

_MODULES = (
    account,
    configurations,
    activities,
    portfolio_history,
    orders,
    positions,
    assets,
    watchlists,
    clock,
    market_data,
    trades,
    snapshots,
    stream,
    data_stream,
)


def install(app: FastAPI) -> None:
    """Add every Alpaca route to ``app``, under both prefixes."""
    for module in _MODULES:
        app.include_router(module.router)
        app.include_router(module.router, prefix=SESSION_PREFIX, dependencies=[SessionInPath])
