"""``/v1/history`` and a session's ``summary`` and ``trades``: what ended sessions came to.

Every session of any type gets a summary when it ends (stopped, killed,
completed; see :mod:`paperbroker.services.history`): the history lists the
caller's, filtered and sorted. A summary's ``metrics`` are every metric the
session's metrics give (as ``GET /v1/sessions/{id}/metrics`` writes them:
ratios as decimal strings, durations in seconds), and its ``run_record``
what makes the run reproducible (docs/history.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from paperbroker.analytics.metrics import Metrics
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.formats import decimal_text, time_text
from paperbroker.api.params import Time
from paperbroker.api.responses import ResponseModel
from paperbroker.api.routes.session_metrics import MetricsPublic, Ratio, TradePublic, ratio
from paperbroker.core.clock import datetime_to_ns
from paperbroker.services.trade_review import TradeReview, trade_reviews
from paperbroker.store.summaries import HistoryQuery, SessionSummary, SortKey

router = APIRouter(tags=["history"])


class SessionSummaryPublic(ResponseModel):
    """What an ended session came to (its history entry)."""

    session_id: str
    name: str
    type: str = Field(json_schema_extra={"enum": ["backtest", "paper", "live"]})
    state: str = Field(json_schema_extra={"enum": ["stopped", "killed", "completed"]})
    strategy: str | None = Field(description="null for a session traded by hand or by several.")
    params: dict[str, Any] = Field(description="The strategy's parameters, defaults filled in.")
    symbols: list[str]
    start: str = Field(description="The session's first moment.")
    end: str = Field(description="Its clock when it ended.")
    ended_at: str = Field(description="When it ended (wall time).")
    initial_equity: str
    final_equity: str
    pnl: str = Field(description="final_equity - initial_equity.")
    total_return: Ratio
    max_drawdown: Ratio
    sharpe: Ratio
    trades: int = Field(description="Closed round trips.")
    metrics: MetricsPublic | None = Field(
        description="Every metric, as GET /v1/sessions/{id}/metrics writes them; null when the "
        "session ended at its start."
    )

    @classmethod
    def of(cls, s: SessionSummary) -> SessionSummaryPublic:
        return cls(**_summary_fields(s))


def _summary_fields(s: SessionSummary) -> dict[str, Any]:
    return {
        "session_id": s.session_id, "name": s.name, "type": s.kind, "state": s.state,
        "strategy": s.strategy, "params": s.params, "symbols": list(s.symbols),
        "start": time_text(s.period_start), "end": time_text(s.period_end),
        "ended_at": time_text(s.ended_at), "initial_equity": decimal_text(s.initial_equity),
        "final_equity": decimal_text(s.final_equity), "pnl": decimal_text(s.pnl),
        "total_return": ratio(s.total_return), "max_drawdown": ratio(s.max_drawdown),
        "sharpe": ratio(s.sharpe), "trades": s.trades,
        "metrics": MetricsPublic.of(Metrics.from_dict(s.metrics)) if s.metrics else None,
    }  # fmt: skip


class RunRecordPublic(ResponseModel):
    """What reproduces the run: code, data, configuration, and the digest of its fills."""

    code_version: str = Field(description="The server's version.")
    strategy_source_digest: str | None = Field(
        description="SHA-256 of its strategy's source (null without one strategy)."
    )
    data_digest: str = Field(description="SHA-256 of the bars it read.")
    params: dict[str, Any]
    seed: int = Field(description="The execution models' seed.")
    execution: dict[str, Any] = Field(description="The execution models (docs/execution.md).")
    strategy: str | None
    symbols: list[str]
    start: str
    end: str
    initial_cash: str
    type: str
    config: dict[str, Any] = Field(
        description="The body of the create request that makes it again (its type's route)."
    )
    fills: int
    fills_digest: str = Field(description="SHA-256 of its fills in canonical form.")


class SessionSummaryDetail(SessionSummaryPublic):
    """A session's summary and its run record."""

    run_record: RunRecordPublic


class HistoryPublic(ResponseModel):
    items: list[SessionSummaryPublic]
    total: int = Field(description="How many summaries match, over every page.")


@router.get(
    "/v1/history",
    operation_id="listHistory",
    summary="Ended sessions' summaries",
)
def list_history(
    caller: Owner,
    service: Service,
    kind: Annotated[
        Literal["backtest", "paper", "live"] | None,
        Query(alias="type", description="Only this type."),
    ] = None,
    strategy: Annotated[
        str | None, Query(max_length=300, description="Only sessions of this strategy.")
    ] = None,
    state: Annotated[
        Literal["stopped", "killed", "completed"] | None, Query(description="Only this end state.")
    ] = None,
    since: Annotated[
        Time | None, Query(description="Ended at or after this time (RFC 3339).")
    ] = None,
    until: Annotated[
        Time | None, Query(description="Ended at or before this time (RFC 3339).")
    ] = None,
    sort: Annotated[SortKey, Query(description="The order of the list.")] = "ended_at",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HistoryPublic:
    """The caller's ended sessions (every type), newest end first by default; a ratio that
    is undefined sorts last either way, and `pnl` sorts as the exact decimal."""
    query = HistoryQuery(
        kind=kind, strategy=strategy, state=state,
        since=None if since is None else datetime_to_ns(since),
        until=None if until is None else datetime_to_ns(until),
        sort=sort, descending=order == "desc", limit=limit, offset=offset,
    )  # fmt: skip
    page = service.history.list(caller.key_id, query)
    return HistoryPublic(items=[SessionSummaryPublic.of(s) for s in page.items], total=page.total)


@router.get(
    "/v1/sessions/{sessionId}/summary",
    operation_id="getSessionSummary",
    summary="An ended session's summary and run record",
    responses=answers({404: "No such session of yours, or it has not ended yet."}),
)
def get_summary(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionSummaryDetail:
    """Written once when the session ends; 404 until then."""
    service.get(caller.key_id, session_id)  # restored (after a restart): its summary is written
    found = service.history.get(caller.key_id, session_id)
    return SessionSummaryDetail(
        **_summary_fields(found), run_record=RunRecordPublic(**found.run_record)
    )


class TradeReviewPublic(TradePublic):
    """A round trip, reviewed."""

    slippage: str = Field(description="Money its fills paid against their reference prices.")
    entry_order_id: str | None
    exit_order_id: str | None = Field(description="null while it is open.")
    factor: str | None = Field(description="The strategy's reason for the entry, if recorded.")

    @classmethod
    def of_review(cls, review: TradeReview) -> TradeReviewPublic:
        return cls(
            **TradePublic.of(review.trade).model_dump(),
            slippage=decimal_text(review.slippage),
            entry_order_id=review.entry_order_id,
            exit_order_id=review.exit_order_id,
            factor=review.factor,
        )


class TradeReviewsPublic(ResponseModel):
    items: list[TradeReviewPublic]


@router.get(
    "/v1/sessions/{sessionId}/trades",
    operation_id="listSessionTrades",
    summary="A session's round trips, reviewed",
)
def list_trades(session_id: SessionIdPath, caller: Owner, service: Service) -> TradeReviewsPublic:
    """The default account's round trips, oldest entry first (open ones included): each
    with its slippage, MAE and MFE over the session's bars, and its entry and exit orders."""
    runtime = service.runtime(caller.key_id, session_id)
    return TradeReviewsPublic(
        items=[TradeReviewPublic.of_review(r) for r in trade_reviews(runtime)]
    )
