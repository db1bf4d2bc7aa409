"""``/v1/sessions/{sessionId}/arms`` and ``/attribution``: a multi-strategy session's report.

See :mod:`paperbroker.services.ab_tests` (the arms, compared by a seeded
bootstrap) and :mod:`paperbroker.services.attribution` (what each strategy
made), and docs/ab-tests.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from paperbroker.analytics.bootstrap import DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, Interval
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.errors import ApiError
from paperbroker.api.formats import decimal_text, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.routes.session_metrics import MetricsPublic, Ratio, ratio
from paperbroker.api.schemas import ArmChoice
from paperbroker.services import catalog
from paperbroker.services.ab_tests import ArmComparison, ArmReport, arms_report
from paperbroker.services.attribution import StrategyAttribution, session_attribution
from paperbroker.services.catalog import InvalidStrategyParameter

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

_NOT_MULTI = "No such session of yours, or not a multi-strategy session."


def check_arms(strategies: list[ArmChoice] | None) -> None:
    """Refuse a ``strategies`` entry whose ``params`` its strategy refuses: a 422 whose
    ``field`` names it (``strategies.1.params.fast``).

    Raises:
        ApiError: 422 with ``field``.
    """
    for index, arm in enumerate(strategies or ()):
        try:
            catalog.check_strategy_params(arm.name, arm.params, where=f"strategies.{index}")
        except InvalidStrategyParameter as error:
            raise ApiError(422, str(error), details={"field": error.field}) from None


def money(value: float) -> str:
    """A float amount of money (a portfolio history's) as a decimal string."""
    return decimal_text(Decimal(repr(value)))


class SeriesPoint(ResponseModel):
    """One point of a time series: its time and value."""

    t: str = Field(description="RFC 3339 time (a daily sample: its day's label).")
    v: str = Field(description="The value, a decimal string.")


class IntervalPublic(ResponseModel):
    """A point estimate and its bootstrap confidence interval (`low` ≤ `high`)."""

    estimate: Ratio
    low: Ratio
    high: Ratio

    @classmethod
    def of(cls, interval: Interval) -> IntervalPublic:
        return cls(
            estimate=ratio(interval.estimate), low=ratio(interval.low), high=ratio(interval.high)
        )


class ArmPublic(ResponseModel):
    """One strategy of a multi-strategy session."""

    label: str
    strategy: str
    params: dict[str, Any]
    account_id: str = Field(description="The account it trades (`shared`: the default one).")
    weight: str = Field(
        description="`ab`: its share of the initial cash; `shared`: its sleeve's weight now."
    )
    metrics: MetricsPublic | None = Field(
        description="Its account's metrics (null before the first daily sample)."
    )
    equity: list[SeriesPoint] = Field(description="Its account's daily equity.")

    @classmethod
    def of(cls, arm: ArmReport) -> ArmPublic:
        found = arm.metrics.metrics
        return cls(
            label=arm.label, strategy=arm.strategy, params=arm.params, account_id=arm.account_id,
            weight=decimal_text(arm.weight.normalize()),
            metrics=None if found is None else MetricsPublic.of(found),
            equity=[SeriesPoint(t=time_text(t), v=money(v)) for t, v in arm.equity],
        )  # fmt: skip


class ArmComparisonPublic(ResponseModel):
    """Arm `a` against arm `b`: bootstrap intervals of `a − b`."""

    a: str
    b: str
    sharpe_diff: IntervalPublic = Field(description="sharpe(a) − sharpe(b), daily returns.")
    return_diff: IntervalPublic = Field(description="total_return(a) − total_return(b).")
    confidence: Ratio
    resamples: int

    @classmethod
    def of(cls, comparison: ArmComparison) -> ArmComparisonPublic:
        c = comparison
        return cls(
            a=c.a, b=c.b, sharpe_diff=IntervalPublic.of(c.sharpe_diff),
            return_diff=IntervalPublic.of(c.return_diff),
            confidence=ratio(c.sharpe_diff.confidence), resamples=c.sharpe_diff.resamples,
        )  # fmt: skip


class ArmsPublic(ResponseModel):
    """A multi-strategy session's arms and their pairwise comparisons (`ab` only)."""

    mode: str = Field(json_schema_extra={"enum": ["ab", "shared"]})
    arms: list[ArmPublic]
    comparisons: list[ArmComparisonPublic]


class AttributionRow(ResponseModel):
    """What one strategy made (`label` null: orders no strategy placed)."""

    label: str | None
    strategy: str | None
    realized_pnl: str = Field(description="FIFO over its own fills.")
    unrealized_pnl: str = Field(description="Its open lots at the last marks.")
    fees: str
    pnl: str = Field(description="realized_pnl + unrealized_pnl − fees.")
    fills: int = Field(description="Its fills (executions, not round trips).")
    orders: int = Field(description="Its orders.")

    @classmethod
    def of(cls, row: StrategyAttribution) -> AttributionRow:
        p = row.pnl
        return cls(
            label=p.label, strategy=row.strategy, realized_pnl=decimal_text(p.realized_pnl),
            unrealized_pnl=decimal_text(p.unrealized_pnl), fees=decimal_text(p.fees),
            pnl=decimal_text(p.pnl), fills=p.fills, orders=p.orders,
        )  # fmt: skip


class AttributionPublic(ResponseModel):
    items: list[AttributionRow]


@router.get(
    "/{sessionId}/arms",
    operation_id="getSessionArms",
    summary="A multi-strategy session's arms, compared",
    responses=answers({404: _NOT_MULTI}),
)
def get_arms(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    confidence: Annotated[
        float, Query(ge=0.8, le=0.99, description="The intervals' coverage.")
    ] = DEFAULT_CONFIDENCE,
    resamples: Annotated[
        int, Query(ge=100, le=20_000, description="Bootstrap resamples.")
    ] = DEFAULT_RESAMPLES,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Seeds the bootstrap.")] = 0,
) -> ArmsPublic:
    """Each arm's strategy, account, weight, metrics and daily equity; in an `ab` session
    every pair of arms compared by a seeded paired bootstrap of their daily returns (the
    same seed, the same intervals). 404 for a session without several labelled strategies."""
    runtime = service.runtime(caller.key_id, session_id)
    report = arms_report(runtime, confidence=confidence, resamples=resamples, seed=seed)
    return ArmsPublic(
        mode=report.mode,
        arms=[ArmPublic.of(arm) for arm in report.arms],
        comparisons=[ArmComparisonPublic.of(c) for c in report.comparisons],
    )


@router.get(
    "/{sessionId}/attribution",
    operation_id="getSessionAttribution",
    summary="What each strategy of a session made",
    responses=answers({404: "No such session of yours, or no strategy to attribute to."}),
)
def get_attribution(
    session_id: SessionIdPath, caller: Owner, service: Service
) -> AttributionPublic:
    """Per strategy label, over the session's accounts: realized P&L (FIFO over its own fills),
    unrealized P&L of its open lots, fees, fills and orders; the rows' `pnl` sum to the
    accounts' equity minus their initial cash. A session of one strategy has one row."""
    runtime = service.runtime(caller.key_id, session_id)
    return AttributionPublic(items=[AttributionRow.of(r) for r in session_attribution(runtime)])
