"""``/v1/sessions/{sessionId}/metrics``: a session's performance metrics and trade log.

See :mod:`paperbroker.services.session_metrics` for the valuation and
docs/metrics.md for every metric. Ratios are decimal strings like every
number the API answers: finite ones to 10 significant digits, an infinite one
``inf`` or ``-inf`` (a profit factor with wins and no losses), an undefined
one ``null``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from paperbroker.analytics.metrics import Metrics
from paperbroker.analytics.trades import Trade
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.formats import decimal_text, text_or_none, time_text
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import ExecutionQualityPublic, ResponseModel
from paperbroker.api.schemas import SYMBOL_PATTERN
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.services.session_metrics import SessionMetrics, session_metrics

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

_SIGNIFICANT = 10
Ratio = Annotated[
    str | None,
    Field(
        examples=["0.1234"],
        description="A ratio as a decimal string (`inf`/`-inf` when infinite; null when "
        "undefined).",
    ),
]


def ratio(value: float | None) -> str | None:
    """``value`` as the API writes a ratio (see the module doc); ``None`` stays null."""
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return decimal_text(Decimal(f"{value:.{_SIGNIFICANT}g}"))


def seconds(ns: int) -> str:
    """A duration in ns as decimal seconds."""
    return decimal_text(Decimal(ns) / NANOS_PER_SECOND)


def seconds_or_none(ns: int | None) -> str | None:
    """:func:`seconds`, null for ``None``."""
    return None if ns is None else seconds(ns)


class MetricsPublic(ResponseModel):
    """Performance over the account's daily equity (`/v2/account/portfolio/history`, `1D`)."""

    start: str = Field(description="The first sample's day (its label, midnight New York).")
    end: str = Field(description="The last sample's day; that sample is valued now.")
    initial_cash: str
    final_equity: str = Field(description="The last point of the portfolio history.")
    total_return: Ratio
    cagr: Ratio
    max_drawdown: Ratio = Field(description="The deepest fall from a peak (≤ 0).")
    max_drawdown_duration_seconds: str
    volatility_annual: Ratio
    sharpe: Ratio
    sortino: Ratio
    trading_days_per_year: int
    num_trades: int = Field(description="Closed round trips.")
    num_open_trades: int
    win_rate: Ratio
    profit_factor: Ratio
    avg_trade_pnl: str
    best_trade_return: Ratio
    worst_trade_return: Ratio
    fees: str
    exposure: Ratio = Field(description="The share of samples with a position held.")
    risk_free_rate: Ratio = Field(description="The annual rate the ratios subtract.")
    annualized_return: Ratio = Field(description="Geometric, over the daily returns.")
    calmar: Ratio = Field(description="annualized_return / |max_drawdown|.")
    omega: Ratio = Field(description="Gains over losses around the risk-free rate.")
    recovery_seconds: str | None = Field(
        description="From the deepest trough back to its peak; null while not recovered."
    )
    var_95: Ratio = Field(description="Historical daily value at risk, a return (≤ 0 a loss).")
    var_99: Ratio
    es_95: Ratio = Field(description="Expected shortfall: the mean return beyond var_95.")
    es_99: Ratio
    expectancy: Ratio = Field(description="The mean return per closed trade.")
    avg_win: str | None = Field(description="Mean P&L of the winning trades.")
    avg_loss: str | None = Field(description="Mean P&L of the losing trades (< 0).")
    largest_win: str | None
    largest_loss: str | None
    longest_win_streak: int
    longest_loss_streak: int
    trades_per_day: Ratio = Field(description="Closed trades per calendar day.")
    avg_holding_seconds: str | None = Field(description="Mean entry-to-exit time.")
    turnover: Ratio = Field(description="Traded notional over mean equity.")
    slippage_cost: str | None = Field(description="Slippage paid against the reference prices.")
    alpha: Ratio = Field(description="Annualised; null without a benchmark.")
    beta: Ratio = Field(description="Against the benchmark; null without one.")
    benchmark_return: Ratio = Field(description="The benchmark's buy and hold over the run.")
    fill_ratio: Ratio = Field(description="Filled over ordered quantity of ended orders.")
    avg_slippage_bps: Ratio = Field(description="Slippage in basis points of traded value.")
    avg_latency_seconds: Ratio = Field(description="Mean order-to-venue latency of fills.")

    @classmethod
    def of(cls, metrics: Metrics) -> MetricsPublic:
        m = metrics
        return cls(
            start=time_text(m.start_ts), end=time_text(m.end_ts),
            initial_cash=decimal_text(m.initial_cash), final_equity=decimal_text(m.final_equity),
            total_return=ratio(m.total_return), cagr=ratio(m.cagr),
            max_drawdown=ratio(m.max_drawdown),
            max_drawdown_duration_seconds=seconds(m.max_drawdown_duration_ns),
            volatility_annual=ratio(m.volatility_annual), sharpe=ratio(m.sharpe),
            sortino=ratio(m.sortino), trading_days_per_year=m.trading_days_per_year,
            num_trades=m.num_trades, num_open_trades=m.num_open_trades,
            win_rate=ratio(m.win_rate), profit_factor=ratio(m.profit_factor),
            avg_trade_pnl=decimal_text(m.avg_trade_pnl),
            best_trade_return=ratio(m.best_trade_return),
            worst_trade_return=ratio(m.worst_trade_return),
            fees=decimal_text(m.fees), exposure=ratio(m.exposure),
            risk_free_rate=ratio(m.risk_free_rate),
            annualized_return=ratio(m.annualized_return), calmar=ratio(m.calmar),
            omega=ratio(m.omega), recovery_seconds=seconds_or_none(m.recovery_ns),
            var_95=ratio(m.var_95), var_99=ratio(m.var_99),
            es_95=ratio(m.es_95), es_99=ratio(m.es_99), expectancy=ratio(m.expectancy),
            avg_win=text_or_none(m.avg_win), avg_loss=text_or_none(m.avg_loss),
            largest_win=text_or_none(m.largest_win), largest_loss=text_or_none(m.largest_loss),
            longest_win_streak=m.longest_win_streak, longest_loss_streak=m.longest_loss_streak,
            trades_per_day=ratio(m.trades_per_day),
            avg_holding_seconds=seconds_or_none(m.avg_holding_ns),
            turnover=ratio(m.turnover), slippage_cost=text_or_none(m.slippage_cost),
            alpha=ratio(m.alpha), beta=ratio(m.beta), benchmark_return=ratio(m.benchmark_return),
            fill_ratio=ratio(m.fill_ratio), avg_slippage_bps=ratio(m.avg_slippage_bps),
            avg_latency_seconds=ratio(m.avg_latency_seconds),
        )  # fmt: skip


class TradePublic(ResponseModel):
    """One round trip of a symbol's position: flat, then held, then flat again."""

    symbol: str
    direction: str = Field(json_schema_extra={"enum": ["long", "short"]})
    qty: str = Field(description="The largest position held.")
    entry_time: str
    entry_price: str = Field(description="Average price of the fills that opened or added.")
    exit_time: str | None = Field(description="null while it is open.")
    exit_price: str | None = Field(description="Average price of the reducing fills so far.")
    gross_pnl: str = Field(description="Realized P&L before fees (so far, while open).")
    fees: str
    pnl: str = Field(description="gross_pnl - fees.")
    return_pct: Ratio = Field(description="pnl / (entry_price × qty).")
    holding_seconds: str | None = Field(description="exit_time - entry_time; null while open.")
    fill_ids: list[str] = Field(description="Its fills, in order (see the account's fills).")
    mae: Ratio = Field(
        description="Maximum adverse excursion while open, over the entry price (≤ 0)."
    )
    mfe: Ratio = Field(
        description="Maximum favourable excursion while open, over the entry price (≥ 0)."
    )

    @classmethod
    def of(cls, trade: Trade) -> TradePublic:
        t = trade
        return cls(
            symbol=t.symbol, direction=t.direction, qty=decimal_text(t.qty),
            entry_time=time_text(t.entry_ts), entry_price=decimal_text(t.entry_price),
            exit_time=None if t.exit_ts is None else time_text(t.exit_ts),
            exit_price=text_or_none(t.exit_price), gross_pnl=decimal_text(t.gross_pnl),
            fees=decimal_text(t.fees), pnl=decimal_text(t.pnl), return_pct=ratio(t.return_pct),
            holding_seconds=None if t.exit_ts is None else seconds(t.exit_ts - t.entry_ts),
            fill_ids=[str(f) for f in t.fill_ids], mae=ratio(t.mae), mfe=ratio(t.mfe),
        )  # fmt: skip


class SessionMetricsPublic(ResponseModel):
    """An account's performance, execution quality and round-trip trades."""

    account_id: str
    metrics: MetricsPublic | None = Field(
        description="null before the account's first daily sample (the clock at its start)."
    )
    average_trade_duration_seconds: str | None = Field(
        description="The mean holding time of the closed trades; null without any."
    )
    samples: int = Field(description="Daily equity samples the metrics are computed over.")
    execution_quality: ExecutionQualityPublic = Field(
        description="The session's, as its view shows it (every account)."
    )
    trades: list[TradePublic] = Field(description="Oldest entry first; open ones included.")

    @classmethod
    def of(cls, found: SessionMetrics) -> SessionMetricsPublic:
        average = found.average_trade_duration_ns
        return cls(
            account_id=found.account_id,
            metrics=None if found.metrics is None else MetricsPublic.of(found.metrics),
            average_trade_duration_seconds=None if average is None else seconds(average),
            samples=found.samples,
            execution_quality=ExecutionQualityPublic.of(found.execution_quality),
            trades=[TradePublic.of(t) for t in found.trades],
        )


@router.get(
    "/{sessionId}/metrics",
    operation_id="getSessionMetrics",
    summary="A session's performance metrics and trade log",
    responses=answers(rules=["benchmark: a symbol the session or the server has bars of"]),
)
def get_metrics(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    account_id: Annotated[
        str | None,
        Query(
            alias="accountId",
            pattern=UUID_PATTERN,
            description="One of the session's accounts (default: its default account).",
        ),
    ] = None,
    benchmark: Annotated[
        str | None,
        Query(
            pattern=SYMBOL_PATTERN,
            description="A symbol whose buy and hold alpha, beta and benchmark_return are "
            "measured against (the session's or the server's market data; unknown: 422).",
        ),
    ] = None,
    risk_free_rate: Annotated[
        float | None,
        Query(
            gt=-1,
            le=1,
            allow_inf_nan=False,
            description="The annual risk-free rate, e.g. 0.02 (default: the server's "
            "`PAPERBROKER_RISK_FREE_RATE`, 0 unless set).",
        ),
    ] = None,
) -> SessionMetricsPublic:
    """Returns, risk ratios (Sharpe, Sortino, Calmar, Omega), drawdowns, VaR and expected
    shortfall, trade statistics, turnover and costs, alpha and beta against a benchmark and
    execution quality over the account's daily equity (docs/metrics.md), its final equity the
    portfolio history's last point; the session's execution quality; and the account's round
    trips with their MAE and MFE. Before the first sample: `metrics` null, no trades."""
    runtime = service.runtime(caller.key_id, session_id)
    rate = service.risk_free_rate if risk_free_rate is None else risk_free_rate
    found = session_metrics(
        runtime, account_id, benchmark=benchmark, risk_free_rate=rate, market=service.market
    )
    return SessionMetricsPublic.of(found)
