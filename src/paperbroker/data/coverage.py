"""What stretch of time a series covers, and how messages name it.

A backtest or session over a period a symbol has no bars in cannot trade it;
the refusal names the period asked for and each symbol's own range, written
``SYMBOL: first – last`` (dates for daily bars, UTC minutes for intraday
ones): the first bar's open and the last bar's close.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from paperbroker.core.clock import ns_to_datetime
from paperbroker.data.series import BarSeries

#: Bars at least this long are daily (or longer): their ranges are dates.
_DAILY_NS = 3 * 3_600_000_000_000
_DAY_NS = 86_400_000_000_000


def has_bars(series: BarSeries, after_ns: int | None, until_ns: int | None) -> bool:
    """Whether a bar of ``series`` closes after ``after_ns`` and at or before ``until_ns``."""
    lo = 0 if after_ns is None else int(np.searchsorted(series.ts, after_ns, side="right"))
    hi = len(series) if until_ns is None else int(np.searchsorted(series.ts, until_ns, "right"))
    return hi > lo


def span_text(symbol: str, series: BarSeries | None) -> str:
    """``"AAPL: 2000-03-01 – 2013-03-01"``, or ``"NOPE: no data"``."""
    if series is None or not len(series):
        return f"{symbol}: no data"
    first, last = int(series.ts[0]) - series.duration_ns, int(series.ts[-1])
    if series.duration_ns >= _DAILY_NS:
        return f"{symbol}: {ns_to_datetime(first):%Y-%m-%d} – {ns_to_datetime(last):%Y-%m-%d}"
    return f"{symbol}: {moment_text(first)} – {moment_text(last)}"


def spans_text(spans: Iterable[tuple[str, BarSeries | None]]) -> str:
    """Several :func:`span_text`, comma-separated."""
    return ", ".join(span_text(symbol, series) for symbol, series in spans)


def moment_text(ts_ns: int) -> str:
    """A moment in UTC to the minute (seconds only when it has some): ``2024-03-04 14:30Z``.

    The first or last nanosecond of a UTC day is that day's date (``2020-12-31``):
    a bound such as ``end="2020-12-31"`` is written as it was given.
    """
    if ts_ns % _DAY_NS == 0:
        return f"{ns_to_datetime(ts_ns):%Y-%m-%d}"
    if (ts_ns + 1) % _DAY_NS == 0:
        return f"{ns_to_datetime(ts_ns + 1 - _DAY_NS):%Y-%m-%d}"
    moment = ns_to_datetime(ts_ns)
    if moment.second or moment.microsecond:
        return moment.isoformat(sep=" ").replace("+00:00", "Z")
    return f"{moment:%Y-%m-%d %H:%M}Z"


def window_text(after_ns: int | None, until_ns: int | None) -> str:
    """A period asked for, each end optional: ``2020-01-02 14:30Z – 2020-12-31 21:00Z``."""
    start = "the first bar" if after_ns is None else moment_text(after_ns)
    end = "the last bar" if until_ns is None else moment_text(until_ns)
    return f"{start} – {end}"
