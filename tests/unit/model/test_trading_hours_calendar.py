"""Trading hours on the exchange calendar: holidays, early closes, the next trading day.

US equities' hours follow the XNYS calendar; 24-hour markets and moments
outside the calendar's years keep the weekday rule.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.core.clock import datetime_to_ns
from paperbroker.model.calendar import xnys
from paperbroker.model.instrument import (
    CRYPTO_HOURS,
    FX_HOURS,
    US_EQUITY_HOURS,
    Instrument,
    TradingHours,
)

NY = ZoneInfo("America/New_York")
HOURS = US_EQUITY_HOURS
MINUTE_NS = 60 * 10**9


def ny(day: date, hour: int, minute: int = 0) -> int:
    return datetime_to_ns(datetime.combine(day, time(hour, minute), tzinfo=NY))


def test_equities_follow_the_xnys_calendar() -> None:
    assert Instrument.equity("XYZ").hours.calendar == "XNYS"
    assert TradingHours().calendar == ""
    assert (FX_HOURS.calendar, CRYPTO_HOURS.calendar) == ("", "")


def test_after_the_close_before_a_holiday_the_trading_date_is_the_next_trading_day() -> None:
    july_3, july_4, july_5 = date(2012, 7, 3), date(2012, 7, 4), date(2012, 7, 5)
    assert HOURS.trading_date(ny(july_3, 12)) == july_3
    assert HOURS.trading_date(ny(july_3, 13)) == july_5  # the early close
    assert HOURS.trading_date(ny(july_3, 17)) == july_5
    assert HOURS.trading_date(ny(july_4, 12)) == july_5  # the holiday itself
    # A Friday's close rolls over the weekend; Sandy's two days roll to the 31st.
    assert HOURS.trading_date(ny(date(2012, 7, 6), 16)) == date(2012, 7, 9)
    assert HOURS.trading_date(ny(date(2012, 10, 26), 16)) == date(2012, 10, 31)
    assert HOURS.trading_date(ny(date(2012, 10, 29), 11)) == date(2012, 10, 31)


@pytest.mark.parametrize("day", [date(2012, 7, 3), date(2012, 11, 23), date(2012, 12, 24)])
def test_early_closes_at_13(day: date) -> None:
    assert HOURS.session_close_ns(day) == ny(day, 13)
    assert HOURS.session_open_ns(day) == ny(day, 9, 30)
    assert HOURS.in_session(ny(day, 12, 59))
    assert not HOURS.in_session(ny(day, 13))
    assert HOURS.session_bounds_ns(ny(day, 10))[1] == ny(day, 13)


def test_regular_days_close_at_16() -> None:
    day = date(2012, 11, 21)
    assert HOURS.session_close_ns(day) == ny(day, 16)
    assert HOURS.session_bounds_ns(ny(day, 10)) == (ny(date(2012, 11, 20), 16), ny(day, 16))


def test_bounds_span_the_holiday_from_the_last_close_to_the_next() -> None:
    july_3, july_5 = date(2012, 7, 3), date(2012, 7, 5)
    assert HOURS.session_bounds_ns(ny(date(2012, 7, 4), 12)) == (ny(july_3, 13), ny(july_5, 16))
    assert HOURS.session_bounds_ns(ny(july_3, 13)) == (ny(july_3, 13), ny(july_5, 16))
    # Over Sandy: from Friday the 26th's close to Wednesday the 31st's.
    assert HOURS.session_bounds_ns(ny(date(2012, 10, 30), 12)) == (
        ny(date(2012, 10, 26), 16),
        ny(date(2012, 10, 31), 16),
    )


@pytest.mark.parametrize("day", [date(2012, 12, 25), date(2012, 10, 29), date(2012, 10, 30)])
def test_no_session_at_any_minute_of_a_closed_day(day: date) -> None:
    midnight = ny(day, 0)
    assert not any(HOURS.in_session(midnight + m * MINUTE_NS) for m in range(24 * 60))
    # The day has no session: asking for one gives the nominal hours.
    assert HOURS.session_close_ns(day) == ny(day, 16)
    assert HOURS.session_open_ns(day) == ny(day, 9, 30)


def test_24_hour_markets_ignore_the_calendar() -> None:
    christmas = date(2012, 12, 25)
    assert FX_HOURS.in_session(ny(christmas, 12))
    assert CRYPTO_HOURS.in_session(ny(christmas, 12))
    assert FX_HOURS.trading_date(ny(christmas, 17)) == date(2012, 12, 26)
    assert FX_HOURS.session_close_ns(christmas) == ny(christmas, 17)


def test_outside_the_calendar_every_weekday_trades() -> None:
    # 1985 and 2040 lie outside 1990-2035: July 4th is a weekday like another.
    for day in (date(1985, 7, 4), date(2040, 7, 4)):
        assert HOURS.in_session(ny(day, 12))
        assert HOURS.trading_date(ny(day, 17)) == day + timedelta(days=1)
        assert HOURS.session_close_ns(day) == ny(day, 16)
        assert HOURS.session_bounds_ns(ny(day, 12)) == (
            ny(day - timedelta(days=1), 16),
            ny(day, 16),
        )
    saturday = date(1985, 7, 6)
    assert not HOURS.in_session(ny(saturday, 12))


def test_a_calendar_must_be_known_and_not_on_a_24_hour_market() -> None:
    with pytest.raises(ValueError, match="unknown exchange calendar 'XLON'"):
        TradingHours(calendar="XLON")
    with pytest.raises(ValueError, match="24-hour market"):
        TradingHours("UTC", time(0), time(0), "XNYS")


_MOMENTS = st.integers(ny(date(2010, 1, 1), 0), ny(date(2014, 1, 1), 0))


@given(_MOMENTS)
def test_a_moment_belongs_to_the_session_its_bounds_name(ts: int) -> None:
    previous, close = HOURS.session_bounds_ns(ts)
    assert previous <= ts < close
    day = HOURS.trading_date(ts)
    assert xnys().is_trading_day(day)
    assert HOURS.session_close_ns(day) == close
    # Every moment of the bounds has the same trading date.
    assert HOURS.trading_date(previous) == day == HOURS.trading_date(close - 1)
    assert HOURS.in_session(ts) == (HOURS.session_open_ns(day) <= ts)
    assert HOURS.in_session(ts) == xnys().is_open(ts)


def test_importing_the_model_and_asking_the_hours_loads_no_heavy_module() -> None:
    probe = (
        "import json, sys\n"
        "from paperbroker.model.instrument import US_EQUITY_HOURS\n"
        f"assert not US_EQUITY_HOURS.in_session({ny(date(2012, 12, 25), 12)})\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"numpy", "pandas", "exchange_calendars"}
