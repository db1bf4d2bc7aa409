"""Replay history in real time or faster, shifted so that it starts now.

A bar that closed at historical time ``t`` closes in the replay at
``wall_start + (t - start) / speed``: at speed 60 an hour of one-minute bars
plays in a minute, one bar a second. The bars' length shrinks by the same
factor, and the instruments trade around the clock: the replay is a
rehearsal, not the exchange's calendar.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterator, Sequence
from fractions import Fraction

from paperbroker.core.clock import Clock
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.feeds.scheduled import ScheduledFeed
from paperbroker.model.instrument import CRYPTO_HOURS, Instrument

MAX_SPEED = 1_000_000


def around_the_clock(instrument: Instrument) -> Instrument:
    """``instrument`` trading at every hour (a replay or a synthetic walk has no calendar)."""
    return dataclasses.replace(instrument, hours=CRYPTO_HOURS)


class ReplayFeed(ScheduledFeed):
    """Historical ``series`` from ``start_ns`` on, at ``speed`` times real time, from
    ``wall_start_ns`` on.

    Raises:
        InvalidRequest: for a speed out of (0, 1e6], series of different bar
            lengths, or no bar after ``start_ns``.
    """

    kind = "replay"

    def __init__(
        self,
        series: Sequence[BarSeries],
        *,
        start_ns: int,
        speed: float,
        wall_start_ns: int,
        clock: Clock,
    ) -> None:
        if not 0 < speed <= MAX_SPEED:
            raise InvalidRequest(f"feed speed must be in (0, {MAX_SPEED}], got {speed}")
        durations = {s.duration_ns for s in series}
        if len(durations) != 1:
            raise InvalidRequest("a replay needs symbols with bars of one length")
        self._speed = Fraction(speed).limit_denominator(1_000_000)
        self._series = [s.between(start_ns, None) for s in series]
        if not any(len(s) for s in self._series):
            raise InvalidRequest("no bars to replay after the feed's start")
        self._start_ns = start_ns
        self._wall_start_ns = wall_start_ns
        duration = max(1, int(durations.pop() / self._speed))
        super().__init__([around_the_clock(s.instrument) for s in series], duration, clock)

    def wall_time(self, historical_ns: int) -> int:
        """When a bar that closed at ``historical_ns`` closes in the replay."""
        return self._wall_start_ns + int((historical_ns - self._start_ns) / self._speed)

    def batches(self, after_ns: int | None) -> Iterator[list[Bar]]:
        rows = heapq.merge(*(_rows(i, s) for i, s in enumerate(self._series)))
        batch: list[Bar] = []
        for ts, index, row in rows:
            wall = self.wall_time(ts)
            if after_ns is not None and wall <= after_ns:
                continue
            if batch and batch[0].ts != wall:
                yield batch
                batch = []
            bar = self._series[index].bar(row)
            batch.append(bar._replace(symbol=self.instruments[index].symbol, ts=wall))
        if batch:
            yield batch


def _rows(index: int, series: BarSeries) -> Iterator[tuple[int, int, int]]:
    """``(close time, series index, row)`` of every bar, for merging series by time."""
    for row, ts in enumerate(series.ts.tolist()):
        yield ts, index, row
