"""A session's performance: its metrics, its execution quality and its round-trip trades.

One valuation everywhere: the equity curve is the account's daily portfolio
history (:func:`~paperbroker.services.account_history.account_portfolio_history`,
what ``/v2/account/portfolio/history?timeframe=1D`` serves), from the
account's opening to the session's current time, the last sample valued
now. The metrics (:func:`~paperbroker.analytics.metrics.compute_metrics`)
are computed over that curve, and their final equity *is* its last point.

The trades are the account's fills grouped into round trips
(:func:`~paperbroker.analytics.trades.build_trades`), with their MAE and MFE
from the session's bars. Before the account has a sample (a session still at
its start), there are no metrics: ``None``.

A benchmark is a symbol's buy and hold: its price known at each sample time,
from the session's own bars when it trades the symbol, else from the
server's market data (:func:`benchmark_prices`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from paperbroker.analytics.excursions import with_excursions
from paperbroker.analytics.execution_quality import ExecutionQuality
from paperbroker.analytics.metrics import Metrics, compute_metrics
from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.analytics.trades import Trade, build_trades
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.model.account import Account
from paperbroker.model.events import OrderFilled
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.services.account_history import account_portfolio_history
from paperbroker.session.market import MarketData
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


def benchmark_series(
    runtime: SessionRuntime, symbol: str, market: MarketData | None = None
) -> BarSeries:
    """The bars of ``symbol``: the session's own, else the server's ``market`` data.

    Raises:
        InvalidRequest: for a symbol neither has.
    """
    wanted = symbol.strip().upper()
    for series in runtime.kernel.feed.series:
        if series.symbol.upper() == wanted:
            return series
    found = None if market is None else market.series(wanted)
    if found is None:
        raise InvalidRequest(f"benchmark {symbol!r} has no market data")
    return found


def benchmark_prices(
    runtime: SessionRuntime, symbol: str, ts_ns: NDArray[np.int64], market: MarketData | None = None
) -> NDArray[np.float64]:
    """The price of ``symbol`` known at each of ``ts_ns`` (0 before its first bar).

    Raises:
        InvalidRequest: for a symbol without market data (:func:`benchmark_series`).
    """
    return PriceTrack.of(benchmark_series(runtime, symbol, market)).known(ts_ns)


def session_metrics(
    runtime: SessionRuntime,
    account_id: str | None = None,
    *,
    benchmark: str | None = None,
    risk_free_rate: float = 0.0,
    market: MarketData | None = None,
) -> SessionMetrics:
    """The metrics, execution quality and trades of ``account_id`` (default: the
    session's default account), as of the session's current time.

    ``benchmark`` is a symbol (the session's, or one of ``market``'s) whose buy
    and hold the alpha, beta and benchmark return are measured against;
    ``risk_free_rate`` is annual (docs/metrics.md).

    Raises:
        NotFound: for an account the session does not have.
        InvalidRequest: for a benchmark without market data, or a risk-free rate
            that is not finite or not above -1.
    """
    return accounts_metrics(
        runtime,
        [account_id or runtime.default_account_id],
        benchmark=benchmark,
        risk_free_rate=risk_free_rate,
        market=market,
    )


def accounts_metrics(
    runtime: SessionRuntime,
    account_ids: Sequence[str],
    *,
    benchmark: str | None = None,
    risk_free_rate: float = 0.0,
    market: MarketData | None = None,
) -> SessionMetrics:
    """:func:`session_metrics` of several accounts of the session taken as one book
    (an A/B session's arms): their daily equity summed, their initial cash, fees,
    orders and round trips together. An account without a sample yet on a day the
    others have counts its initial cash. The answer's ``account_id`` is the first's.

    Raises:
        NotFound: for an account the session does not have.
        InvalidRequest: as :func:`session_metrics`.
    """
    if not np.isfinite(risk_free_rate) or risk_free_rate <= -1:
        raise InvalidRequest(f"risk_free_rate must be a finite rate above -1, not {risk_free_rate}")
    accounts = [runtime.books(a).account for a in account_ids]
    ids = {a.id for a in accounts}
    with runtime.locked():
        fills = [
            e.fill
            for e in runtime.kernel.events
            if isinstance(e, OrderFilled) and e.fill.account_id in ids
        ]
        orders = [order for a in accounts for order in runtime.orders(a.id)]
        quality = runtime.execution_quality()
        bars = {s.symbol: s for s in runtime.kernel.feed.series}
        trades = sorted(
            (
                trade
                for a in accounts
                for trade in with_excursions(
                    build_trades(f for f in fills if f.account_id == a.id), bars
                )
            ),
            key=lambda t: (t.entry_ts, t.symbol),
        )
    curve = _summed_equity(runtime, accounts)
    closed = [t for t in trades if t.exit_ts is not None]
    durations = [t.exit_ts - t.entry_ts for t in closed if t.exit_ts is not None]
    average = sum(durations) // len(durations) if durations else None
    first = accounts[0].id
    if not curve:
        return SessionMetrics(first, None, average, 0, quality, trades)
    ts = np.asarray(list(curve), dtype=np.int64) * NANOS_PER_SECOND
    prices = None
    if benchmark is not None:
        # A sample is labelled by its window's start and valued at its end: the next
        # sample's start, the last one now.
        valued = np.maximum(np.append(ts[1:], runtime.now_ns), ts)
        prices = benchmark_prices(runtime, benchmark, valued, market)
    equity = list(curve.values())
    metrics = compute_metrics(
        ts,
        np.asarray(equity, dtype=np.float64),
        initial_cash=sum((a.initial_cash for a in accounts), Decimal(0)),
        final_equity=equity[-1],
        trades=trades,
        fees=sum((f.fee for f in fills), Decimal(0)),
        benchmark=prices,
        risk_free_rate=risk_free_rate,
        fills=fills,
        orders=orders,
    )
    return SessionMetrics(first, metrics, average, len(ts), quality, trades)


def _summed_equity(runtime: SessionRuntime, accounts: Sequence[Account]) -> dict[int, Decimal]:
    """The accounts' daily equity summed, by sample time (s); empty before any sample."""
    curves = []
    for account in accounts:
        try:
            history = account_portfolio_history(
                runtime, account.id, HistoryQuery(timeframe="1D", start_ns=runtime.spec.start_ns)
            )
        except InvalidRequest:  # no span yet: the clock is at the session's start
            return {}
        curves.append((account, dict(zip(history.timestamp, history.equity, strict=True))))
    times = sorted({t for _, curve in curves for t in curve})
    return {
        t: sum(
            (Decimal(str(curve.get(t, account.initial_cash))) for account, curve in curves),
            Decimal(0),
        )
        for t in times
    }
