"""Alpaca-compatible clock and calendar: ``/v2/clock`` and ``/v2/calendar``.

Both follow the New York Stock Exchange calendar (:func:`~paperbroker.data.calendar.xnys`,
holidays and early closes included). The clock reads the session's simulated
time; the calendar is the exchange's published schedule, the same for every
session (knowing it in advance is no look-ahead).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, Literal

from fastapi import APIRouter
from pydantic import Field

from paperbroker.api.alpaca.target import MarketTarget
from paperbroker.api.contract import answers
from paperbroker.api.params import DateOrTimeQuery
from paperbroker.api.responses import ResponseModel
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.calendar import NEW_YORK, ExchangeCalendar, TradingDay, xnys

router = APIRouter(tags=["alpaca"])

#: Extended hours around the regular session, as Alpaca's calendar gives them.
_PRE_MARKET: Final = timedelta(hours=5, minutes=30)
_AFTER_HOURS: Final = timedelta(hours=4)


class AlpacaClock(ResponseModel):
    """The market clock at the session's current time; times in New York with their offset."""

    timestamp: str = Field(examples=["2012-01-03T09:30:00-05:00"])
    is_open: bool
    next_open: str = Field(examples=["2012-01-04T09:30:00-05:00"])
    next_close: str = Field(examples=["2012-01-03T16:00:00-05:00"])


class AlpacaCalendarDay(ResponseModel):
    """A trading day: open and close as ``HH:MM`` New York time, early closes included."""

    date: str = Field(examples=["2012-11-23"])
    open: str = Field(examples=["09:30"])
    close: str = Field(examples=["13:00"])
    session_open: str = Field(examples=["0400"], description="Pre-market start, ``HHMM``.")
    session_close: str = Field(examples=["1700"], description="After-hours end, ``HHMM``.")
    settlement_date: str = Field(examples=["2012-11-28"])


@router.get("/v2/clock", summary="Market clock")
def get_clock(target: MarketTarget) -> AlpacaClock:
    """Whether the market is open at the session's current time, and its next open and close."""
    now = target.runtime.now_ns
    calendar = xnys()
    return AlpacaClock(
        timestamp=new_york_text(now),
        is_open=calendar.is_open(now),
        next_open=new_york_text(calendar.next_open(now)),
        next_close=new_york_text(calendar.next_close(now)),
    )


@router.get(
    "/v2/calendar",
    summary="Market calendar",
    responses=answers(
        rules=["dates the calendar covers (1990-01-01..2035-12-31)", "start not after end"]
    ),
)
def get_calendar(
    target: MarketTarget,
    start: DateOrTimeQuery = None,
    end: DateOrTimeQuery = None,
    date_type: Literal["TRADING", "SETTLEMENT"] = "TRADING",
) -> list[AlpacaCalendarDay]:
    """The trading days from ``start`` to ``end`` (``YYYY-MM-DD``, both included).

    An RFC 3339 time is read as its date, as written. Without ``start`` the
    list begins at the calendar's first date, without ``end`` it runs to its
    last (1990-01-01..2035-12-31), as Alpaca serves its whole calendar. With
    ``date_type=SETTLEMENT`` the bounds select days by settlement date.
    """
    calendar = xnys()
    first = calendar.first_date if start is None else start
    last = calendar.last_date if end is None else end
    if first > last:
        raise InvalidRequest(f"start {first.isoformat()} is after end {last.isoformat()}")
    if date_type == "TRADING":
        return [_calendar_day(calendar, day) for day in calendar.trading_days(first, last)]
    # A settlement date falls at most a week and a half (T+5) after its trade.
    search_from = max(calendar.first_date, first - timedelta(days=14))
    days = (_calendar_day(calendar, day) for day in calendar.trading_days(search_from, last))
    return [day for day in days if first.isoformat() <= day.settlement_date <= last.isoformat()]


def new_york_text(ts_ns: int) -> str:
    """Epoch ns as RFC 3339 in New York time: ``2012-01-03T09:30:00-05:00`` (nanoseconds kept)."""
    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, tz=NEW_YORK)
    fraction = "." + f"{nanos:09d}".rstrip("0") if nanos else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + moment.isoformat()[19:]


def _calendar_day(calendar: ExchangeCalendar, day: TradingDay) -> AlpacaCalendarDay:
    opens = datetime.fromtimestamp(day.open_ns // NANOS_PER_SECOND, tz=NEW_YORK)
    closes = datetime.fromtimestamp(day.close_ns // NANOS_PER_SECOND, tz=NEW_YORK)
    return AlpacaCalendarDay(
        date=day.date.isoformat(),
        open=opens.strftime("%H:%M"),
        close=closes.strftime("%H:%M"),
        session_open=(opens - _PRE_MARKET).strftime("%H%M"),
        session_close=(closes + _AFTER_HOURS).strftime("%H%M"),
        settlement_date=calendar.settlement_date(day.date).isoformat(),
    )
