"""The feed interface: bars that arrive over wall time, handed over in batches.

A feed knows its instruments and bar length before it starts, so a session
can be built (and restored) without it. :meth:`BarFeed.run` blocks in a
thread of its own until ``stop`` is set, handing each batch of bars that
closed together to the sink; the sink journals them into the session. After
a restart a feed resumes after the last bar the session holds: bars that
closed while the server was down are not delivered late (a live feed cannot
deliver the past either), so the session reports the gap as staleness.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from paperbroker.core.clock import Clock
from paperbroker.data.bar import Bar
from paperbroker.model.instrument import Instrument

#: Receives each batch of bars that closed together (one per symbol at most).
BarSink = Callable[[Sequence[Bar]], None]


class FeedEnded(Exception):
    """A finite feed (a replay) has delivered its last bar."""


@dataclass
class FeedHealth:
    """What a feed reports about itself (read from other threads: plain fields)."""

    connected: bool = False
    #: Wall time of the last batch handed to the sink.
    last_bar_wall_ns: int | None = None
    batches: int = 0
    bars: int = 0
    reconnects: int = 0
    last_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class BarFeed(ABC):
    """A source of bars for a session, running in its own thread.

    Args:
        instruments: what it delivers, in the session's order.
        duration_ns: the length of its bars.
        clock: the wall clock it schedules by.
    """

    kind: ClassVar[str] = ""

    def __init__(self, instruments: Sequence[Instrument], duration_ns: int, clock: Clock) -> None:
        self.instruments = list(instruments)
        self.duration_ns = duration_ns
        self.clock = clock
        self.health = FeedHealth()

    @property
    def symbols(self) -> list[str]:
        return [i.symbol for i in self.instruments]

    @abstractmethod
    def run(self, sink: BarSink, stop: threading.Event, after_ns: int | None) -> None:
        """Deliver bars to ``sink`` until ``stop`` is set; only bars closing after
        ``after_ns`` (the session's last bar) and not before now.

        Raises:
            FeedEnded: when a finite feed has no more bars.
            Exception: anything else that makes the feed fail (the session moves
                to ``error``; resuming it starts the feed again).
        """

    def delivered(self, bars: Sequence[Bar]) -> None:
        """Book a batch handed to the sink (for health)."""
        self.health.last_bar_wall_ns = self.clock.now_ns()
        self.health.batches += 1
        self.health.bars += len(bars)

    def stale_seconds(self, now_ns: int, started_ns: int) -> float:
        """Seconds since the last bar (or since the start, before the first)."""
        last = self.health.last_bar_wall_ns or started_ns
        return max(0.0, (now_ns - last) / 1e9)
