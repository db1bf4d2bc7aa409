"""What a session's view shows beyond its runtime's state: the strategy it runs, the
symbols it trades, its exposure, and the wall-clock span of its current run.

The strategy and the symbols are fixed when a session is created, so they are
read once per runtime. The run's span comes from the journal: the commit time
(wall clock) of the ``SessionStateChanged`` events. :class:`RunTimes` reads
them incrementally, only the events after the last one it read, and only
when the runtime has journaled something since: a list of thousands of idle
sessions reads nothing.

A session's **current run** is its latest stretch in ``running``:
``started_at`` is when it last entered ``running``, ``ended_at`` when it then
left it (paused, stopped, completed, killed, failed), ``None`` while it runs.
A session that never ran (a backtest moved by hand) has neither.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from paperbroker.agents.decision import StrategyAgent
from paperbroker.session.lifecycle import SessionState
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SessionEventRow

_STATE_CHANGED = "SessionStateChanged"


@dataclass(frozen=True)
class StrategyUse:
    """The strategy a session's pipeline runs and its effective parameters (defaults
    filled in), as JSON values."""

    name: str
    params: dict[str, Any]


def strategy_of(runtime: SessionRuntime) -> StrategyUse | None:
    """The strategy of a pipeline with exactly one strategy agent (``None`` for a session
    traded by hand, or one whose pipeline runs several)."""
    pipeline = runtime.pipeline
    if pipeline is None:
        return None
    agents = [a for a in pipeline.agents.values() if isinstance(a, StrategyAgent)]
    if len(agents) != 1:
        return None
    agent = agents[0]
    return StrategyUse(agent.config.strategy, agent.strategy.params.model_dump(mode="json"))


def symbols_of(runtime: SessionRuntime) -> tuple[str, ...]:
    """The symbols the session trades: a paper session's own; a pipeline's strategies'
    when each names some, else its data agent's; else every symbol of its data."""
    if runtime.spec.symbols:
        return tuple(runtime.spec.symbols)
    pipeline = runtime.pipeline
    if pipeline is not None:
        agents = list(pipeline.agents.values())
        strategies = [a.symbols for a in agents if isinstance(a, StrategyAgent)]
        if strategies and all(strategies):
            return tuple(sorted({s for symbols in strategies for s in symbols}))
        data = next((a.symbols for a in agents if a.kind == "data"), ())
        if data:
            return tuple(sorted(set(data)))
    return tuple(sorted({series.symbol for series in runtime.kernel.feed.series}))


def exposure_of(runtime: SessionRuntime) -> Decimal:
    """The gross market value of the open positions across the session's accounts, each
    marked as the account marks it (its last price, else its entry price)."""
    total = Decimal(0)
    for books in runtime.kernel.portfolios.values():
        for symbol, position in books.positions.items():
            if position.qty:
                total += abs(position.market_value(books.mark(symbol) or position.avg_price))
    return total


class RunTimes:
    """The wall-clock span of a session's current run, read from its journal as it grows."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self._read_to = 0
        self._started: int | None = None
        self._ended: int | None = None
        self._lock = threading.Lock()

    def span(self, factory: SessionFactory, last_seq: int) -> tuple[int | None, int | None]:
        """``(started_at, ended_at)`` in epoch ns as of the journal's ``last_seq``."""
        with self._lock:
            if last_seq > self._read_to:
                self._read(factory, last_seq)
            return self._started, self._ended

    def _read(self, factory: SessionFactory, last_seq: int) -> None:
        query = (
            select(SessionEventRow.committed_at, SessionEventRow.payload)
            .where(
                SessionEventRow.session_id == self.session_id,
                SessionEventRow.seq > self._read_to,
                SessionEventRow.seq <= last_seq,
                SessionEventRow.kind == _STATE_CHANGED,
            )
            .order_by(SessionEventRow.seq)
        )
        with read_session(factory) as session:
            rows = session.execute(query).all()
        for committed_at, payload in rows:
            if json.loads(payload).get("state") == SessionState.RUNNING.value:
                self._started, self._ended = int(committed_at), None
            elif self._started is not None and self._ended is None:
                self._ended = int(committed_at)
        self._read_to = last_seq
