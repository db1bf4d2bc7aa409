"""N sessions side by side: each one's report, per-period returns, and market regimes.

Each session is valued as its report is (:func:`~paperbroker.services.reports.session_report`).
Returns by month and year are those of its equity curve
(:func:`~paperbroker.analytics.periods.period_returns`); with a benchmark, the
benchmark's monthly returns classify each month as ``up``, ``down`` or
``flat`` and every session gets its compounded return in each regime
(:func:`~paperbroker.analytics.periods.market_regimes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from paperbroker.analytics.metrics import Metrics
from paperbroker.analytics.periods import (
    REGIMES,
    Period,
    PeriodReturn,
    market_regimes,
    period_returns,
)
from paperbroker.analytics.report import Benchmark, PricePath, ReportData
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.reports import report_and_metrics
from paperbroker.services.session_metrics import benchmark_series
from paperbroker.services.sessions import SessionService

MIN_SESSIONS: Final = 2
MAX_SESSIONS: Final = 10


@dataclass(frozen=True)
class Compared:
    """One session of a comparison: its report and its returns per period."""

    report: ReportData
    metrics: Metrics | None
    by_month: list[PeriodReturn]
    by_year: list[PeriodReturn]


@dataclass(frozen=True)
class Comparison:
    """The sessions, the benchmark (if asked) and each regime's return per session."""

    sessions: list[Compared]
    benchmark: Benchmark | None
    #: ``(regime, {session id: compounded return or None})``, in the order up, down, flat.
    regimes: list[tuple[str, dict[str, float | None]]]


def parse_ids(text: str) -> list[str]:
    """The session ids of a comma-separated list, in order, without repeats.

    Raises:
        InvalidRequest: for fewer than :data:`MIN_SESSIONS` or more than :data:`MAX_SESSIONS`.
    """
    ids = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not MIN_SESSIONS <= len(ids) <= MAX_SESSIONS:
        raise InvalidRequest(
            f"sessions: give {MIN_SESSIONS} to {MAX_SESSIONS} distinct session ids, "
            f"comma-separated (got {len(ids)})"
        )
    return ids


def compare(
    service: SessionService, owner: str, session_ids: Sequence[str], *, benchmark: str | None = None
) -> Comparison:
    """Compare ``owner``'s sessions (see the module doc).

    Raises:
        NotFound: for a session that does not exist or belongs to another owner.
        InvalidRequest: for a benchmark symbol without data.
    """
    found = [report_and_metrics(service, owner, sid, benchmark=benchmark) for sid in session_ids]
    reports = [r for r, _ in found]
    compared = [Compared(r, m, _returns(r, "month"), _returns(r, "year")) for r, m in found]
    mark = None
    regimes: list[tuple[str, dict[str, float | None]]] = []
    if benchmark is not None:
        runtime = service.runtime(owner, session_ids[0])
        series = benchmark_series(runtime, benchmark, service.market)
        starts = [r.equity_ts[0] for r in reports if r.equity_ts]
        ends = [r.equity_ts[-1] for r in reports if r.equity_ts]
        prices = PricePath.of(series, min(starts, default=None), max(ends, default=None))
        initial = reports[0].config.get("initial_cash", "0")
        mark = Benchmark.buy_and_hold(prices, Decimal(str(initial)))
        bench_months = period_returns(prices.ts, prices.close, "month") if prices.ts else []
        per_regime: dict[str, dict[str, float | None]] = {name: {} for name in REGIMES}
        for item in compared:
            sid = str(item.report.config["session_id"])
            for regime in market_regimes(item.by_month, bench_months):
                per_regime[regime.regime][sid] = regime.strategy_return
        regimes = list(per_regime.items())
    return Comparison(compared, mark, regimes)


def _returns(report: ReportData, period: Period) -> list[PeriodReturn]:
    if len(report.equity_ts) < 2:
        return []
    return period_returns(report.equity_ts, report.equity_floats(), period)
