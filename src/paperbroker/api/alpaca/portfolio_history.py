"""Alpaca-compatible portfolio history: ``/v2/account/portfolio/history``.

Computed on demand from the account's fills and the session's bars, never
past the session's current time (see
:mod:`paperbroker.analytics.portfolio_history` for how samples are taken and
valued).  Every Alpaca parameter is accepted: ``period``, ``timeframe``,
``start``, ``end``, ``date_end``, ``intraday_reporting`` (``extended_hours``
alone means ``intraday_reporting=extended_hours``), ``pnl_reset`` (intraday
only; daily P/L is always from the first sample's base) and
``cashflow_types`` (``ALL``, ``NONE`` or a list of activity types: the
deposit ``CSD`` and fees ``FEE`` are the account's only cash flows, reported
per sample under ``cashflow``).

The answer is :class:`~paperbroker.analytics.portfolio_history.PortfolioHistory`
itself: it has Alpaca's fields, field for field, so it is served as it is
rather than copied into a second model.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from paperbroker.analytics.portfolio_history import (
    CASHFLOW_TYPES,
    HistoryQuery,
    PortfolioHistory,
)
from paperbroker.api.alpaca.common import query_time_ns
from paperbroker.api.alpaca.target import Trading
from paperbroker.api.schemas import IsoDate
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.account_history import ACTIVITY_TYPES, expand_types

router = APIRouter(prefix="/v2/account/portfolio/history", tags=["alpaca"])

Timeframe = Literal["1Min", "5Min", "15Min", "1H", "1D"]
Reporting = Literal["market_hours", "extended_hours", "continuous"]


@router.get("", summary="Read the account's portfolio history")
def get_portfolio_history(
    target: Trading,
    period: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,3}[DWMA]$")] = None,
    timeframe: Timeframe | None = None,
    date_end: IsoDate | None = None,
    extended_hours: bool | None = None,
    start: Annotated[str | None, Query(max_length=40)] = None,
    end: Annotated[str | None, Query(max_length=40)] = None,
    intraday_reporting: Reporting | None = None,
    pnl_reset: Literal["per_day", "no_reset"] = "per_day",
    cashflow_types: Annotated[str | None, Query(max_length=400)] = None,
) -> PortfolioHistory:
    """The account's equity over ``period`` (default 1M) up to the end (default: now)."""
    reporting = intraday_reporting or ("extended_hours" if extended_hours else "market_hours")
    query = HistoryQuery(
        period=period,
        timeframe=timeframe,
        start_ns=query_time_ns(start, "start"),
        end_ns=query_time_ns(end, "end"),
        date_end=date_end,
        intraday_reporting=reporting,
        pnl_reset=pnl_reset,
        cashflow_types=_cashflow_types(cashflow_types),
    )
    return target.service.portfolio_history(
        target.owner, target.session_id, target.account_id, query
    )


def _cashflow_types(text: str | None) -> frozenset[str]:
    """``ALL`` (every flow there is), ``NONE`` (the default) or activity types.

    Raises:
        InvalidRequest: naming an unknown type.
    """
    if text is None or text.strip().upper() == "NONE":
        return frozenset()
    if text.strip().upper() == "ALL":
        return CASHFLOW_TYPES
    kinds = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(kinds - ACTIVITY_TYPES)
    if unknown:
        raise InvalidRequest(f"cashflow_types: {unknown[0][:32]!r} is not an activity type")
    return expand_types(kinds) or frozenset()
