"""The market clock and calendar through the unmodified alpaca-py TradingClient.

Sessions start 2012-01-03 09:30 New York (14:30 UTC), the first trading day
of 2012; Monday 2012-01-16 (Martin Luther King Jr. Day) and 2012-02-20
(Washington's Birthday) are holidays; 2012-11-23 closes early at 13:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.models import Calendar, Clock
from alpaca.trading.requests import GetCalendarRequest
from tests.compat.conftest import Bot

EST = timezone(timedelta(hours=-5))


def raw(bot: Bot, path: str, **params: str) -> httpx2.Response:
    """A GET with the bound key's APCA headers (for what the client cannot send)."""
    key_id, secret = bot.key
    return httpx2.get(
        bot.server.url + path,
        params=params,
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )


def test_the_clock_at_the_open_of_the_session(bot: Bot) -> None:
    clock = bot.trading().get_clock()
    assert isinstance(clock, Clock)
    assert clock.timestamp == datetime(2012, 1, 3, 9, 30, tzinfo=EST)
    assert clock.timestamp.utcoffset() == timedelta(hours=-5)  # New York time, as Alpaca's
    assert clock.is_open  # the open itself is in the session
    assert clock.next_close == datetime(2012, 1, 3, 16, 0, tzinfo=EST)
    assert clock.next_open == datetime(2012, 1, 4, 9, 30, tzinfo=EST)


def test_the_clock_follows_the_session_over_a_holiday(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime="2012-01-13T21:00:00Z")  # Friday's close
    clock = trading.get_clock()
    assert isinstance(clock, Clock)
    assert clock.timestamp == datetime(2012, 1, 13, 21, tzinfo=UTC)
    assert not clock.is_open
    # Monday is Martin Luther King Jr. Day: the market opens again on Tuesday.
    assert clock.next_open == datetime(2012, 1, 17, 9, 30, tzinfo=EST)
    assert clock.next_close == datetime(2012, 1, 17, 16, 0, tzinfo=EST)
    bot.advance(targetTime="2012-01-17T15:00:00Z")
    clock = trading.get_clock()
    assert isinstance(clock, Clock)
    assert clock.is_open
    assert clock.next_close == datetime(2012, 1, 17, 16, 0, tzinfo=EST)


def test_the_clock_keeps_fractions_of_a_second(bot: Bot) -> None:
    bot.advance(targetTime="2012-03-12T17:45:30.123456Z")  # daylight saving time
    body = raw(bot, "/v2/clock").json()
    assert body == {
        "timestamp": "2012-03-12T13:45:30.123456-04:00",
        "is_open": True,
        "next_open": "2012-03-13T09:30:00-04:00",
        "next_close": "2012-03-12T16:00:00-04:00",
    }


def test_the_calendar_of_january_2012(bot: Bot) -> None:
    days = bot.trading().get_calendar(
        GetCalendarRequest(start=date(2012, 1, 1), end=date(2012, 1, 31))
    )
    assert isinstance(days, list)
    assert all(isinstance(day, Calendar) for day in days)
    dates = [day.date for day in days]
    assert len(dates) == 20
    assert dates[0] == date(2012, 1, 3)  # 1 January was a Sunday, 2 January its holiday
    assert dates[-1] == date(2012, 1, 31)
    assert date(2012, 1, 16) not in dates
    assert days[0].open == datetime(2012, 1, 3, 9, 30)  # naive New York times, as alpaca-py
    assert days[0].close == datetime(2012, 1, 3, 16, 0)


def test_holidays_and_early_closes(bot: Bot) -> None:
    trading = bot.trading()
    february = trading.get_calendar(
        GetCalendarRequest(start=date(2012, 2, 17), end=date(2012, 2, 21))
    )
    assert [day.date for day in february if isinstance(day, Calendar)] == [
        date(2012, 2, 17), date(2012, 2, 21),
    ]  # fmt: skip
    thanksgiving = trading.get_calendar(
        GetCalendarRequest(start=date(2012, 11, 21), end=date(2012, 11, 23))
    )
    assert [(day.date, day.close) for day in thanksgiving if isinstance(day, Calendar)] == [
        (date(2012, 11, 21), datetime(2012, 11, 21, 16, 0)),
        (date(2012, 11, 23), datetime(2012, 11, 23, 13, 0)),
    ]


def test_calendar_days_carry_extended_hours_and_settlement(bot: Bot) -> None:
    body: list[dict[str, Any]] = raw(
        bot, "/v2/calendar", start="2012-11-23", end="2012-11-26"
    ).json()
    assert body == [
        {"date": "2012-11-23", "open": "09:30", "close": "13:00", "session_open": "0400",
         "session_close": "1700", "settlement_date": "2012-11-28"},
        {"date": "2012-11-26", "open": "09:30", "close": "16:00", "session_open": "0400",
         "session_close": "2000", "settlement_date": "2012-11-29"},
    ]  # fmt: skip
    # By settlement date: the trades of 2012-11-23 settle on 2012-11-28 (T+3).
    settling = raw(
        bot, "/v2/calendar", start="2012-11-28", end="2012-11-28", date_type="SETTLEMENT"
    ).json()
    assert [day["date"] for day in settling] == ["2012-11-23"]


def test_rfc3339_times_select_by_their_date(bot: Bot) -> None:
    body = raw(
        bot, "/v2/calendar", start="2012-01-13T23:00:00Z", end="2012-01-17T00:00:00-05:00"
    ).json()
    assert [day["date"] for day in body] == ["2012-01-13", "2012-01-17"]


def test_without_bounds_the_whole_calendar(bot: Bot) -> None:
    body = raw(bot, "/v2/calendar").json()
    assert body[0]["date"] == "1990-01-02"
    assert body[-1]["date"] == "2035-12-31"
    only_end = raw(bot, "/v2/calendar", end="1990-01-05").json()
    assert [day["date"] for day in only_end] == [
        "1990-01-02", "1990-01-03", "1990-01-04", "1990-01-05",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2012-13-01"}, "start: '2012-13-01' is not a date"),
        ({"end": "yesterday"}, "end: 'yesterday' is not a date"),
        ({"start": "1985-01-01", "end": "1985-02-01"}, "outside the XNYS calendar"),
        ({"start": "2035-12-01", "end": "2040-01-01"}, "1990-01-01..2035-12-31"),
        ({"start": "2012-02-01", "end": "2012-01-01"}, "start 2012-02-01 is after end 2012-01-01"),
        ({"date_type": "SOMETIMES"}, "query parameter date_type"),
    ],
)
def test_bad_calendar_queries_are_422(bot: Bot, params: dict[str, str], message: str) -> None:
    response = raw(bot, "/v2/calendar", **params)
    assert response.status_code == 422
    assert response.json()["code"] == 42210000
    assert message in response.json()["message"]


def test_the_client_raises_api_error_for_a_calendar_outside_the_coverage(bot: Bot) -> None:
    with pytest.raises(APIError) as error:
        bot.trading().get_calendar(GetCalendarRequest(start=date(1980, 1, 1), end=date(1980, 2, 1)))
    assert (error.value.status_code, error.value.code) == (422, 42210000)


def test_the_session_prefix_with_the_owners_key(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-13T21:00:00Z")
    trading = bot.trading(prefixed=True)
    clock = trading.get_clock()
    assert isinstance(clock, Clock)
    assert clock.timestamp == datetime(2012, 1, 13, 21, tzinfo=UTC)
    assert clock.next_open == datetime(2012, 1, 17, 9, 30, tzinfo=EST)
    days = trading.get_calendar(GetCalendarRequest(start=date(2012, 1, 13), end=date(2012, 1, 17)))
    assert [day.date for day in days if isinstance(day, Calendar)] == [
        date(2012, 1, 13), date(2012, 1, 17),
    ]  # fmt: skip


def test_a_strangers_session_is_404_on_the_prefix(bot: Bot) -> None:
    stranger = bot.server.keys.create("stranger")
    response = httpx2.get(
        f"{bot.server.url}/sessions/{bot.session_id}/v2/clock",
        headers={"APCA-API-KEY-ID": stranger[0], "APCA-API-SECRET-KEY": stranger[1]},
    )
    assert response.status_code == 404
    assert response.json()["code"] == 40410000
