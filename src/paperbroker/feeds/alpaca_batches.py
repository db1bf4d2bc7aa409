"""Bars of one minute gathered into one batch, each bar once, batches in order.

Alpaca sends the bars of a minute one symbol at a time, a moment after the
minute ends, and only for symbols that traded in it. :class:`MinuteBatcher`
holds the bars closing at one time until the batch is complete (every
symbol), a bar of a later minute arrives, or a short window has passed since
the first of them; then the batch is due. It never hands out a bar twice
(Alpaca may send a bar again after a reconnect) nor a batch that closes
before the one handed out before it (the session's feed only moves forward).
"""

from __future__ import annotations

from collections.abc import Sequence

from paperbroker.data.bar import Bar
from paperbroker.feeds.alpaca_messages import DuplicateBar, LateBar


class MinuteBatcher:
    """Groups ``symbols``' bars by close time, after ``after_ns`` (exclusive).

    Args:
        symbols: the feed's symbols; a batch lists its bars in this order.
        after_ns: the close time of the last bar the session holds, if any.
        window_ns: how long the first bar of a minute waits for the others.
    """

    def __init__(self, symbols: Sequence[str], after_ns: int | None, window_ns: int) -> None:
        self._order = {symbol: i for i, symbol in enumerate(symbols)}
        self._window_ns = window_ns
        # Close time of each symbol's last bar taken (pending or handed out).
        self._last: dict[str, int] = {}
        self._after_ns = after_ns
        # Close time of the last batch handed out: nothing may close before it.
        self._handed_out_ns = after_ns
        self._pending: list[Bar] = []
        self._due_ns: int | None = None

    @property
    def due_ns(self) -> int | None:
        """When the pending batch is due by its window (None: nothing pending)."""
        return self._due_ns

    def add(self, bar: Bar, now_ns: int) -> list[list[Bar]]:
        """Take ``bar`` (of one of the symbols) at ``now_ns``; return the batches
        now due, oldest first (often none).

        Raises:
            DuplicateBar: if it closes at or before its symbol's last bar, or
                at or before ``after_ns``.
            LateBar: if it closes before the last batch handed out.
        """
        last = self._last.get(bar.symbol, self._after_ns)
        if last is not None and bar.ts <= last:
            raise DuplicateBar(f"{bar.symbol}: a bar closing at {bar.ts} is not after {last}")
        if self._handed_out_ns is not None and bar.ts < self._handed_out_ns:
            raise LateBar(f"{bar.symbol}: a bar closing at {bar.ts} came after its minute's batch")
        self._last[bar.symbol] = bar.ts
        due: list[list[Bar]] = []
        if self._pending:
            pending_ns = self._pending[0].ts
            if bar.ts < pending_ns:
                # A straggler of an earlier minute, still after every batch handed
                # out: it goes out alone, before the minute that is pending.
                self._handed_out_ns = bar.ts
                return [[bar]]
            if bar.ts > pending_ns:
                due.append(self.flush())
        if not self._pending:
            self._due_ns = now_ns + self._window_ns
        self._pending.append(bar)
        if len(self._pending) == len(self._order):
            due.append(self.flush())  # every symbol is in: no reason to wait
        return due

    def poll(self, now_ns: int) -> list[Bar] | None:
        """The pending batch if its window has passed by ``now_ns``."""
        if self._due_ns is not None and now_ns >= self._due_ns:
            return self.flush()
        return None

    def flush(self) -> list[Bar]:
        """Hand out the pending batch now, whatever its window (may be empty)."""
        batch = sorted(self._pending, key=lambda bar: self._order[bar.symbol])
        if batch:
            self._handed_out_ns = batch[0].ts
        self._pending = []
        self._due_ns = None
        return batch
