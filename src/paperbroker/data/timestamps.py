"""Bar times: parsing vendors' time columns and turning stamps into close times.

Times may be ISO-8601 dates or datetimes (with or without an offset), epoch
integers in s/ms/us/ns (unit chosen by magnitude) or the day-first form
``01.01.2017 22:00:00.000``; naive times are read in a given time zone.  Bars
stamped at their open are moved to their close; date-only rows close at their
instrument's session close (13:00 on an early close of the exchange calendar).

Naive times are wall-clock times of the zone, converted with its daylight
saving rules (``zoneinfo``).  Two kinds of wall time need a rule:

- A time the clocks skip when they spring forward (02:30 on a March Sunday in
  New York) does not exist: the file is refused, naming the row.
- A time the clocks show twice when they fall back (01:30 on a November
  Sunday in New York) is its first occurrence (daylight time), unless the
  same symbol has another bar at that wall time: then, in file order, the
  first is the daylight one and the second the standard one, an hour later
  (:func:`resolve_repeats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from paperbroker.core.clock import NANOS_PER_MINUTE, ns_to_text
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import IntArray
from paperbroker.data.source_errors import first_line, first_null
from paperbroker.model.instrument import Instrument, TradingHours

_EPOCH = date(1970, 1, 1)
_QUARTER_HOUR_NS = 15 * NANOS_PER_MINUTE
_INT64_MAX = 2**63 - 1


class ParsedTimes(NamedTuple):
    """A parsed time column: instants in epoch ns, or (``dates``) days since the epoch.

    ``repeat_ns`` is, for each row whose naive wall time the clocks showed
    twice, how much later its second occurrence is (0 for every other row;
    ``None`` when no row is such): see :func:`resolve_repeats`.
    """

    values: IntArray  # epoch ns (instants) or epoch days (dates)
    dates: bool
    repeat_ns: IntArray | None = None

    def take(self, keep: npt.NDArray[np.bool_]) -> ParsedTimes:
        """The rows where ``keep`` is true."""
        repeat = None if self.repeat_ns is None else self.repeat_ns[keep]
        return ParsedTimes(self.values[keep], self.dates, repeat)


class _Local(NamedTuple):
    """Naive wall times converted to UTC, with what the zone's clock changes did to them."""

    values: IntArray  # epoch ns, each at its first occurrence
    repeat_ns: IntArray | None  # per row: how much later a second occurrence is
    skipped: npt.NDArray[np.bool_]  # per row: a wall time the clocks skipped


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
            if kind.tz:
                return ParsedTimes(ns, False)
            return _local_times(_localize(ns, zone), ns, column, source, zone)
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
        naive = _ints(text.cast(pa.timestamp("ns")).cast(pa.int64()))
    except pa.ArrowInvalid:
        pass
    else:
        return _local_times(_localize(naive, zone), naive, column, source, zone)
    try:
        return ParsedTimes(_ints(text.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64())), False)
    except pa.ArrowInvalid:
        return _python_times(text, column, source, zone)


def _python_times(text: pa.Array, column: str, source: str, zone: ZoneInfo) -> ParsedTimes:
    """Slow path for mixed or unusual ISO strings: parse each distinct value in Python."""
    encoded = pc.dictionary_encode(text)
    values = encoded.dictionary.to_pylist()
    parsed = np.empty(len(values), dtype=np.int64)
    naive = np.zeros(len(values), dtype=np.bool_)
    for index, value in enumerate(values):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            row = int(np.argmax(codes == index)) + 1
            raise InvalidRequest(
                f"{source}: column {column} row {row}: cannot read {value!r} as a time"
            ) from None
        naive[index] = moment.tzinfo is None
        if naive[index]:
            moment = moment.replace(tzinfo=UTC)  # the wall time, localized below
        delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
        parsed[index] = (delta // timedelta(microseconds=1)) * 1000
    codes = _ints(encoded.indices)
    stamps: IntArray = parsed[codes]
    if not naive.any():
        return ParsedTimes(stamps, False)
    wall = naive[codes]
    local = _localize(stamps[wall], zone)
    values = stamps.copy()
    values[wall] = local.values
    repeat = None
    if local.repeat_ns is not None:
        repeat = np.zeros(stamps.shape[0], dtype=np.int64)
        repeat[wall] = local.repeat_ns
    skipped = np.zeros(stamps.shape[0], dtype=np.bool_)
    skipped[wall] = local.skipped
    return _local_times(_Local(values, repeat, skipped), stamps, column, source, zone)


def _local_times(
    local: _Local, naive_ns: IntArray, column: str, source: str, zone: ZoneInfo
) -> ParsedTimes:
    """The parsed times, or the error naming the first wall time the clocks skipped."""
    if local.skipped.any():
        row = int(np.argmax(local.skipped))
        wall = format_time(int(naive_ns[row]), False).removesuffix("Z")
        raise InvalidRequest(
            f"{source}: column {column} row {row + 1}: {wall} does not exist in {zone.key} "
            "(the clocks skip it when they spring forward); is the file in another time zone?"
        )
    return ParsedTimes(local.values, False, local.repeat_ns)


def resolve_repeats(times: ParsedTimes, codes: IntArray) -> IntArray:
    """The times with each symbol's repeated wall times resolved, in file order.

    Of two bars of one symbol at a wall time the clocks showed twice, the
    first row is the first occurrence (as every such time is taken) and the
    second row the second, ``repeat_ns`` later.  A third stays where it is,
    to be reported as a duplicate.
    """
    if times.repeat_ns is None:
        return times.values
    values = times.values.copy()
    seen: set[tuple[int, int]] = set()
    for row in np.flatnonzero(times.repeat_ns).tolist():
        key = (int(codes[row]), int(values[row]))
        if key in seen:
            values[row] += times.repeat_ns[row]
            seen.discard(key)  # a third is a first again: a duplicate of the first
        else:
            seen.add(key)
    return values


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


def _localize(naive_ns: IntArray, zone: ZoneInfo) -> _Local:
    """Convert naive wall-clock ns in ``zone`` to UTC ns, by the rules in the module doc.

    Offsets only change on quarter-hour boundaries, so one zone lookup per
    distinct quarter hour is exact and keeps million-row files fast.  Where a
    quarter hour has two offsets (``fold`` 0 and 1), the clocks either skipped
    it (the offset grows) or showed it twice (it shrinks).
    """
    none = np.zeros(naive_ns.shape[0], dtype=np.bool_)
    if zone.key == "UTC" or naive_ns.size == 0:
        return _Local(naive_ns, None, none)
    buckets, inverse = np.unique(naive_ns // _QUARTER_HOUR_NS, return_inverse=True)
    offsets = np.empty(buckets.shape[0], dtype=np.int64)
    changes = np.zeros(buckets.shape[0], dtype=np.int64)  # fold 0 offset - fold 1 offset
    for index, bucket in enumerate(buckets.tolist()):
        wall = datetime(1970, 1, 1) + timedelta(microseconds=bucket * _QUARTER_HOUR_NS // 1000)
        first = _offset_ns(wall.replace(tzinfo=zone))
        offsets[index] = first
        changes[index] = first - _offset_ns(wall.replace(tzinfo=zone, fold=1))
    rows = inverse.reshape(-1)
    change = changes[rows]
    repeat = np.where(change > 0, change, 0)
    return _Local(naive_ns - offsets[rows], repeat if repeat.any() else None, change < 0)


def _offset_ns(moment: datetime) -> int:
    return (moment.utcoffset() or timedelta(0)) // timedelta(microseconds=1) * 1000


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
    instrument's session close (an early close where the exchange calendar has
    one) and last the longest of their sessions; stamps at the open
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
            closes[lo:hi], session = _session_closes(stamps[lo:hi], hours)
            durations[sym] = given or session
        return durations, closes
    duration = given or _common_gap(source, bounds, stamps)
    closes = stamps + duration if timestamp == "open" else stamps
    return dict.fromkeys(symbols, duration), closes


def _session_closes(days: IntArray, hours: TradingHours) -> tuple[IntArray, int]:
    """Each day's session close (an early close where the exchange calendar has one)
    and the longest session among them: the bars' duration."""
    unique, inverse = np.unique(days, return_inverse=True)
    dates = [_EPOCH + timedelta(days=day) for day in unique.tolist()]
    closes = [hours.session_close_ns(day) for day in dates]
    longest = max(
        close - hours.session_open_ns(day) for day, close in zip(dates, closes, strict=True)
    )
    return np.array(closes, dtype=np.int64)[inverse.reshape(-1)], longest


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
    return ns_to_text(value)
