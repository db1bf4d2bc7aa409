"""A new session must have market data in its window: the check made when it is created.

A backtest over 2020 on data that ends in 2013 would be created, and only its
first order would fail.  Instead the session is refused (``422``) with each
symbol it asks for and that symbol's range (``SYMBOL: first – last``).

Which symbols a session asks for:

- with a pipeline whose strategy agents each name their symbols: those
  (else the data agent's, when it names some);
- otherwise (traded by hand, or a strategy on every symbol): every symbol of
  the server's market data.

Named symbols must each have a bar in the window; with every symbol, at
least one must.  A backtest's window is its span: a bar closing after its
start and by its end.  A paper session replaying stored history asks for
its own symbols, each of which needs a bar at or after the replay's start.

The check runs when a session is created, never when one is restored: a
session stored before it existed loads as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.coverage import has_bars, spans_text, window_text
from paperbroker.session.market import MarketData


def requested_symbols(pipeline: Sequence[dict[str, Any]] | None) -> list[str] | None:
    """The symbols a session's pipeline trades, or ``None`` for every symbol.

    Raises:
        InvalidRequest: for a pipeline that does not validate (named as the
            session would name it).
    """
    if pipeline is None:
        return None
    from paperbroker.agents.pipeline import Pipeline
    from paperbroker.strategy.base import parse_params

    params = parse_params(Pipeline, {"agents": list(pipeline), "strategy_files": False})
    agents: list[dict[str, Any]] = params.model_dump()["agents"]
    strategies = [agent["symbols"] for agent in agents if agent["type"] == "strategy"]
    if strategies and all(strategies):
        return sorted({symbol for symbols in strategies for symbol in symbols})
    data: list[str] = next((a["symbols"] for a in agents if a["type"] == "data"), [])
    return sorted(set(data)) or None


def check_window(
    market: MarketData,
    symbols: Sequence[str] | None,
    start_ns: int | None,
    end_ns: int | None,
    *,
    bar_at_start: bool = False,
) -> None:
    """Refuse a window in which the requested symbols have no bars (see the module doc).

    A bar is in the window when it closes after ``start_ns`` (or at it, with
    ``bar_at_start``) and at or before ``end_ns`` (``None``: no bound).

    Raises:
        InvalidRequest: naming the window and each requested symbol's range.
    """
    after = None if start_ns is None else start_ns - bar_at_start
    window = window_text(start_ns, end_ns)
    if symbols is None:
        every = [(asset.symbol, market.series(asset.symbol)) for asset in market.assets()]
        if not any(has_bars(s, after, end_ns) for _, s in every if s is not None):
            raise InvalidRequest(
                f"no market data in the session's window {window}; the data has "
                f"{spans_text(every) or 'no symbols'}"
            )
        return
    named = [(symbol, market.series(symbol)) for symbol in symbols]
    missing = [s for s, series in named if series is None or not has_bars(series, after, end_ns)]
    if missing:
        raise InvalidRequest(
            f"no bars of {', '.join(missing)} in the session's window {window}; "
            f"the data has {spans_text(named)}"
        )
