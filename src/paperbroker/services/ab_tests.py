"""An A/B test's report: each arm's metrics and equity, and the arms compared pairwise.

An arm is a labelled strategy of a multi-strategy session
(:mod:`paperbroker.agents.arms`). In ``ab`` mode each arm has its own
account: its metrics and equity curve are that account's
(:func:`~paperbroker.services.session_metrics.session_metrics`, over the
daily portfolio history), and every pair of arms ``(a, b)`` is compared by a
seeded paired bootstrap of their daily returns
(:func:`~paperbroker.analytics.bootstrap.bootstrap_differences`): an
interval for ``sharpe(a) − sharpe(b)`` and one for ``total_return(a) −
total_return(b)``. In ``shared`` mode the arms share the default account:
each shows that account's metrics and curve, there are no comparisons, and
what each strategy made is in the attribution
(:mod:`paperbroker.services.attribution`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Any, Final

import numpy as np

from paperbroker.analytics.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    Interval,
    bootstrap_differences,
)
from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.account_history import account_portfolio_history
from paperbroker.services.attribution import LabeledStrategy, labeled_strategies, multi_strategy
from paperbroker.services.session_metrics import SessionMetrics, session_metrics
from paperbroker.session.accounts import account_id
from paperbroker.session.runtime import SessionRuntime

#: Trading days a year, when an arm has no metrics yet to say.
_TRADING_DAYS: Final = 252
_WEIGHT_STEP: Final = Decimal("1e-9")


@dataclass(frozen=True)
class ArmReport:
    """One arm: its strategy, account, weight, metrics and daily equity ``[(ts ns, equity)]``."""

    label: str
    strategy: str
    params: dict[str, Any]
    account_id: str
    weight: Decimal
    metrics: SessionMetrics
    equity: list[tuple[int, float]]


@dataclass(frozen=True)
class ArmComparison:
    """Arm ``a`` against arm ``b``: intervals of the differences ``a − b``."""

    a: str
    b: str
    sharpe_diff: Interval
    return_diff: Interval


@dataclass(frozen=True)
class ArmsReport:
    mode: str
    arms: list[ArmReport]
    comparisons: list[ArmComparison]


def arms_report(
    runtime: SessionRuntime,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> ArmsReport:
    """The report of a multi-strategy session's arms (see the module doc).

    Raises:
        NotFound: for a session that does not run several labelled strategies.
        InvalidRequest: for a confidence outside (0, 1) or resamples below 1.
    """
    strategies = multi_strategy(runtime)
    mode = "ab" if any(s.account not in (None, 0) for s in strategies) else "shared"
    accounts = [_account(runtime, s) for s in strategies]
    weights = _weights(runtime, strategies, accounts, mode)
    arms = []
    for strategy, account, weight in zip(strategies, accounts, weights, strict=True):
        found = session_metrics(runtime, account)
        arms.append(
            ArmReport(
                strategy.label, strategy.strategy, strategy.params, account, weight, found,
                _equity(runtime, account),
            )
        )  # fmt: skip
    comparisons = []
    if mode == "ab":
        for a, b in combinations(arms, 2):
            sharpe, total = _compare(a, b, confidence=confidence, resamples=resamples, seed=seed)
            comparisons.append(ArmComparison(a.label, b.label, sharpe, total))
    return ArmsReport(mode, arms, comparisons)


def arm_returns(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> tuple[Any, Any]:
    """The paired daily simple returns of two equity curves over their common days
    (a day counts when both curves were above 0 the day before)."""
    common = sorted({t for t, _ in a} & {t for t, _ in b})
    va = dict(a)
    vb = dict(b)
    ea = np.asarray([va[t] for t in common], dtype=np.float64)
    eb = np.asarray([vb[t] for t in common], dtype=np.float64)
    if ea.size < 2:
        return np.zeros(0), np.zeros(0)
    valid = (ea[:-1] > 0) & (eb[:-1] > 0)
    ra = ea[1:][valid] / ea[:-1][valid] - 1.0
    rb = eb[1:][valid] / eb[:-1][valid] - 1.0
    return ra, rb


def _compare(
    a: ArmReport, b: ArmReport, *, confidence: float, resamples: int, seed: int
) -> tuple[Interval, Interval]:
    ra, rb = arm_returns(a.equity, b.equity)
    metrics = a.metrics.metrics
    days = _TRADING_DAYS if metrics is None else metrics.trading_days_per_year
    try:
        return bootstrap_differences(
            ra, rb, seed=seed, periods_per_year=days, resamples=resamples, confidence=confidence
        )
    except ValueError as error:
        raise InvalidRequest(str(error)) from None


def session_accounts(runtime: SessionRuntime) -> list[str]:
    """The accounts a session's whole result is measured over: its default account, and
    in an ``ab`` session each arm's own account too."""
    found = [runtime.default_account_id]
    for strategy in labeled_strategies(runtime):
        account = _account(runtime, strategy)
        if account not in found:
            found.append(account)
    return found


def _account(runtime: SessionRuntime, strategy: LabeledStrategy) -> str:
    if strategy.account is None or strategy.account == 0:
        return runtime.default_account_id
    if isinstance(strategy.account, int):
        return account_id(runtime.spec.session_id, strategy.account)
    return str(strategy.account)


def _weights(
    runtime: SessionRuntime, strategies: list[LabeledStrategy], accounts: list[str], mode: str
) -> list[Decimal]:
    """An arm's weight: its share of the session's initial cash (``ab``), or its sleeve's
    weight now (``shared``: ``equal_risk`` moves it)."""
    if mode == "ab":
        cash = [runtime.books(a).account.initial_cash for a in accounts]
        total = sum(cash, runtime.books(runtime.default_account_id).account.initial_cash)
        if not total:
            return [Decimal(0) for _ in cash]
        return [(c / total).quantize(_WEIGHT_STEP) for c in cash]
    weights = []
    pipeline = runtime.pipeline
    for strategy in strategies:
        agent = None if pipeline is None else pipeline.agents.get(strategy.agent)
        sleeve = getattr(agent, "sleeve", None)
        with runtime.locked():
            weight = sleeve.weight if sleeve is not None else strategy.weight
        weights.append(Decimal(0) if weight is None else weight)
    return weights


def _equity(runtime: SessionRuntime, account: str) -> list[tuple[int, float]]:
    try:
        history = account_portfolio_history(
            runtime, account, HistoryQuery(timeframe="1D", start_ns=runtime.spec.start_ns)
        )
    except InvalidRequest:  # the clock is at the session's start: no sample yet
        return []
    return [(t * 1_000_000_000, v) for t, v in zip(history.timestamp, history.equity, strict=True)]
