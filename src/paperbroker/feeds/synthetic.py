"""A seeded random walk, one bar per symbol every ``interval`` of wall time.

Bar ``k`` of every symbol closes at ``wall_start + (k + 1) * interval``; its
prices are those of :func:`~paperbroker.data.synthetic.synthetic_bars` with a
seed derived from the feed's seed and the symbol, so the same settings give
the same bars, and a restored session's feed goes on with the very walk.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from datetime import timedelta

from paperbroker.core.clock import NANOS_PER_SECOND, Clock
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.feeds.replay import around_the_clock
from paperbroker.feeds.scheduled import ScheduledFeed
from paperbroker.model.instrument import Instrument

#: Bars generated at a time, per symbol.
BLOCK = 3_600
MIN_INTERVAL_SECONDS = 0.01


class SyntheticFeed(ScheduledFeed):
    """Seeded random-walk bars of ``symbols`` every ``interval_seconds``.

    Raises:
        InvalidRequest: for an interval under 10 ms or no symbols.
    """

    kind = "synthetic"

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        seed: int,
        interval_seconds: float,
        wall_start_ns: int,
        clock: Clock,
        start_price: float = 100.0,
        annual_volatility: float = 0.2,
    ) -> None:
        if interval_seconds < MIN_INTERVAL_SECONDS:
            raise InvalidRequest(f"feed interval must be at least {MIN_INTERVAL_SECONDS} s")
        if not symbols:
            raise InvalidRequest("a synthetic feed needs at least one symbol")
        self._seed = seed
        # Whole milliseconds, so every close time is exact in the walk's own arithmetic.
        self._interval_ns = round(interval_seconds * 1000) * (NANOS_PER_SECOND // 1000)
        self._wall_start_ns = wall_start_ns
        self._start_price = start_price
        self._volatility = annual_volatility
        instruments = [around_the_clock(Instrument.equity(s)) for s in symbols]
        super().__init__(instruments, self._interval_ns, clock)

    def _block(self, instrument: Instrument, block: int, start_price: float) -> BarSeries:
        """Bars ``block * BLOCK`` to ``(block + 1) * BLOCK - 1`` of ``instrument``'s walk."""
        return synthetic_bars(
            instrument.symbol, BLOCK,
            seed=zlib.crc32(f"{self._seed}/{instrument.symbol}/{block}".encode()),
            start=self._wall_start_ns + (block * BLOCK + 1) * self._interval_ns,
            interval=timedelta(microseconds=self._interval_ns // 1_000),
            start_price=start_price, annual_volatility=self._volatility,
            instrument=instrument,
        )  # fmt: skip

    def batches(self, after_ns: int | None) -> Iterator[list[Bar]]:
        first = 0
        if after_ns is not None and after_ns >= self._wall_start_ns:
            first = (after_ns - self._wall_start_ns) // self._interval_ns
        prices = [self._start_price] * len(self.instruments)
        block = 0
        while True:
            # Each block opens at the close before it: the walk is one path.
            walks = [
                self._block(i, block, p) for i, p in zip(self.instruments, prices, strict=True)
            ]
            prices = [float(w.close[-1]) for w in walks]
            base = block * BLOCK
            block += 1
            if base + BLOCK <= first:
                continue  # bars already delivered: only their last close matters
            for k in range(max(first - base, 0), BLOCK):
                batch = [walk.bar(k) for walk in walks]
                if after_ns is None or batch[0].ts > after_ns:
                    yield batch
