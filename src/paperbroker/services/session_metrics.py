"""A session's performance: its metrics, its execution quality and its round-trip trades.

One valuation everywhere: the equity curve is the account's daily portfolio
history (:func:`~paperbroker.services.account_history.account_portfolio_history`,
what ``/v2/account/portfolio/history?timeframe=1D`` serves), from the
account's opening to the session's current time, the last sample valued
now. The metrics (:func:`~paperbroker.analytics.metrics.compute_metrics`)
are computed over that curve, and their final equity *is* its last point.

The trades are the account's fills grouped into round trips
(:func:`~paperbroker.analytics.trades.build_trades`). Before the account has
a sample (a session still at its start), there are no metrics: ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from paperbroker.analytics.execution_quality import ExecutionQuality
from paperbroker.analytics.metrics import Metrics, compute_metrics
from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.analytics.trades import Trade, build_trades
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.core.errors import InvalidRequest
from paperbroker.model.events import OrderFilled
from paperbroker.services.account_history import account_portfolio_history
from paperbroker.session.runtime import SessionRuntime


@dataclass(frozen=True)
class SessionMetrics:
    """What :func:`session_metrics` reports for one account of a session."""

    account_id: str
    #: ``None`` before the account's first sample.
    metrics: Metrics | None
    #: The mean time from entry to exit of the closed trades (ns), ``None`` without any.
    average_trade_duration_ns: int | None
    #: How many samples of the daily history the metrics are computed over.
    samples: int
    execution_quality: ExecutionQuality
    trades: list[Trade]


def session_metrics(runtime: SessionRuntime, account_id: str | None = None) -> SessionMetrics:
    """The metrics, execution quality and trades of ``account_id`` (default: the
    session's default account), as of the session's current time.

    Raises:
        NotFound: for an account the session does not have.
    """
    account = runtime.books(account_id or runtime.default_account_id).account
    with runtime.locked():
        fills = [
            e.fill
            for e in runtime.kernel.events
            if isinstance(e, OrderFilled) and e.fill.account_id == account.id
        ]
        quality = runtime.execution_quality()
        trades = build_trades(fills)
        try:
            history = account_portfolio_history(
                runtime, account.id, HistoryQuery(timeframe="1D", start_ns=runtime.spec.start_ns)
            )
        except InvalidRequest:  # no span yet: the clock is at the session's start
            history = None
    closed = [t for t in trades if t.exit_ts is not None]
    durations = [t.exit_ts - t.entry_ts for t in closed if t.exit_ts is not None]
    average = sum(durations) // len(durations) if durations else None
    if history is None or not history.equity:
        return SessionMetrics(account.id, None, average, 0, quality, trades)
    ts = np.asarray(history.timestamp, dtype=np.int64) * NANOS_PER_SECOND
    metrics = compute_metrics(
        ts,
        np.asarray(history.equity, dtype=np.float64),
        initial_cash=account.initial_cash,
        final_equity=Decimal(str(history.equity[-1])),
        trades=trades,
        fees=sum((f.fee for f in fills), Decimal(0)),
    )
    return SessionMetrics(account.id, metrics, average, len(ts), quality, trades)
