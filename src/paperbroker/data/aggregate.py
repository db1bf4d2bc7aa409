"""Bar timeframes and the aggregation of stored bars into coarser ones.

Timeframes are Alpaca's: ``{n}Min`` (1-59), ``{n}Hour`` (1-23), ``1Day``,
``1Week`` and ``{n}Month`` (1, 2, 3, 4, 6, 12), with the short forms ``T``,
``H``, ``D``, ``W`` and ``M`` (``5T``, ``1D``, ``3M``); alpaca-py sends the long
ones.

Each stored bar goes to one bucket, chosen by its *open* time
(``ts - duration_ns``) in New York:

- minutes and hours: buckets of ``n`` minutes / hours counted from New York
  midnight, stamped at their start (``4Hour`` buckets start at 00:00, 04:00,
  08:00, ... New York, as Alpaca's do);
- ``1Day``: the New York date of the open, stamped at 00:00 New York;
- ``1Week``: the week from Monday, stamped at Monday 00:00 New York;
- ``{n}Month``: ``n`` calendar months counted from January, stamped at 00:00
  New York on the first day of the first month (``3Month``: Jan, Apr, Jul, Oct).

A bucket's open is its first bar's open, its close the last bar's close, its
high / low the extremes, its volume the sum. Buckets hold only the bars they
are given: the caller decides which bars are known (a week in progress holds
the days that have closed so far).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries, BoolArray, FloatArray, IntArray

NEW_YORK: Final = ZoneInfo("America/New_York")

_SECOND: Final = 1_000_000_000
_MINUTE: Final = 60 * _SECOND
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
# 1970-01-01 was a Thursday: epoch day d is weekday (d + 3) % 7, Monday = 0.
_THURSDAY: Final = 3


class Unit(StrEnum):
    """A timeframe unit, valued as Alpaca spells it in full."""

    MINUTE = "Min"
    HOUR = "Hour"
    DAY = "Day"
    WEEK = "Week"
    MONTH = "Month"


_UNITS: Final = {
    "Min": Unit.MINUTE, "T": Unit.MINUTE,
    "Hour": Unit.HOUR, "H": Unit.HOUR,
    "Day": Unit.DAY, "D": Unit.DAY,
    "Week": Unit.WEEK, "W": Unit.WEEK,
    "Month": Unit.MONTH, "M": Unit.MONTH,
}  # fmt: skip
_AMOUNTS: Final = {
    Unit.MINUTE: range(1, 60),
    Unit.HOUR: range(1, 24),
    Unit.DAY: (1,),
    Unit.WEEK: (1,),
    Unit.MONTH: (1, 2, 3, 4, 6, 12),
}
_ALLOWED: Final = "{1-59}Min, {1-23}Hour, 1Day, 1Week or {1,2,3,4,6,12}Month"
_PATTERN: Final = re.compile(r"([1-9][0-9]?)([A-Za-z]+)")


@dataclass(frozen=True, slots=True)
class TimeFrame:
    """A bar timeframe: ``amount`` ``unit`` s (``TimeFrame(5, Unit.MINUTE)`` is ``5Min``)."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount not in _AMOUNTS[self.unit]:
            raise InvalidRequest(f"timeframe {self}: must be {_ALLOWED}")

    @classmethod
    def parse(cls, text: str) -> TimeFrame:
        """Read ``5Min``, ``5T``, ``12Hour``, ``1D``, ``1Week``, ``3M``, ...

        Raises:
            InvalidRequest: for anything else, naming the accepted forms.
        """
        match = _PATTERN.fullmatch(text.strip())
        unit = None if match is None else _UNITS.get(match.group(2))
        if match is None or unit is None or int(match.group(1)) not in _AMOUNTS[unit]:
            raise InvalidRequest(f"timeframe {text[:32]!r} is not one of {_ALLOWED}")
        return cls(int(match.group(1)), unit)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @property
    def intraday(self) -> bool:
        """Whether buckets are fixed lengths of minutes or hours."""
        return self.unit in (Unit.MINUTE, Unit.HOUR)

    @property
    def min_width_ns(self) -> int:
        """The shortest a bucket can be (a 23-hour day, a 28-day month)."""
        unit_ns = {
            Unit.MINUTE: _MINUTE,
            Unit.HOUR: _HOUR,
            Unit.DAY: 23 * _HOUR,
            Unit.WEEK: 7 * _DAY - _HOUR,
            Unit.MONTH: 28 * _DAY - _HOUR,
        }[self.unit]
        return self.amount * unit_ns

    @property
    def max_width_ns(self) -> int:
        """The longest a bucket can be (a 25-hour day, a 31-day month)."""
        unit_ns = {
            Unit.MINUTE: _MINUTE,
            Unit.HOUR: _HOUR,
            Unit.DAY: 25 * _HOUR,
            Unit.WEEK: 7 * _DAY + _HOUR,
            Unit.MONTH: 31 * _DAY + _HOUR,
        }[self.unit]
        return self.amount * unit_ns


@dataclass(frozen=True, slots=True)
class Bars:
    """Aggregated bars: ``t`` is each bucket's start (epoch ns), the rest float columns."""

    t: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    @property
    def size(self) -> int:
        return int(self.t.shape[0])

    def take(self, index: IntArray | BoolArray | slice) -> Bars:
        """The bars at ``index`` (a slice, a boolean mask or positions)."""
        return Bars(
            self.t[index],
            self.open[index],
            self.high[index],
            self.low[index],
            self.close[index],
            self.volume[index],
        )


def duration_text(ns: int) -> str:
    """A bar length in timeframe words: ``1Day``, ``1Hour``, ``390Min``, else seconds."""
    for unit_ns, word in ((_DAY, "Day"), (_HOUR, "Hour"), (_MINUTE, "Min")):
        if ns % unit_ns == 0:
            return f"{ns // unit_ns}{word}"
    return f"{ns / _SECOND:g}s"


def aggregate(series: BarSeries, timeframe: TimeFrame) -> Bars:
    """``series`` grouped into ``timeframe`` buckets (see the module doc), in time order.

    Raises:
        InvalidRequest: if ``timeframe`` is finer than the stored bars, or (for
            minutes and hours) a stored bar would straddle two buckets; the
            message names the symbol, the timeframe and the stored bar length.
    """
    _check_finer(series, timeframe)
    if len(series) == 0:
        empty = np.empty(0, dtype=np.float64)
        return Bars(np.empty(0, dtype=np.int64), empty, empty, empty, empty, empty)
    stamps = bucket_starts(series.ts - series.duration_ns, timeframe)
    _check_straddle(series, timeframe, stamps, series.ts)
    firsts = np.flatnonzero(np.concatenate(([True], stamps[1:] != stamps[:-1])))
    lasts = np.concatenate((firsts[1:], [len(series)])) - 1
    return Bars(
        stamps[firsts],
        series.open[firsts],
        np.maximum.reduceat(series.high, firsts),
        np.minimum.reduceat(series.low, firsts),
        series.close[lasts],
        np.add.reduceat(series.volume, firsts),
    )


def check_timeframe(series: BarSeries, timeframe: TimeFrame, sample: int = 1000) -> None:
    """Raise as :func:`aggregate` would if ``timeframe`` cannot be built from ``series``.

    Only the first ``sample`` bars are tried for straddling: a series' bars
    share one grid, and a request is refused the same way whatever its dates.

    Raises:
        InvalidRequest: as :func:`aggregate`.
    """
    _check_finer(series, timeframe)
    if timeframe.intraday and len(series):
        closes = series.ts[:sample]
        _check_straddle(
            series, timeframe, bucket_starts(closes - series.duration_ns, timeframe), closes
        )


def _check_finer(series: BarSeries, timeframe: TimeFrame) -> None:
    if series.duration_ns > timeframe.min_width_ns:
        raise InvalidRequest(
            f"timeframe {timeframe} is finer than the stored "
            f"{duration_text(series.duration_ns)} bars of {series.symbol}"
        )


def _check_straddle(
    series: BarSeries, timeframe: TimeFrame, open_buckets: IntArray, closes: IntArray
) -> None:
    """Refuse a minute / hour timeframe whose buckets would cut a stored bar in two."""
    if timeframe.intraday and np.any(open_buckets != bucket_starts(closes - 1, timeframe)):
        raise InvalidRequest(
            f"timeframe {timeframe} does not fit the stored "
            f"{duration_text(series.duration_ns)} bars of {series.symbol}: "
            "a bar would straddle two buckets"
        )


def bucket_starts(ts_ns: IntArray, timeframe: TimeFrame) -> IntArray:
    """The start (epoch ns) of the ``timeframe`` bucket holding each instant of ``ts_ns``."""
    offsets = new_york_offsets_ns(ts_ns)
    local = ts_ns + offsets
    days = np.floor_divide(local, _DAY)
    if timeframe.intraday:
        width = timeframe.min_width_ns
        since_midnight = local - days * _DAY
        local_starts = days * _DAY + since_midnight // width * width
        return _instants(local_starts, offsets)
    if timeframe.unit is Unit.WEEK:
        days = days - (days + _THURSDAY) % 7
    elif timeframe.unit is Unit.MONTH:
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        months -= months % timeframe.amount  # month 0 is January 1970
        days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return _midnights_ns(days)


def _instants(local_starts: IntArray, offsets: IntArray) -> IntArray:
    """When the bucket of each instant (at ``offsets``) began: its New York start
    time, read on the stretch of wall clock the instant lies on.

    Stamped back with the instant's own offset where that offset holds at the
    stamp. Otherwise the clocks changed inside the bucket: after they went
    back, the instant's bucket began when they did (so the two 01:00 hours of
    that night stay two buckets); after they went forward, it began under the
    earlier offset (00:00-04:00 on the spring night starts at 00:00 EST), or,
    for a start time the clocks skipped (02:57, for 59-minute buckets), at the
    jump. Offsets change on whole UTC hours, so a jump is the next one.
    """
    candidates = local_starts - offsets
    held = new_york_offsets_ns(candidates)
    jumps = (candidates // _HOUR + 1) * _HOUR
    earlier = local_starts - held
    before_jump = new_york_offsets_ns(earlier) == held
    went_back = held > offsets  # the instant's offset is the one after a fall back
    went_forward = held < offsets
    starts: IntArray = np.where(
        went_back,
        jumps,
        np.where(went_forward, np.where(before_jump, earlier, jumps), candidates),
    )
    return starts


def new_york_offsets_ns(ts_ns: IntArray) -> IntArray:
    """The New York UTC offset (ns, negative) at each instant of ``ts_ns``."""
    # Offsets change on whole UTC hours: one zone lookup per distinct hour.
    hours, inverse = _distinct(np.floor_divide(ts_ns, _HOUR))
    offsets = np.fromiter((_hour_offset_ns(int(h)) for h in hours), np.int64, hours.shape[0])
    return offsets[inverse]


def _midnights_ns(days: IntArray) -> IntArray:
    """00:00 New York of each epoch-day number in ``days``, as epoch ns."""
    distinct, inverse = _distinct(days)
    midnights = np.fromiter((_midnight_ns(int(d)) for d in distinct), np.int64, distinct.shape[0])
    return midnights[inverse]


def _distinct(values: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(values, return_inverse=True)``, without a sort for sorted input."""
    if values.shape[0] and np.all(values[1:] >= values[:-1]):
        new = np.concatenate(([True], values[1:] != values[:-1]))
        return values[new], np.cumsum(new) - 1
    distinct, inverse = np.unique(values, return_inverse=True)
    return distinct, np.asarray(inverse, dtype=np.int64).reshape(-1)


@lru_cache(maxsize=65536)
def _hour_offset_ns(hour: int) -> int:
    offset = datetime.fromtimestamp(hour * 3600, tz=NEW_YORK).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * _SECOND


@lru_cache(maxsize=65536)
def _midnight_ns(day: int) -> int:
    return datetime_to_ns(
        datetime.combine(date.fromordinal(_EPOCH_ORDINAL + day), time(0), tzinfo=NEW_YORK)
    )
