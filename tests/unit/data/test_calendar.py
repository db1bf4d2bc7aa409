"""The XNYS calendar: trading days, holidays, early closes, open/close instants, settlement."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time

import numpy as np
import pytest

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.calendar import (
    COVERAGE_END,
    COVERAGE_START,
    ExchangeCalendar,
    TradingDay,
    xnys,
)
from paperbroker.model.calendar import NEW_YORK, SCHEDULE, xnys_schedule_text


def utc(text: str) -> int:
    return datetime_to_ns(datetime.fromisoformat(text).replace(tzinfo=UTC))


def test_holidays_and_weekends_are_not_trading_days() -> None:
    days = xnys().trading_days(date(2012, 1, 12), date(2012, 1, 18))
    # 14/15 are a weekend, 16 is Martin Luther King Jr. Day.
    assert [d.date for d in days] == [
        date(2012, 1, 12), date(2012, 1, 13), date(2012, 1, 17), date(2012, 1, 18),
    ]  # fmt: skip
    assert days[0] == TradingDay(
        date(2012, 1, 12), utc("2012-01-12T14:30:00"), utc("2012-01-12T21:00:00")
    )
    february = [d.date for d in xnys().trading_days(date(2012, 2, 1), date(2012, 2, 29))]
    assert len(february) == 20
    assert date(2012, 2, 20) not in february  # Washington's Birthday


def test_unscheduled_closures_and_early_closes() -> None:
    calendar = xnys()
    october = [d.date for d in calendar.trading_days(date(2012, 10, 26), date(2012, 11, 1))]
    assert october == [date(2012, 10, 26), date(2012, 10, 31), date(2012, 11, 1)]  # Sandy
    thanksgiving = calendar.trading_days(date(2012, 11, 21), date(2012, 11, 23))
    assert [d.date for d in thanksgiving] == [date(2012, 11, 21), date(2012, 11, 23)]
    assert thanksgiving[1].close_ns == utc("2012-11-23T18:00:00")  # 13:00 New York
    assert thanksgiving[0].close_ns == utc("2012-11-21T21:00:00")
    assert not calendar.is_trading_day(date(2012, 11, 22))
    assert calendar.is_trading_day(date(2012, 11, 23))


def test_opens_follow_daylight_saving_time() -> None:
    # Clocks went forward on Sunday 2012-03-11: 09:30 New York is 13:30 UTC from then on.
    friday, monday = xnys().trading_days(date(2012, 3, 9), date(2012, 3, 12))
    assert friday.open_ns == utc("2012-03-09T14:30:00")
    assert monday.open_ns == utc("2012-03-12T13:30:00")
    assert monday.close_ns == utc("2012-03-12T20:00:00")


def test_every_open_and_close_is_new_york_wall_time() -> None:
    # The calendar asks the zone only where the offset may change; every session,
    # 1990 to 2036, must still open and close at its New York wall-clock time.
    for day in xnys().trading_days(COVERAGE_START, COVERAGE_END):
        opened = datetime.fromtimestamp(day.open_ns / 1e9, NEW_YORK)
        closed = datetime.fromtimestamp(day.close_ns / 1e9, NEW_YORK)
        assert (opened.date(), opened.time()) == (day.date, time(9, 30))
        assert (closed.date(), closed.time()) == (day.date, EARLY_CLOSES.get(day.date, time(16)))


#: The early closes of the shipped schedule (its lines ``YYYY-MM-DD 09:30-HH:MM``).
EARLY_CLOSES = {
    date.fromisoformat(day): time.fromisoformat(hours.split("-")[1])
    for day, _, hours in (
        line.partition(" ")
        for line in SCHEDULE.read_text(encoding="utf-8").splitlines()
        if line[:1].isdigit() and "-" in line.partition(" ")[2]
    )
}


def test_is_open_includes_the_open_and_not_the_close() -> None:
    calendar = xnys()
    assert calendar.is_open(utc("2012-01-03T14:30:00"))
    assert calendar.is_open(utc("2012-01-03T20:59:59"))
    assert not calendar.is_open(utc("2012-01-03T14:29:59"))
    assert not calendar.is_open(utc("2012-01-03T21:00:00"))
    assert not calendar.is_open(utc("2012-01-07T16:00:00"))  # a Saturday
    assert not calendar.is_open(utc("2012-01-16T16:00:00"))  # a holiday, in hours
    assert not calendar.is_open(utc("2012-11-23T18:30:00"))  # after the early close


def test_next_open_and_close() -> None:
    calendar = xnys()
    during = utc("2012-01-03T15:00:00")
    assert calendar.next_open(during) == utc("2012-01-04T14:30:00")
    assert calendar.next_close(during) == utc("2012-01-03T21:00:00")
    # Friday's close, before a long weekend: next open is Tuesday's.
    friday_close = utc("2012-01-13T21:00:00")
    assert calendar.next_open(friday_close) == utc("2012-01-17T14:30:00")
    assert calendar.next_close(friday_close) == utc("2012-01-17T21:00:00")
    at_open = utc("2012-01-17T14:30:00")
    assert calendar.next_open(at_open) == utc("2012-01-18T14:30:00")  # strictly after
    assert calendar.next_close(utc("2012-11-23T15:00:00")) == utc("2012-11-23T18:00:00")


def test_settlement_cycles() -> None:
    calendar = xnys()
    assert calendar.settlement_date(date(1994, 1, 3)) == date(1994, 1, 10)  # T+5
    assert calendar.settlement_date(date(2012, 1, 13)) == date(2012, 1, 19)  # T+3, over MLK
    assert calendar.settlement_date(date(2018, 1, 12)) == date(2018, 1, 17)  # T+2, over MLK
    assert calendar.settlement_date(date(2024, 5, 24)) == date(2024, 5, 29)  # T+2, Memorial Day
    assert calendar.settlement_date(date(2024, 5, 28)) == date(2024, 5, 29)  # T+1 from here
    assert calendar.settlement_date(COVERAGE_END) == date(2036, 1, 2)  # past the coverage


def test_outside_the_coverage_is_invalid() -> None:
    calendar = xnys()
    with pytest.raises(InvalidRequest, match=r"1989-12-31 is outside the XNYS calendar"):
        calendar.trading_days(date(1989, 12, 31), date(1990, 1, 5))
    with pytest.raises(InvalidRequest, match=r"1990-01-01\.\.2035-12-31"):
        calendar.trading_days(date(2035, 12, 1), date(2036, 1, 5))
    with pytest.raises(InvalidRequest, match=r"time 2040-01-02T15:00:00\+00:00 is outside"):
        calendar.is_open(utc("2040-01-02T15:00:00"))
    with pytest.raises(InvalidRequest, match="outside"):
        calendar.next_open(utc("1985-01-02T15:00:00"))
    first = calendar.trading_days(COVERAGE_START, date(1990, 1, 3))
    assert [d.date for d in first] == [date(1990, 1, 2), date(1990, 1, 3)]


def test_built_once_and_shared_between_threads() -> None:
    seen: list[ExchangeCalendar] = []
    threads = [threading.Thread(target=lambda: seen.append(xnys())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4
    assert all(calendar is xnys() for calendar in seen)


def test_a_hand_built_calendar() -> None:
    days = np.array([date(2020, 1, 2).toordinal(), date(2020, 1, 3).toordinal()], dtype=np.int64)
    opens = np.array([utc("2020-01-02T14:30:00"), utc("2020-01-03T14:30:00")], dtype=np.int64)
    closes = opens + 6 * 3600 * 10**9
    calendar = ExchangeCalendar("TEST", days, opens, closes, date(2020, 1, 1), date(2020, 1, 3))
    assert calendar.is_open(utc("2020-01-03T15:00:00"))
    assert calendar.next_close(utc("2020-01-02T21:00:00")) == utc("2020-01-03T20:30:00")
    assert calendar.coverage() == "2020-01-01..2020-01-03"
    with pytest.raises(ValueError, match="differ in length"):
        ExchangeCalendar("BAD", days[:1], opens, closes, date(2020, 1, 1), date(2020, 1, 3))


def test_the_shipped_schedule_is_the_librarys() -> None:
    # After an upgrade of exchange_calendars that moves a holiday, this fails until
    # SCHEDULE is written again from xnys_schedule_text().
    assert SCHEDULE.read_text(encoding="utf-8") == xnys_schedule_text()
    assert "2012-10-29 closed\n2012-10-30 closed\n" in xnys_schedule_text()
    assert "2012-11-23 09:30-13:00\n" in xnys_schedule_text()
