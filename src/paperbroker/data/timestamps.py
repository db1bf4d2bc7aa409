"""Bar times: parsing vendors' time columns and turning stamps into close times.

Times may be ISO-8601 dates or datetimes (with or without an offset), epoch
integers in s/ms/us/ns (unit chosen by magnitude) or the day-first form
``01.01.2017 22:00:00.000``; naive times are read in a given time zone.  Bars
stamped at their open are moved to their close; date-only rows close at their
instrument's session close.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paperbroker.core.clock import NANOS_PER_MINUTE, ns_to_datetime
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import IntArray
from paperbroker.data.source_errors import first_line, first_null
from paperbroker.model.instrument import Instrument, TradingHours

_EPOCH = date(1970, 1, 1)
_QUARTER_HOUR_NS = 15 * NANOS_PER_MINUTE
_INT64_MAX = 2**63 - 1


class ParsedTimes(NamedTuple):
    """A parsed time column: instants in epoch ns, or (``dates``) days since the epoch."""

    values: IntArray  # epoch ns (instants) or epoch days (dates)
    dates: bool


def parse_times(array: pa.Array, column: str, source: str, zone: ZoneInfo) -> ParsedTimes:
    """Parse a time column of any supported form; naive times are read in ``zone``.

    Raises:
        InvalidRequest: naming the source, column and first bad row.
    """
    first_null(array, column, source)
    kind = array.type
    try:
        if pa.types.is_date(kind):
            days = array.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
            return ParsedTimes(days.astype(np.int64), True)
        if pa.types.is_timestamp(kind):
            ns = _ints(array.cast(pa.timestamp("ns", tz=kind.tz)).cast(pa.int64()))
            return ParsedTimes(ns if kind.tz else _localize(ns, zone), False)
        if pa.types.is_integer(kind):
            return ParsedTimes(_epoch_to_ns(_ints(array.cast(pa.int64())), column, source), False)
    except pa.ArrowInvalid as exc:
        raise InvalidRequest(f"{source}: column {column}: {first_line(exc)}") from None
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _parse_time_strings(pc.utf8_trim_whitespace(array), column, source, zone)
    raise InvalidRequest(f"{source}: column {column} has type {kind}, not times")


def _all_match(text: pa.Array, pattern: str) -> bool:
    return bool(pc.all(pc.match_substring_regex(text, pattern)).as_py())


def _parse_time_strings(text: pa.Array, column: str, source: str, zone: ZoneInfo) -> ParsedTimes:
    if _all_match(text, r"^-?\d+$"):
        try:
            values = _ints(text.cast(pa.int64()))
        except pa.ArrowInvalid:
            raise InvalidRequest(f"{source}: column {column}: epoch value out of range") from None
        return ParsedTimes(_epoch_to_ns(values, column, source), False)
    if _all_match(text, r"^\d{2}\.\d{2}\.\d{4}(?:$|[ T])"):
        text = pc.replace_substring_regex(
            text, pattern=r"^(\d{2})\.(\d{2})\.(\d{4})", replacement=r"\3-\2-\1"
        )
    if _all_match(text, r"^\d{4}-\d{2}-\d{2}$"):
        try:
            days = text.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            _python_times(text, column, source, zone)  # raises, naming the row
            raise InvalidRequest(f"{source}: column {column}: invalid date") from None
        return ParsedTimes(days.astype(np.int64), True)
    try:
        return ParsedTimes(
            _localize(_ints(text.cast(pa.timestamp("ns")).cast(pa.int64())), zone), False
        )
    except pa.ArrowInvalid:
        pass
    try:
        return ParsedTimes(_ints(text.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64())), False)
    except pa.ArrowInvalid:
        return ParsedTimes(_python_times(text, column, source, zone), False)


def _python_times(text: pa.Array, column: str, source: str, zone: ZoneInfo) -> IntArray:
    """Slow path for mixed or unusual ISO strings: parse each distinct value in Python."""
    encoded = pc.dictionary_encode(text)
    values = encoded.dictionary.to_pylist()
    parsed = np.empty(len(values), dtype=np.int64)
    for index, value in enumerate(values):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            row = int(np.argmax(codes == index)) + 1
            raise InvalidRequest(
                f"{source}: column {column} row {row}: cannot read {value!r} as a time"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
        parsed[index] = (delta // timedelta(microseconds=1)) * 1000
    result: IntArray = parsed[_ints(encoded.indices)]
    return result


def _ints(array: pa.Array) -> IntArray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.int64)


def _epoch_to_ns(values: IntArray, column: str, source: str) -> IntArray:
    """Scale epoch integers to ns, choosing s/ms/us/ns by the largest magnitude."""
    biggest = int(np.abs(values).max()) if values.size else 0
    scale = 1_000_000_000 if biggest < 10**11 else 1_000_000 if biggest < 10**14 else 1_000
    if biggest >= 10**17:
        scale = 1
    if biggest * scale > _INT64_MAX:
        raise InvalidRequest(f"{source}: column {column}: epoch value {biggest} out of range")
    return values * scale


def _localize(naive_ns: IntArray, zone: ZoneInfo) -> IntArray:
    """Convert naive wall-clock ns in ``zone`` to UTC ns (ambiguous times: first occurrence).

    Offsets only change on quarter-hour boundaries, so one zone lookup per
    distinct quarter hour is exact and keeps million-row files fast.
    """
    if zone.key == "UTC" or naive_ns.size == 0:
        return naive_ns
    buckets, inverse = np.unique(naive_ns // _QUARTER_HOUR_NS, return_inverse=True)
    offsets = np.empty(buckets.shape[0], dtype=np.int64)
    for index, bucket in enumerate(buckets.tolist()):
        wall = datetime(1970, 1, 1) + timedelta(microseconds=bucket * _QUARTER_HOUR_NS // 1000)
        offset = wall.replace(tzinfo=zone).utcoffset() or timedelta(0)
        offsets[index] = offset // timedelta(microseconds=1) * 1000
    return naive_ns - offsets[inverse.reshape(-1)]


# --- symbols, checks and close times -------------------------------------------


def close_times(
    source: str,
    symbols: Sequence[str],
    instruments: Mapping[str, Instrument],
    bounds: IntArray,
    stamps: IntArray,
    dates: bool,
    saved: Mapping[str, int] | None,
    timestamp: str,
    bar_duration: timedelta | None,
) -> tuple[dict[str, int], IntArray]:
    """Each symbol's bar duration and every row's close time (epoch ns).

    ``bounds`` delimit the symbols' rows in ``stamps``.  Dates close at the
    instrument's session close and last one session; stamps at the open
    (``timestamp="open"``) move forward by the duration, which is
    ``bar_duration``, the one saved in the file, or the most common gap.

    Raises:
        InvalidRequest: when no duration can be found or a close time overflows.
    """
    """Each symbol's bar duration and every (sorted) row's close time in ns."""
    given = None if bar_duration is None else bar_duration // timedelta(microseconds=1) * 1000
    if saved is not None:
        missing = [sym for sym in symbols if sym not in saved]
        if dates or missing:
            raise InvalidRequest(f"{source}: metadata has no bar duration for {missing or 'dates'}")
        return {sym: saved[sym] for sym in symbols}, stamps
    if dates:
        closes = np.empty_like(stamps)
        durations: dict[str, int] = {}
        for index, sym in enumerate(symbols):
            lo, hi = int(bounds[index]), int(bounds[index + 1])
            hours = instruments[sym].hours
            closes[lo:hi] = _session_closes(stamps[lo:hi], hours)
            first = _EPOCH + timedelta(days=int(stamps[lo]))
            session = hours.session_close_ns(first) - hours.session_open_ns(first)
            durations[sym] = given or session
        return durations, closes
    duration = given or _common_gap(source, bounds, stamps)
    closes = stamps + duration if timestamp == "open" else stamps
    return dict.fromkeys(symbols, duration), closes


def _session_closes(days: IntArray, hours: TradingHours) -> IntArray:
    unique, inverse = np.unique(days, return_inverse=True)
    closes = np.array(
        [hours.session_close_ns(_EPOCH + timedelta(days=day)) for day in unique.tolist()],
        dtype=np.int64,
    )
    return closes[inverse.reshape(-1)]


def _common_gap(source: str, bounds: IntArray, stamps: IntArray) -> int:
    """The most common positive gap between consecutive stamps of the same symbol."""
    gaps = np.diff(stamps)
    within = np.ones(gaps.shape[0], dtype=bool)
    within[bounds[1:-1] - 1] = False  # a gap across two symbols is no gap
    gaps = gaps[within & (gaps > 0)]
    if gaps.size == 0:
        raise InvalidRequest(
            f"{source}: cannot infer the bar duration from a single bar; pass bar_duration"
        )
    values, counts = np.unique(gaps, return_counts=True)
    return int(values[int(np.argmax(counts))])


def format_time(value: int, dates: bool) -> str:
    """A parsed time as ISO-8601 text, for error messages."""
    if dates:
        return (_EPOCH + timedelta(days=value)).isoformat()
    return ns_to_datetime(value).isoformat().replace("+00:00", "Z")
