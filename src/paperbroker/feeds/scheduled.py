"""Feeds whose every bar has a known wall time: replays and synthetic walks.

A scheduled feed computes its bars ahead, each stamped with the wall time it
closes at, and hands each batch over when the wall clock reaches it. It is
deterministic: the same settings give the same bars at the same times, so a
restored session's feed goes on exactly where the schedule stands.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Iterator

from paperbroker.data.bar import Bar
from paperbroker.feeds.base import BarFeed, BarSink, FeedEnded


class ScheduledFeed(BarFeed):
    """A :class:`BarFeed` over batches of bars with known close times."""

    @abstractmethod
    def batches(self, after_ns: int | None) -> Iterator[list[Bar]]:
        """The batches of bars closing after ``after_ns``, in time order (one close
        time per batch)."""

    def run(self, sink: BarSink, stop: threading.Event, after_ns: int | None) -> None:
        self.health.connected = True
        try:
            for batch in self.batches(after_ns):
                due = batch[0].ts
                wait_ns = due - self.clock.now_ns()
                if wait_ns > 0:
                    if stop.wait(wait_ns / 1e9):
                        return
                elif -wait_ns > self.duration_ns:
                    continue  # it closed while nobody listened: a live feed skips it too
                if stop.is_set():
                    return
                sink(batch)
                self.delivered(batch)
        finally:
            self.health.connected = False
        raise FeedEnded(f"the {self.kind} feed has no more bars")
