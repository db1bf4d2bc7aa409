"""The New York Stock Exchange calendar (XNYS): trading days, their opens and closes.

The schedule is ``exchange_calendars``'s, shipped as a short text file
(``xnys_schedule.txt``: the weekdays without a session and the sessions with
other hours; a test keeps it identical to the library's): building the
calendar from the library takes over a second (it loads pandas), from the
file some tens of milliseconds. It is built once, on first use, and kept as
plain lists of integers searched by bisection; nothing happens at import
time. Early closes (13:00 the day after Thanksgiving, ...) and unscheduled
closures (2012-10-29/30, Hurricane Sandy) are the library's.

It lives with the trading domain because an instrument's trading hours
follow it (:class:`~paperbroker.model.instrument.TradingHours`);
``paperbroker.data.calendar`` offers the same names to the data layer.
"""

from __future__ import annotations

import threading
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.core.errors import InvalidRequest

NEW_YORK: Final = ZoneInfo("America/New_York")
#: The first and last dates the calendar answers for.
COVERAGE_START: Final = date(1990, 1, 1)
COVERAGE_END: Final = date(2035, 12, 31)
#: The calendars known by name (:func:`calendar_named`).
CALENDAR_NAMES: Final = ("XNYS",)
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
    an already computed schedule (any iterables of integers, NumPy arrays
    included): ``days`` as proleptic ordinals, ``opens`` and ``closes`` as
    epoch nanoseconds. Dates and instants outside ``[first_date, last_date]``
    are an :class:`InvalidRequest`.

    Raises:
        ValueError: if the three columns differ in length.
    """

    def __init__(
        self,
        name: str,
        days: Iterable[int],
        opens: Iterable[int],
        closes: Iterable[int],
        first_date: date,
        last_date: date,
    ) -> None:
        self._days = [int(day) for day in days]
        self._opens = [int(ns) for ns in opens]
        self._closes = [int(ns) for ns in closes]
        if not (len(self._days) == len(self._opens) == len(self._closes)):
            raise ValueError("days, opens and closes differ in length")
        self.name = name
        self.first_date = first_date
        self.last_date = last_date
        self._first_ns = _midnight_ns(first_date)
        self._end_ns = _midnight_ns(last_date + timedelta(days=1))

    def coverage(self) -> str:
        """The covered dates as text: ``1990-01-01..2035-12-31``."""
        return f"{self.first_date.isoformat()}..{self.last_date.isoformat()}"

    def covers(self, ts_ns: int) -> bool:
        """Whether ``ts_ns`` falls on a covered date (in New York time)."""
        return self._first_ns <= ts_ns < self._end_ns

    def trading_days(self, start: date, end: date) -> list[TradingDay]:
        """The trading days from ``start`` to ``end``, both included.

        Raises:
            InvalidRequest: if either date lies outside the calendar's coverage.
        """
        for day in (start, end):
            self._check_date(day)
        lo = bisect_left(self._days, start.toordinal())
        hi = bisect_right(self._days, end.toordinal())
        return [self._day(i) for i in range(lo, hi)]

    def is_trading_day(self, day: date) -> bool:
        """Whether the exchange holds a session on ``day``.

        Raises:
            InvalidRequest: if ``day`` lies outside the calendar's coverage.
        """
        self._check_date(day)
        return self.day(day) is not None

    def day(self, day: date) -> TradingDay | None:
        """``day``'s session, or ``None`` on a day without one or beyond the built schedule."""
        ordinal = day.toordinal()
        i = bisect_left(self._days, ordinal)
        if i < len(self._days) and self._days[i] == ordinal:
            return self._day(i)
        return None

    def session_at(self, ts_ns: int) -> tuple[int, TradingDay]:
        """The session in progress at ``ts_ns``, or the next to start, and the close before it.

        ``(previous close, day)``: every moment from the previous close up to
        the day's close belongs to that session. The first session's previous
        close is the start of the coverage.

        Raises:
            InvalidRequest: if ``ts_ns`` lies outside the calendar's coverage.
        """
        self._check_instant(ts_ns)
        i = bisect_right(self._closes, ts_ns)
        return (self._closes[i - 1] if i else self._first_ns), self._day(i)

    def is_open(self, ts_ns: int) -> bool:
        """Whether a regular session is in progress at ``ts_ns`` (open included, close not).

        Raises:
            InvalidRequest: if ``ts_ns`` lies outside the calendar's coverage.
        """
        self._check_instant(ts_ns)
        i = bisect_right(self._closes, ts_ns)
        return i < len(self._closes) and self._opens[i] <= ts_ns

    def next_open(self, ts_ns: int) -> int:
        """The first open strictly after ``ts_ns``.

        Raises:
            InvalidRequest: if ``ts_ns`` lies outside the calendar's coverage.
        """
        self._check_instant(ts_ns)
        return self._opens[bisect_right(self._opens, ts_ns)]

    def next_close(self, ts_ns: int) -> int:
        """The first close strictly after ``ts_ns`` (today's while the market is open).

        Raises:
            InvalidRequest: if ``ts_ns`` lies outside the calendar's coverage.
        """
        self._check_instant(ts_ns)
        return self._closes[bisect_right(self._closes, ts_ns)]

    def settlement_date(self, trading_date: date) -> date:
        """The regular-way settlement date of a trade on ``trading_date``.

        T+5 before 1995-06-07, T+3 before 2017-09-05, T+2 before 2024-05-28,
        T+1 since, counted in exchange trading days (bank holidays on which the
        exchange trades, such as Columbus Day, are not skipped).

        Raises:
            InvalidRequest: if ``trading_date`` lies outside the calendar's coverage.
        """
        self._check_date(trading_date)
        cycle = next((n for until, n in _SETTLEMENT_CYCLES if trading_date < until), 1)
        i = bisect_right(self._days, trading_date.toordinal())
        return date.fromordinal(self._days[i + cycle - 1])

    def _day(self, i: int) -> TradingDay:
        return TradingDay(date.fromordinal(self._days[i]), self._opens[i], self._closes[i])

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


def calendar_named(name: str) -> ExchangeCalendar:
    """The calendar called ``name`` (one of :data:`CALENDAR_NAMES`), built on first use.

    Raises:
        ValueError: for a name no calendar has.
    """
    if name == "XNYS":
        return xnys()
    raise ValueError(f"unknown exchange calendar {name!r} (known: {', '.join(CALENDAR_NAMES)})")


_lock = threading.Lock()
_cache: dict[str, ExchangeCalendar] = {}


def _build_xnys() -> ExchangeCalendar:
    """The calendar from the shipped schedule (:data:`SCHEDULE`): a few milliseconds."""
    first, last, exceptions = _read_schedule(SCHEDULE.read_text(encoding="utf-8"))
    special = {day.toordinal(): hours for day, hours in exceptions.items()}
    regular = (_minutes_ns(_REGULAR[0]), _minutes_ns(_REGULAR[1]))
    days: list[int] = []
    opens: list[int] = []
    closes: list[int] = []
    for start, stop, offset in _offset_spans(first, last):
        for ordinal in range(start, stop):
            if (ordinal - 1) % 7 >= 5:  # ordinal 1 (0001-01-01) is a Monday
                continue
            hours = special.get(ordinal, _REGULAR)
            if hours is None:  # closed
                continue
            moments = (
                regular if hours is _REGULAR else (_minutes_ns(hours[0]), _minutes_ns(hours[1]))
            )
            # New York's offset holds from midnight to the evening.
            base = (ordinal - _EPOCH_ORDINAL) * _DAY_NS - offset
            days.append(ordinal)
            opens.append(base + moments[0])
            closes.append(base + moments[1])
    return ExchangeCalendar("XNYS", days, opens, closes, COVERAGE_START, COVERAGE_END)


def _offset_spans(first: date, last: date) -> Iterator[tuple[int, int, int]]:
    """The days from ``first`` to ``last`` as spans of equal offset at midnight:
    ``(first ordinal, stop ordinal, offset in ns)``.  New York changes its offset
    at most once a month: a month whose first midnight and the next month's agree
    is one span; in another the day of the change is found by bisection."""
    month = first.replace(day=1).toordinal()
    offset = _midnight_offset_ns(month)
    end = last.toordinal() + 1
    while month < end:
        following = (date.fromordinal(month) + timedelta(days=32)).replace(day=1).toordinal()
        next_offset = _midnight_offset_ns(following)
        change = following
        if next_offset != offset:
            low, high = month, following  # offset at low's midnight, next_offset at high's
            while high - low > 1:
                middle = (low + high) // 2
                if _midnight_offset_ns(middle) == offset:
                    low = middle
                else:
                    high = middle
            change = high
        for lo, hi, value in ((month, change, offset), (change, following, next_offset)):
            start, stop = max(lo, first.toordinal()), min(hi, end)
            if start < stop:
                yield start, stop, value
        month, offset = following, next_offset


def _midnight_offset_ns(ordinal: int) -> int:
    """New York's UTC offset at the midnight starting the day ``ordinal``, in ns."""
    midnight = datetime.combine(date.fromordinal(ordinal), time(0), tzinfo=NEW_YORK)
    offset = midnight.utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * _SECOND_NS


#: The shipped XNYS schedule: every weekday a 09:30-16:00 session, but for the
#: dates it lists. It is what ``exchange_calendars`` gives
#: (:func:`xnys_schedule_text`); a test keeps the two identical.
SCHEDULE: Final = Path(__file__).with_name("xnys_schedule.txt")
_REGULAR: Final = (time(9, 30), time(16, 0))
_SECOND_NS: Final = 1_000_000_000
_DAY_NS: Final = 86_400 * _SECOND_NS
_HEADER: Final = (
    "# The New York Stock Exchange's sessions, {first}..{last}, as exchange_calendars\n"
    "# gives them. Every Monday-to-Friday is a session from 09:30 to 16:00 New York\n"
    "# but for the dates below: closed (a holiday or an unscheduled closure), or open\n"
    "# from and to the times given (early closes). Written by xnys_schedule_text().\n"
)


def _minutes_ns(moment: time) -> int:
    return (moment.hour * 3600 + moment.minute * 60) * _SECOND_NS


def _read_schedule(text: str) -> tuple[date, date, dict[date, tuple[time, time] | None]]:
    """The first and last session dates and the exceptions of a schedule's text."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    first, last = (date.fromisoformat(part) for part in lines[0].split(".."))
    exceptions: dict[date, tuple[time, time] | None] = {}
    for line in lines[1:]:
        day, hours = line.split(" ", 1)
        if hours == "closed":
            exceptions[date.fromisoformat(day)] = None
        else:
            open_, close = (time.fromisoformat(part) for part in hours.split("-"))
            exceptions[date.fromisoformat(day)] = (open_, close)
    return first, last, exceptions


def xnys_schedule_text() -> str:
    """The XNYS schedule as ``exchange_calendars`` computes it, in the shipped file's form.

    Compare it with :data:`SCHEDULE` after upgrading the library, and write it
    there when the exchange has announced new holidays.
    """
    # Imported here: the import alone takes about a second (it loads pandas).
    import exchange_calendars

    with warnings.catch_warnings():
        # The library's own use of pandas APIs that pandas has deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        built = exchange_calendars.get_calendar(
            "XNYS",
            start=COVERAGE_START.isoformat(),
            end=(COVERAGE_END + _BUILD_MARGIN).isoformat(),
        )
    sessions = {
        session.date(): (
            opened.tz_convert(NEW_YORK).time(),
            closed.tz_convert(NEW_YORK).time(),
        )
        for session, opened, closed in zip(built.sessions, built.opens, built.closes, strict=True)
    }
    first, last = min(sessions), max(sessions)
    lines = [_HEADER.format(first=first, last=last) + f"{first}..{last}"]
    day = first
    while day <= last:
        hours = sessions.get(day)
        if day.weekday() >= 5:
            if hours is not None:
                raise ValueError(f"{day} is a weekend session: the schedule cannot hold it")
        elif hours is None:
            lines.append(f"{day} closed")
        elif hours != _REGULAR:
            lines.append(f"{day} {hours[0]:%H:%M}-{hours[1]:%H:%M}")
        day += timedelta(days=1)
    return "\n".join(lines) + "\n"


def _midnight_ns(day: date) -> int:
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))
