"""Alpaca-compatible account activities: ``/v2/account/activities[/{activity_type}]``.

Computed on demand from the session's events (see
:mod:`paperbroker.services.account_history`): a ``FILL`` per fill (Alpaca's
TradeActivity), a ``CSD`` for the account's starting cash and a ``FEE`` per
fill that paid a fee (NonTradeActivity).  Newest first by default; pages of
at most 100 (all of them when ``date`` is given), the next page starting
after the ``page_token`` (the id of the previous page's last activity).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Path, Query

from paperbroker.api.alpaca.common import NEW_YORK
from paperbroker.api.alpaca.target import Target, Trading
from paperbroker.api.contract import answers
from paperbroker.api.formats import decimal_text, time_text
from paperbroker.api.params import DateOrTimeQuery, TimeOrDateQuery
from paperbroker.api.responses import ResponseModel
from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.services.account_history import (
    MAX_PAGE_SIZE,
    Activity,
    ActivityQuery,
    CashActivity,
    FillActivity,
)

router = APIRouter(prefix="/v2/account/activities", tags=["alpaca"])

#: Activity types, separated by commas: ``FILL,CSD``.
TYPES_PATTERN: Final = r"^[A-Za-z]{1,16}(,[A-Za-z]{1,16})*$"
_ANSWERS: Final = answers(rules=["a page_token that is not the id of one of these activities"])


class AlpacaTradeActivity(ResponseModel):
    """A fill (``alpaca.trading.models.TradeActivity``)."""

    id: str
    account_id: str
    activity_type: Literal["FILL"]
    transaction_time: str
    type: Literal["fill", "partial_fill"]
    price: str
    qty: str
    side: str
    symbol: str
    leaves_qty: str
    order_id: str
    cum_qty: str
    order_status: Literal["filled", "partially_filled"]

    @classmethod
    def of(cls, activity: FillActivity) -> AlpacaTradeActivity:
        partial = activity.partial
        return cls(
            id=activity.id,
            account_id=activity.account_id,
            activity_type="FILL",
            transaction_time=time_text(activity.ts),
            type="partial_fill" if partial else "fill",
            price=decimal_text(activity.price),
            qty=decimal_text(activity.qty),
            side=activity.side.value,
            symbol=activity.symbol,
            leaves_qty=decimal_text(activity.leaves_qty),
            order_id=activity.order_id,
            cum_qty=decimal_text(activity.cum_qty),
            order_status="partially_filled" if partial else "filled",
        )


class AlpacaNonTradeActivity(ResponseModel):
    """A deposit or a fee (``alpaca.trading.models.NonTradeActivity``); ``date`` in New York."""

    id: str
    account_id: str
    activity_type: str
    date: str
    net_amount: str
    description: str
    status: Literal["executed"] = "executed"
    symbol: str | None = None
    qty: str | None = None
    price: str | None = None
    per_share_amount: str | None = None

    @classmethod
    def of(cls, activity: CashActivity) -> AlpacaNonTradeActivity:
        return cls(
            id=activity.id,
            account_id=activity.account_id,
            activity_type=activity.activity_type,
            date=ns_to_datetime(activity.ts).astimezone(NEW_YORK).date().isoformat(),
            net_amount=decimal_text(activity.net_amount),
            description=activity.description,
            symbol=activity.symbol,
        )


AlpacaActivity = AlpacaTradeActivity | AlpacaNonTradeActivity


@dataclass(frozen=True)
class _Filters:
    """The query parameters both routes share, as given."""

    on_date: date | None
    after: datetime | None
    until: datetime | None
    direction: Literal["asc", "desc"]
    page_size: int | None
    page_token: str | None


def _filters(
    date: DateOrTimeQuery = None,
    after: TimeOrDateQuery = None,
    until: TimeOrDateQuery = None,
    direction: Literal["asc", "desc"] = "desc",
    page_size: Annotated[int | None, Query(ge=1)] = None,
    page_token: Annotated[str | None, Query(max_length=100)] = None,
) -> _Filters:
    return _Filters(date, after, until, direction, page_size, page_token)


Filters = Annotated[_Filters, Depends(_filters)]


@router.get("", summary="List account activities", responses=_ANSWERS)
def list_activities(
    target: Trading,
    filters: Filters,
    activity_types: Annotated[
        str | None,
        Query(
            max_length=400,
            pattern=TYPES_PATTERN,
            description="Activity types separated by commas (any, known or not).",
        ),
    ] = None,
) -> list[AlpacaActivity]:
    """The account's activities of ``activity_types`` (a comma-separated list; default all)."""
    types = None if activity_types is None else frozenset(activity_types.split(","))
    return _activities(target, filters, types)


@router.get("/{activity_type}", summary="List account activities of one type", responses=_ANSWERS)
def list_activities_of_type(
    target: Trading,
    filters: Filters,
    activity_type: Annotated[str, Path(max_length=16)],
) -> list[AlpacaActivity]:
    """The account's activities of one type (``FILL``, ``CSD``, ``FEE``, ``TRANS``, …)."""
    return _activities(target, filters, frozenset({activity_type}))


def _activities(
    target: Target, filters: _Filters, types: frozenset[str] | None
) -> list[AlpacaActivity]:
    on_date = filters.on_date
    size = filters.page_size
    query = ActivityQuery(
        types=types,
        on_date=on_date,
        after_ns=None if filters.after is None else datetime_to_ns(filters.after),
        until_ns=None if filters.until is None else datetime_to_ns(filters.until),
        direction=filters.direction,
        page_size=(MAX_PAGE_SIZE if on_date is None else None) if size is None else size,
        page_token=filters.page_token,
    )
    found = target.service.activities(target.owner, target.session_id, target.account_id, query)
    return [_shape(activity) for activity in found]


def _shape(activity: Activity) -> AlpacaActivity:
    if isinstance(activity, FillActivity):
        return AlpacaTradeActivity.of(activity)
    return AlpacaNonTradeActivity.of(activity)
