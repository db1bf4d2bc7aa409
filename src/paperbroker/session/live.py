"""The data side of a session runtime: history for a backtest, a live feed for paper.

:class:`LiveData` is the part of :class:`~paperbroker.session.runtime.SessionRuntime`
that chooses the kernel's feed when the session is built (the only place
that knows the session's type) and, for a paper session, takes the feed's
bars in: each bar is journaled (``BarReceived``) before the clock moves to
it, so a restore replays the very bars, and every command first brings the
clock up to the wall, journaled like any advance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING

from paperbroker.core.clock import Clock
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.data.live_series import LiveBarSeries
from paperbroker.engine.feed import BarStream, HistoricalFeed
from paperbroker.engine.live_feed import LiveFeed
from paperbroker.feeds.config import FeedSettings, feed_instruments
from paperbroker.model.events import BarReceived
from paperbroker.session.market import MarketData

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.session.spec import SessionSpec


class LiveData:
    """The session's bars: where they come from, and how a live one is taken in."""

    kernel: Kernel
    spec: SessionSpec
    wall: Clock | None

    # Provided by the runtime and its lifecycle part.
    def _command(
        self, *, writable: bool = True, follow: bool = True
    ) -> AbstractContextManager[None]:
        raise NotImplementedError

    @property
    def ended(self) -> bool:
        raise NotImplementedError

    def _settle(self) -> None:
        raise NotImplementedError

    @staticmethod
    def _data(spec: SessionSpec, market: MarketData) -> tuple[BarStream, int]:
        """The kernel's feed and the time its clock starts at.

        Raises:
            InvalidRequest: for a backtest with no data before its end, or a paper
                session whose feed settings or symbols are invalid.
        """
        if spec.kind in ("paper", "live"):  # a live session's bars come as a paper one's
            settings = FeedSettings.parse(spec.feed)
            instruments, duration = feed_instruments(settings, spec.symbols, market)
            return LiveFeed([LiveBarSeries(i, duration) for i in instruments]), spec.start_ns
        series = market.series_until(spec.end_ns)
        if not series:
            raise InvalidRequest("no market data before the session's end")
        first_open = min(int(s.ts[0]) - s.duration_ns for s in series)
        return HistoricalFeed(series), min(first_open, spec.start_ns)

    @property
    def live(self) -> bool:
        """Whether the session's bars arrive as it runs (a paper session)."""
        return isinstance(self.kernel.feed, LiveFeed)

    @property
    def last_bar_ns(self) -> int | None:
        """The close time of the last bar a live session holds."""
        feed = self.kernel.feed
        return feed.last_ts if isinstance(feed, LiveFeed) else None

    def ingest(self, bars: Sequence[Bar]) -> int:
        """Take a batch of bars from the feed: journal them, move the clock to them.

        A bar stamped before the session's clock (the clock moved on for a
        command meanwhile) is taken in at the clock's time: it became known
        then. Bars keep coming while paused; an ended session takes none.
        Return how many were taken.

        Raises:
            Conflict: if the session has ended.
            InvalidRequest: for a bar of a symbol the session does not have, or
                a bar its series refuses.
        """
        # The bars first, at their own times; then the clock follows the wall.
        with self._command(writable=False, follow=False):
            if self.ended:
                return 0
            for bar in bars:
                at = max(bar.ts, self.kernel.clock.now_ns())
                self._append_bar(BarReceived(at, bar.symbol, *_exact(bar)))
            self.kernel.run_until(max(self.kernel.clock.now_ns(), *(b.ts for b in bars)))
            self._follow_wall()
            self._settle()  # a stop may be done
            return len(bars)

    def _append_bar(self, event: BarReceived) -> None:
        feed = self.kernel.feed
        assert isinstance(feed, LiveFeed)
        bar = Bar(
            event.symbol, event.ts, float(event.open), float(event.high), float(event.low),
            float(event.close), float(event.volume),
        )  # fmt: skip
        feed.append(bar)
        self.kernel.events.append(event)

    def _follow_wall(self) -> None:
        """Bring a paper session's clock up to the wall (journaled with the command)."""
        wall = self.wall
        if wall is not None:
            now = wall.now_ns()
            if now > self.kernel.clock.now_ns():
                self.kernel.run_until(now)


def _exact(bar: Bar) -> Iterator[Decimal]:
    """The bar's prices and volume as decimals that give back the very floats."""
    for value in (bar.open, bar.high, bar.low, bar.close, bar.volume):
        yield Decimal(repr(float(value)))
