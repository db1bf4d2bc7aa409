"""The New York Stock Exchange calendar (XNYS): trading days, their opens and closes.

A thin wrapper over ``exchange_calendars``. The calendar is built once, on
first use, and kept as integer arrays: importing the library and building
the sessions takes well over a second, so nothing happens at import time,
and no pandas object leaves this module. Early closes (13:00 the day after
Thanksgiving, ...) and unscheduled closures (2012-10-29/30, Hurricane Sandy)
are the library's.
"""

from __future__ import annotations

import threading
import warnings
from datetime import date, datetime, time, timedelta
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import IntArray

NEW_YORK: Final = ZoneInfo("America/New_York")
#: The first and last dates the calendar answers for.
COVERAGE_START: Final = date(1990, 1, 1)
COVERAGE_END: Final = date(2035, 12, 31)
# Sessions are built a little past the coverage so that the settlement date
# and the next open of the last covered days exist.
_BUILD_MARGIN: Final = timedelta(days=21)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()

#: Regular-way settlement cycles, in trading days: T+5 until 1995-06-07,
#: T+3 until 2017-09-05, T+2 until 2024-05-28, T+1 since.
_SETTLEMENT_CYCLES: Final = (
    (date(1995, 6, 7), 5),
    (date(2017, 9, 5), 3),
    (date(2024, 5, 28), 2),
)


class TradingDay(NamedTuple):
    """A trading day: its date and the epoch nanoseconds of its open and close."""

    date: date
    open_ns: int
    close_ns: int


class ExchangeCalendar:
    """Trading days with their open and close instants, in date order.

    Build it with :func:`xnys` (cached); the constructor takes the columns of
    an already computed schedule: ``days`` as proleptic ordinals, ``opens`` and
    ``closes`` as epoch nanoseconds. Dates and instants outside
    ``[first_date, last_date]`` are an :class:`InvalidRequest`.
    """

    def __init__(
        self,
        name: str,
        days: IntArray,
        opens: IntArray,
        closes: IntArray,
        first_date: date,
        last_date: date,
    ) -> None:
        if not (days.shape == opens.shape == closes.shape):
            raise ValueError("days, opens and closes differ in length")
        self.name = name
        self.first_date = first_date
        self.last_date = last_date
        self._days = days
        self._opens = opens
        self._closes = closes
        self._first_ns = _midnight_ns(first_date)
        self._end_ns = _midnight_ns(last_date + timedelta(days=1))

    def coverage(self) -> str:
        """The covered dates as text: ``1990-01-01..2035-12-31``."""
        return f"{self.first_date.isoformat()}..{self.last_date.isoformat()}"

    def trading_days(self, start: date, end: date) -> list[TradingDay]:
        """The trading days from ``start`` to ``end``, both included.

        Raises:
            InvalidRequest: if either date lies outside the calendar's coverage.
        """
        for day in (start, end):
            self._check_date(day)
        lo = int(np.searchsorted(self._days, start.toordinal(), side="left"))
        hi = int(np.searchsorted(self._days, end.toordinal(), side="right"))
        return [self._day(i) for i in range(lo, hi)]

    def is_trading_day(self, day: date) -> bool:
        """Whether the exchange holds a session on ``day``."""
        self._check_date(day)
        i = int(np.searchsorted(self._days, day.toordinal()))
        return i < self._days.shape[0] and int(self._days[i]) == day.toordinal()

    def is_open(self, ts_ns: int) -> bool:
        """Whether a regular session is in progress at ``ts_ns`` (open included, close not)."""
        self._check_instant(ts_ns)
        i = int(np.searchsorted(self._closes, ts_ns, side="right"))
        return i < self._closes.shape[0] and int(self._opens[i]) <= ts_ns

    def next_open(self, ts_ns: int) -> int:
        """The first open strictly after ``ts_ns``."""
        self._check_instant(ts_ns)
        return int(self._opens[int(np.searchsorted(self._opens, ts_ns, side="right"))])

    def next_close(self, ts_ns: int) -> int:
        """The first close strictly after ``ts_ns`` (today's while the market is open)."""
        self._check_instant(ts_ns)
        return int(self._closes[int(np.searchsorted(self._closes, ts_ns, side="right"))])

    def settlement_date(self, trading_date: date) -> date:
        """The regular-way settlement date of a trade on ``trading_date``.

        T+5 before 1995-06-07, T+3 before 2017-09-05, T+2 before 2024-05-28,
        T+1 since, counted in exchange trading days (bank holidays on which the
        exchange trades, such as Columbus Day, are not skipped).
        """
        self._check_date(trading_date)
        cycle = next((n for until, n in _SETTLEMENT_CYCLES if trading_date < until), 1)
        i = int(np.searchsorted(self._days, trading_date.toordinal(), side="right"))
        return date.fromordinal(int(self._days[i + cycle - 1]))

    def _day(self, i: int) -> TradingDay:
        return TradingDay(
            date.fromordinal(int(self._days[i])), int(self._opens[i]), int(self._closes[i])
        )

    def _check_date(self, day: date) -> None:
        if not self.first_date <= day <= self.last_date:
            raise InvalidRequest(
                f"{day.isoformat()} is outside the {self.name} calendar ({self.coverage()})"
            )

    def _check_instant(self, ts_ns: int) -> None:
        if not self._first_ns <= ts_ns < self._end_ns:
            moment = ns_to_datetime(ts_ns).isoformat() if abs(ts_ns) < 2**62 else f"{ts_ns} ns"
            raise InvalidRequest(
                f"time {moment} is outside the {self.name} calendar ({self.coverage()})"
            )


def xnys() -> ExchangeCalendar:
    """The New York Stock Exchange calendar, built on first use and shared (thread-safe)."""
    calendar = _cache.get("XNYS")
    if calendar is None:
        with _lock:
            calendar = _cache.get("XNYS")
            if calendar is None:
                calendar = _build_xnys()
                _cache["XNYS"] = calendar
    return calendar


_lock = threading.Lock()
_cache: dict[str, ExchangeCalendar] = {}


def _build_xnys() -> ExchangeCalendar:
    # Imported here: the import alone takes over a second (it loads pandas).
    import exchange_calendars

    with warnings.catch_warnings():
        # The library's own use of pandas APIs that pandas has deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        built = exchange_calendars.get_calendar(
            "XNYS",
            start=COVERAGE_START.isoformat(),
            end=(COVERAGE_END + _BUILD_MARGIN).isoformat(),
        )
    # As naive UTC datetime64 (any resolution), then epoch ns and epoch days.
    sessions = np.asarray(built.sessions.to_numpy(), dtype="datetime64[D]")
    opens = np.asarray(built.opens.dt.tz_convert(None).to_numpy(), dtype="datetime64[ns]")
    closes = np.asarray(built.closes.dt.tz_convert(None).to_numpy(), dtype="datetime64[ns]")
    return ExchangeCalendar(
        "XNYS",
        sessions.astype(np.int64) + _EPOCH_ORDINAL,
        opens.astype(np.int64),
        closes.astype(np.int64),
        COVERAGE_START,
        COVERAGE_END,
    )


def _midnight_ns(day: date) -> int:
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))
