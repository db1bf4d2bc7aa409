"""The bar: one interval of prices, stamped at its close.

``ts`` is the moment the bar *ends* (epoch nanoseconds, UTC): the first moment
its close is known.  The kernel delivers a bar to strategies when its clock
reaches ``ts`` and never earlier, and an order decided at ``ts`` may only fill
on a bar that *opens* at or after ``ts``.  With the stamp at the close, "what
was known at time t" is simply "every bar with ``ts <= t``", so look-ahead
cannot be expressed.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from paperbroker.core.clock import ns_to_datetime


class Bar(NamedTuple):
    """One OHLCV bar of ``symbol`` that closed at ``ts`` (epoch ns, UTC).

    Prices are floats: bars are measurements, and the engine converts a price
    to an exact ``Decimal`` on the instrument's tick grid the moment it enters
    a fill.
    """

    symbol: str
    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    @property
    def time(self) -> datetime:
        """The bar's close time as an aware UTC datetime."""
        return ns_to_datetime(self.ts)
