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

from typing import Annotated, Final, Literal

from fastapi import APIRouter, Query

from paperbroker.analytics.portfolio_history import (
    CASHFLOW_TYPES,
    HistoryQuery,
    PortfolioHistory,
)
from paperbroker.api.alpaca.target import Trading
from paperbroker.api.contract import answers
from paperbroker.api.params import TimeOrDateQuery
from paperbroker.api.schemas import Documented, IsoDate
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.account_history import ACTIVITY_TYPES, expand_types

router = APIRouter(prefix="/v2/account/portfolio/history", tags=["alpaca"])

_TYPE: Final = "(" + "|".join(sorted(ACTIVITY_TYPES)) + ")"
#: ``ALL``, ``NONE`` (any case), or known activity types separated by commas.
CASHFLOW_PATTERN: Final = rf"^([Aa][Ll][Ll]|[Nn][Oo][Nn][Ee]|{_TYPE}(,{_TYPE})*)$"

Timeframe = Literal["1Min", "5Min", "15Min", "1H", "1D"]
Reporting = Literal["market_hours", "extended_hours", "continuous"]


@router.get(
    "",
    summary="Read the account's portfolio history",
    responses=answers(
        rules=[
            "end or date_end, not both; at most two of start, end (or date_end) and period",
            "a start before the end of the history (at the latest, the session's time)",
            "an intraday timeframe over at most 30 days",
        ]
    ),
)
def get_portfolio_history(
    target: Trading,
    period: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,3}[DWMA]$")] = None,
    timeframe: Timeframe | None = None,
    date_end: IsoDate | None = None,
    extended_hours: bool | None = None,
    start: TimeOrDateQuery = None,
    end: TimeOrDateQuery = None,
    intraday_reporting: Reporting | None = None,
    pnl_reset: Literal["per_day", "no_reset"] = "per_day",
    cashflow_types: Annotated[
        Annotated[str, Documented(pattern=CASHFLOW_PATTERN)] | None,
        Query(
            max_length=400,
            description="`ALL`, `NONE` (the default) or activity types separated by commas.",
        ),
    ] = None,
) -> PortfolioHistory:
    """The account's equity over ``period`` (default 1M) up to the end (default: now)."""
    reporting = intraday_reporting or ("extended_hours" if extended_hours else "market_hours")
    query = HistoryQuery(
        period=period,
        timeframe=timeframe,
        start_ns=None if start is None else datetime_to_ns(start),
        end_ns=None if end is None else datetime_to_ns(end),
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
        InvalidRequest: naming an unknown type (or an empty one).
    """
    if text is None or text.upper() == "NONE":
        return frozenset()
    if text.upper() == "ALL":
        return CASHFLOW_TYPES
    kinds = text.split(",")
    unknown = [kind for kind in kinds if kind not in ACTIVITY_TYPES]
    if unknown:
        raise InvalidRequest(f"cashflow_types: {unknown[0][:32]!r} is not an activity type")
    return expand_types(frozenset(kinds)) or frozenset()
