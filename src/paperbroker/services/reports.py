"""A server session's report: its :class:`~paperbroker.analytics.report.ReportData`.

One valuation, the metrics' own (:mod:`paperbroker.services.session_metrics`):
the equity curve is the default account's daily portfolio history from the
session's start to its current time, and the metrics' final equity is its
last point. The trades are that account's round trips, the fills its fills,
the bars those of the symbols the session trades (as its feed has them, up
to its current time), and the benchmark a buy-and-hold of any symbol of the
server's market data (or of the session's own feed) over the same span.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperbroker import __version__
from paperbroker.analytics.metrics import Metrics
from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.analytics.report import Benchmark, PricePath, ReportData
from paperbroker.core.clock import NANOS_PER_SECOND, ns_to_text
from paperbroker.core.errors import InvalidRequest
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill
from paperbroker.services.account_history import account_portfolio_history
from paperbroker.services.session_metrics import benchmark_series, session_metrics
from paperbroker.services.sessions import SessionService
from paperbroker.session.runtime import SessionRuntime


def session_report(
    service: SessionService, owner: str, session_id: str, *, benchmark: str | None = None
) -> ReportData:
    """The report of ``owner``'s session as of its current time.

    Raises:
        NotFound: if the session does not exist or belongs to another owner.
        InvalidRequest: for a benchmark symbol without data.
    """
    return report_and_metrics(service, owner, session_id, benchmark=benchmark)[0]


def report_and_metrics(
    service: SessionService, owner: str, session_id: str, *, benchmark: str | None = None
) -> tuple[ReportData, Metrics | None]:
    """:func:`session_report` and the metrics it shows (``None`` before the first sample).

    Raises:
        NotFound: if the session does not exist or belongs to another owner.
        InvalidRequest: for a benchmark symbol without data.
    """
    view = service.get(owner, session_id)
    runtime = service.runtime(owner, session_id)
    found = session_metrics(
        runtime, benchmark=benchmark, risk_free_rate=service.risk_free_rate, market=service.market
    )
    ts, equity = _equity(runtime, found.account_id)
    fills = account_fills(runtime, found.account_id)
    start, end = runtime.spec.start_ns, runtime.now_ns
    traded = {f.symbol for f in fills} | set(view.symbols)
    with runtime.locked():  # a paper session's feed appends bars under the lock
        bars = {
            s.symbol: PricePath.of(s, start, end)
            for s in runtime.kernel.feed.series
            if s.symbol in traded
        }
    strategy = view.strategy
    config: dict[str, Any] = {
        "session_id": view.id,
        "name": view.name,
        "type": view.type,
        "state": view.state,
        "strategy": None if strategy is None else strategy.name,
        "params": None if strategy is None else strategy.params,
        "symbols": list(view.symbols),
        "start": ns_to_text(view.simulation_start),
        "end": ns_to_text(view.simulation_end),
        "current_time": ns_to_text(view.current_time),
        "initial_cash": format(view.initial_cash, "f"),
        "execution": view.execution,
        "seed": view.execution.get("seed"),
        "account": found.account_id,
        "code_version": __version__,
    }
    mark = None
    if benchmark is not None:
        series = benchmark_series(runtime, benchmark, service.market)
        mark = Benchmark.buy_and_hold(PricePath.of(series, start, end), view.initial_cash)
    report = ReportData(
        title=f"{view.name} ({view.type})",
        config=config,
        equity_ts=ts,
        equity=equity,
        trades=found.trades,
        fills=fills,
        metrics={} if found.metrics is None else found.metrics.as_dict(),
        benchmark=mark,
        bars=bars,
    )
    return report, found.metrics


def account_fills(runtime: SessionRuntime, account_id: str) -> list[Fill]:
    """The account's fills, in the order they happened."""
    with runtime.locked():
        return [
            e.fill
            for e in runtime.kernel.events
            if isinstance(e, OrderFilled) and e.fill.account_id == account_id
        ]


def _equity(runtime: SessionRuntime, account_id: str) -> tuple[list[int], list[Decimal]]:
    try:
        history = account_portfolio_history(
            runtime, account_id, HistoryQuery(timeframe="1D", start_ns=runtime.spec.start_ns)
        )
    except InvalidRequest:  # the clock still at the session's start: no sample yet
        return [], []
    ts = [int(t) * NANOS_PER_SECOND for t in history.timestamp]
    # The metrics take the final equity as Decimal(str(last sample)): the same here.
    return ts, [Decimal(str(v)) for v in history.equity]
