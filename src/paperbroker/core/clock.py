"""Injected clocks: the only source of time for engine code.

Time inside the engine is an integer count of nanoseconds since the Unix epoch
(UTC).  Integers are exact, cheap to compare and serialise losslessly; datetimes
are produced only at the edges (API, CLI, reports).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from paperbroker.core.errors import InvalidRequest

NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND


def ns_to_datetime(ts_ns: int) -> datetime:
    """Convert epoch nanoseconds to an aware UTC datetime (microsecond precision)."""
    return datetime.fromtimestamp(ts_ns // 1000 / 1_000_000, tz=UTC)


def ns_to_text(ts_ns: int) -> str:
    """Epoch nanoseconds as RFC 3339 UTC text, ``2024-01-03T21:00:00Z`` (with microseconds
    when it has some): how results and reports print a time."""
    return ns_to_datetime(ts_ns).isoformat().replace("+00:00", "Z")


def datetime_to_ns(moment: datetime) -> int:
    """Convert an aware datetime to epoch nanoseconds.

    Raises:
        InvalidRequest: if ``moment`` is naive, since a naive time is ambiguous.
    """
    if moment.tzinfo is None:
        raise InvalidRequest(f"timestamp {moment.isoformat()} has no time zone")
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * NANOS_PER_SECOND + delta.microseconds * 1000


class Clock(Protocol):
    """What engine code may ask about time."""

    def now_ns(self) -> int:
        """Current time in epoch nanoseconds."""
        ...

    def now(self) -> datetime:
        """Current time as an aware UTC datetime."""
        ...


class SimClock:
    """A clock that moves only when told to: backtests and simulated sessions.

    It never runs backwards, so an event stamped by it can never precede one
    stamped earlier.
    """

    __slots__ = ("_ns",)

    def __init__(self, start_ns: int = 0) -> None:
        self._ns = start_ns

    def now_ns(self) -> int:
        return self._ns

    def now(self) -> datetime:
        return ns_to_datetime(self._ns)

    def advance_to(self, ts_ns: int) -> None:
        """Move the clock forward to ``ts_ns``.

        Raises:
            InvalidRequest: if ``ts_ns`` lies before the current time.
        """
        if ts_ns < self._ns:
            raise InvalidRequest(f"clock cannot move backwards from {self._ns} to {ts_ns}")
        self._ns = ts_ns

    def advance_by(self, delta_ns: int) -> None:
        """Move the clock forward by ``delta_ns`` nanoseconds (must be >= 0)."""
        self.advance_to(self._ns + delta_ns)


class ManualClock:
    """A wall clock moved by hand (``ns``): the wall a paper or live session follows in
    tests, benchmarks and replays of a recorded day. Unlike :class:`SimClock` it may be
    set anywhere; the session's own clock still never runs backwards."""

    __slots__ = ("ns",)

    def __init__(self, ns: int = 0) -> None:
        self.ns = ns

    def now_ns(self) -> int:
        return self.ns

    def now(self) -> datetime:
        return ns_to_datetime(self.ns)


class WallClock:
    """The real UTC clock, for paper and live sessions."""

    __slots__ = ()

    def now_ns(self) -> int:
        return time.time_ns()

    def now(self) -> datetime:
        return ns_to_datetime(self.now_ns())
