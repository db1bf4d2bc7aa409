"""Reports, comparisons and divergence of sessions.

- ``GET /v1/sessions/{sessionId}/report``: the session's tearsheet (HTML, one
  self-contained file), its whole report as JSON, or one part as CSV; each a
  download (``Content-Disposition: attachment``).
- ``GET /v1/compare?sessions=a,b``: 2 to 10 of the caller's sessions side by
  side, with a benchmark's buy-and-hold and market regimes when one is named.
- ``GET /v1/sessions/{sessionId}/divergence?against=id``: two sessions of one
  strategy matched order by order, and what explains their differences.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from paperbroker.analytics.matching import Execution, Match
from paperbroker.analytics.periods import PeriodReturn
from paperbroker.analytics.report import render_html, to_csv, to_json
from paperbroker.analytics.report.data import exact
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.formats import canonical_uuid, decimal_text, time_text
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import ResponseModel
from paperbroker.api.routes.session_metrics import MetricsPublic, Ratio, ratio
from paperbroker.api.schemas import SYMBOL_PATTERN
from paperbroker.core.errors import NotFound
from paperbroker.services.compare import MAX_SESSIONS, Compared, compare, parse_ids
from paperbroker.services.divergence_report import DivergenceReport, divergence_report
from paperbroker.services.reports import session_report

router = APIRouter(tags=["reports"])

_MEDIA: Final = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
Benchmark = Annotated[
    str | None,
    Query(
        pattern=SYMBOL_PATTERN,
        description="A symbol whose buy-and-hold from the start is drawn beside the equity.",
    ),
]


class PointPublic(ResponseModel):
    """One sample of a curve: its time and its value (money, or a ratio for a drawdown)."""

    t: str
    v: str | None


class ReportDocument(ResponseModel):
    """A session's whole report: configuration, metrics, trades, fills, equity, benchmark."""

    schema_version: int
    title: str
    config: dict[str, Any] = Field(
        description="strategy, params, symbols, period, execution, seed…"
    )
    metrics: dict[str, Any] = Field(description="Every metric; money as exact decimal strings.")
    final_equity: str | None = Field(description="The equity curve's last point.")
    trades: list[dict[str, Any]]
    fills: list[dict[str, Any]]
    equity: list[PointPublic]
    benchmark: dict[str, Any] | None


_REPORT_CONTENT: Final = {
    200: {
        "model": ReportDocument,
        "description": "The report: HTML (`format=html`), JSON (`json`) or CSV (`csv`).",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
    **answers(rules=["benchmark names a symbol with data"]),
}


@router.get(
    "/v1/sessions/{sessionId}/report",
    operation_id="getSessionReport",
    summary="A session's report: HTML tearsheet, JSON document or CSV part",
    response_model=None,
    responses=_REPORT_CONTENT,
)
def get_report(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    format: Annotated[
        Literal["html", "json", "csv"], Query(description="What to download.")
    ] = "html",
    part: Annotated[
        Literal["metrics", "trades", "fills", "equity"],
        Query(description="The part a CSV holds (with `format=csv`)."),
    ] = "trades",
    benchmark: Benchmark = None,
) -> Response:
    """The session's report as of its current time: a self-contained HTML tearsheet that
    opens offline, the whole report as one JSON document, or one part as CSV. Money is
    exact (decimal strings); the final equity is the equity curve's last point."""
    data = session_report(service, caller.key_id, session_id, benchmark=benchmark)
    if format == "html":
        body, name = render_html(data), "report.html"
    elif format == "json":
        body, name = to_json(data), "report.json"
    else:
        body, name = to_csv(data, part), f"{part}.csv"
    return Response(
        body,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="session-{session_id[:8]}-{name}"'},
    )


class PeriodValuePublic(ResponseModel):
    period: str = Field(description="`YYYY-MM` or `YYYY`.")
    value: Ratio


class ComparedSessionPublic(ResponseModel):
    session_id: str
    name: str
    type: str
    strategy: str | None
    metrics: MetricsPublic | None = Field(description="null before its first daily sample.")
    equity: list[PointPublic]
    drawdown: list[PointPublic] = Field(description="The fall from the running peak (≤ 0).")
    returns_by_month: list[PeriodValuePublic]
    returns_by_year: list[PeriodValuePublic]

    @classmethod
    def of(cls, item: Compared) -> ComparedSessionPublic:
        r = item.report
        times = [time_text(t) for t in r.equity_ts]
        equity = [PointPublic(t=t, v=decimal_text(v)) for t, v in zip(times, r.equity, strict=True)]
        falls = [PointPublic(t=t, v=ratio(v)) for t, v in zip(times, r.drawdown(), strict=True)]
        return cls(
            session_id=str(r.config["session_id"]), name=str(r.config["name"]),
            type=str(r.config["type"]), strategy=r.config.get("strategy"),
            metrics=None if item.metrics is None else MetricsPublic.of(item.metrics),
            equity=equity, drawdown=falls,
            returns_by_month=_periods(item.by_month), returns_by_year=_periods(item.by_year),
        )  # fmt: skip


def _periods(found: list[PeriodReturn]) -> list[PeriodValuePublic]:
    return [
        PeriodValuePublic(period=p.label, value=None if p.value is None else ratio(p.value))
        for p in found
    ]


class BenchmarkPublic(ResponseModel):
    symbol: str
    equity: list[PointPublic] = Field(description="Buy-and-hold from the first session's cash.")


class RegimePublic(ResponseModel):
    regime: str = Field(json_schema_extra={"enum": ["up", "down", "flat"]})
    sessions: dict[str, Ratio] = Field(description="Session id → its compounded return.")


class ComparisonPublic(ResponseModel):
    sessions: list[ComparedSessionPublic]
    benchmark: BenchmarkPublic | None
    regimes: list[RegimePublic] = Field(description="Empty without a benchmark.")


@router.get(
    "/v1/compare",
    operation_id="compareSessions",
    summary="Sessions side by side",
    responses=answers(
        {404: "A session does not exist, or belongs to another key."},
        rules=[
            f"sessions names 2 to {MAX_SESSIONS} distinct sessions",
            "benchmark names a symbol with data",
        ],
    ),
)
def get_compare(
    caller: Owner,
    service: Service,
    sessions: Annotated[
        str,
        Query(
            max_length=MAX_SESSIONS * 40,
            description=f"2 to {MAX_SESSIONS} session ids, comma-separated.",
        ),
    ],
    benchmark: Benchmark = None,
) -> ComparisonPublic:
    """Each session's metrics, equity, drawdown and returns by month and year; with a
    benchmark, its buy-and-hold and every session's return in the benchmark's up, down and
    flat months (a month is flat within ±1 %)."""
    ids = parse_ids(sessions)
    canonical = []
    for text in ids:
        found = canonical_uuid(text)
        if found is None:
            raise NotFound(f"session {text[:64]!r} not found")
        canonical.append(found)
    result = compare(service, caller.key_id, canonical, benchmark=benchmark)
    mark = result.benchmark
    return ComparisonPublic(
        sessions=[ComparedSessionPublic.of(item) for item in result.sessions],
        benchmark=None
        if mark is None
        else BenchmarkPublic(
            symbol=mark.symbol,
            equity=[
                PointPublic(t=time_text(t), v=decimal_text(exact(v)))
                for t, v in zip(mark.ts, mark.equity, strict=True)
            ],
        ),
        regimes=[
            RegimePublic(
                regime=name,
                sessions={sid: None if v is None else ratio(v) for sid, v in values.items()},
            )
            for name, values in result.regimes
        ],
    )


class MatchedPublic(ResponseModel):
    """One order of each session: same symbol and side, nearest in time."""

    symbol: str
    side: str = Field(json_schema_extra={"enum": ["buy", "sell"]})
    qty: str = Field(description="The session's quantity.")
    qty_b: str = Field(description="The other session's quantity.")
    time_a: str
    time_b: str
    price_a: str = Field(description="Average fill price.")
    price_b: str
    price_diff: str = Field(description="price_a - price_b.")
    price_diff_bps: Ratio = Field(description="How much worse price_a was, in bps (< 0: better).")
    slippage_a: str = Field(description="Slippage paid on the order (money).")
    slippage_b: str
    pnl_a: str = Field(description="P&L the order realized, net of its fees.")
    pnl_b: str
    delay_seconds: str = Field(description="time_a - time_b.")
    order_id_a: str
    order_id_b: str

    @classmethod
    def of(cls, m: Match) -> MatchedPublic:
        a, b = m.a, m.b
        return cls(
            symbol=a.symbol, side=a.side.value, qty=decimal_text(a.qty), qty_b=decimal_text(b.qty),
            time_a=time_text(a.ts), time_b=time_text(b.ts), price_a=decimal_text(a.price),
            price_b=decimal_text(b.price), price_diff=decimal_text(m.price_diff),
            price_diff_bps=ratio(m.cost_bps), slippage_a=decimal_text(a.slippage),
            slippage_b=decimal_text(b.slippage), pnl_a=decimal_text(a.pnl),
            pnl_b=decimal_text(b.pnl), delay_seconds=decimal_text(m.delay_seconds),
            order_id_a=a.order_id, order_id_b=b.order_id,
        )  # fmt: skip


class UnmatchedPublic(ResponseModel):
    """An order only one of the sessions made."""

    symbol: str
    side: str = Field(json_schema_extra={"enum": ["buy", "sell"]})
    qty: str
    time: str
    price: str
    slippage: str
    pnl: str
    order_id: str

    @classmethod
    def of(cls, e: Execution) -> UnmatchedPublic:
        return cls(
            symbol=e.symbol, side=e.side.value, qty=decimal_text(e.qty), time=time_text(e.ts),
            price=decimal_text(e.price), slippage=decimal_text(e.slippage),
            pnl=decimal_text(e.pnl), order_id=e.order_id,
        )  # fmt: skip


class DivergenceTotalsPublic(ResponseModel):
    matched: int
    only_in_session: int
    only_in_against: int
    worse_prices: int = Field(description="Matched orders the session filled at a worse price.")
    better_prices: int
    mean_price_diff_bps: Ratio
    mean_delay_seconds: str | None
    slippage_a: str
    slippage_b: str
    pnl_a: str = Field(description="The session's realized P&L, net of fees.")
    pnl_b: str
    pnl_diff: str = Field(description="pnl_a - pnl_b.")


class DivergencePublic(ResponseModel):
    session_id: str
    against_id: str
    matched: list[MatchedPublic]
    only_in_session: list[UnmatchedPublic]
    only_in_against: list[UnmatchedPublic]
    totals: DivergenceTotalsPublic
    explanations: list[str] = Field(description="What explains the differences, in sentences.")

    @classmethod
    def of(cls, report: DivergenceReport) -> DivergencePublic:
        d = report.divergence
        costs = [m.cost_bps for m in d.matched]
        delays = [m.delay_seconds for m in d.matched]
        zero = Decimal(0)
        totals = DivergenceTotalsPublic(
            matched=len(d.matched), only_in_session=len(d.only_in_a),
            only_in_against=len(d.only_in_b), worse_prices=sum(1 for c in costs if c > 0),
            better_prices=sum(1 for c in costs if c < 0),
            mean_price_diff_bps=ratio(sum(costs) / len(costs)) if costs else None,
            mean_delay_seconds=decimal_text(sum(delays, zero) / len(delays)) if delays else None,
            slippage_a=decimal_text(sum((m.a.slippage for m in d.matched), zero)),
            slippage_b=decimal_text(sum((m.b.slippage for m in d.matched), zero)),
            pnl_a=decimal_text(d.pnl_a), pnl_b=decimal_text(d.pnl_b),
            pnl_diff=decimal_text(d.pnl_a - d.pnl_b),
        )  # fmt: skip
        return cls(
            session_id=report.session_id,
            against_id=report.against_id,
            matched=[MatchedPublic.of(m) for m in d.matched],
            only_in_session=[UnmatchedPublic.of(e) for e in d.only_in_a],
            only_in_against=[UnmatchedPublic.of(e) for e in d.only_in_b],
            totals=totals,
            explanations=report.explanations,
        )


@router.get(
    "/v1/sessions/{sessionId}/divergence",
    operation_id="getSessionDivergence",
    summary="Two sessions of one strategy matched order by order",
    responses=answers(rules=["against names another session than sessionId"]),
)
def get_divergence(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    against: Annotated[
        str, Query(pattern=UUID_PATTERN, description="The session to compare with.")
    ],
) -> DivergencePublic:
    """Matches the two sessions' orders by symbol, side and nearest time, and reports the
    differences in fill price, slippage, timing and P&L, the orders only one of them made,
    and what explains it all (prices, data, latency). Typical: a paper session against a
    backtest of the same strategy and period, or a live session against its paper twin."""
    other = canonical_uuid(against)
    if other is None:
        raise NotFound(f"session {against[:64]!r} not found")
    return DivergencePublic.of(divergence_report(service, caller.key_id, session_id, other))
