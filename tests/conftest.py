"""Shared builders for the engine tests: real bar series, kernels and fills (no mocks).

The fixtures are session-scoped factories (plain functions without state), so
hypothesis tests may use them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from tests.builders import make_fill

from paperbroker.core.clock import SimClock, datetime_to_ns
from paperbroker.core.ids import AccountId
from paperbroker.data.series import BarSeries
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType
from paperbroker.model.instrument import Instrument
from paperbroker.strategy.base import Strategy
from paperbroker.venue.venue import VenueConfig

NEW_YORK = ZoneInfo("America/New_York")
MINUTE_NS = 60 * 1_000_000_000
#: A regular US equity session, 09:30-16:00: the duration of a daily bar.
DAY_BAR_NS = 390 * MINUTE_NS
DEFAULT_VOLUME = 1_000_000.0

#: (open, high, low, close) or (open, high, low, close, volume)
Row = tuple[float, ...]


def ny_ns(day: date, hour: int = 16, minute: int = 0) -> int:
    """Epoch ns of a New York wall-clock time."""
    return datetime_to_ns(datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK))


def weekdays(start: date, n: int) -> list[date]:
    """The first ``n`` Monday-to-Friday dates from ``start`` on."""
    days: list[date] = []
    day = start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def daily_ts(n: int, start: date = date(2024, 1, 2)) -> list[int]:
    """Close times (16:00 New York) of ``n`` consecutive weekday sessions."""
    return [ny_ns(day) for day in weekdays(start, n)]


def minute_ts(n: int, first_close: datetime | None = None) -> list[int]:
    """Close times of ``n`` consecutive one-minute bars (default: from 09:31 on 2024-01-02)."""
    first = first_close or datetime(2024, 1, 2, 9, 31, tzinfo=NEW_YORK)
    start = datetime_to_ns(first)
    return [start + i * MINUTE_NS for i in range(n)]


def make_series(
    rows: Sequence[Row],
    *,
    ts: Sequence[int] | None = None,
    freq: str = "day",
    symbol: str = "XYZ",
    instrument: Instrument | None = None,
    duration_ns: int | None = None,
) -> BarSeries:
    """A series built by hand; ``freq`` is ``"day"`` (16:00 closes) or ``"minute"``."""
    if duration_ns is None:
        duration_ns = DAY_BAR_NS if freq == "day" else MINUTE_NS
    if ts is None:
        ts = daily_ts(len(rows)) if freq == "day" else minute_ts(len(rows))
    full = [tuple(r) if len(r) == 5 else (*r, DEFAULT_VOLUME) for r in rows]
    columns = np.array(full, dtype=np.float64).reshape(len(full), 5)
    return BarSeries(
        instrument or Instrument.equity(symbol),
        np.array(list(ts), dtype=np.int64),
        *(np.ascontiguousarray(columns[:, i]) for i in range(5)),
        duration_ns=duration_ns,
    )


def make_kernel(
    series: BarSeries | Sequence[BarSeries],
    *,
    cash: Decimal | int | str = 1_000_000,
    account_type: AccountType = AccountType.MARGIN,
    leverage: Decimal | int = 1,
    config: VenueConfig | None = None,
    strategy: Strategy | None = None,
) -> Kernel:
    """A kernel whose clock starts at the open of the earliest bar.

    Defaults: a margin account (leverage 1) with 1 000 000 of cash, so sells need no
    position, and a venue with no costs, full fills and the adaptive intrabar path.
    """
    all_series = [series] if isinstance(series, BarSeries) else list(series)
    start = min(int(s.ts[0]) - s.duration_ns for s in all_series)
    account = Account(
        AccountId("test"), Decimal(cash), AccountConfig(account_type, Decimal(leverage))
    )
    return Kernel(
        HistoricalFeed(all_series), account, config or VenueConfig(), SimClock(start), strategy
    )


class Build:
    """The builders above, handed to tests by the ``build`` fixture."""

    series = staticmethod(make_series)
    kernel = staticmethod(make_kernel)
    fill = staticmethod(make_fill)
    ny_ns = staticmethod(ny_ns)
    weekdays = staticmethod(weekdays)
    daily_ts = staticmethod(daily_ts)
    minute_ts = staticmethod(minute_ts)
    MINUTE_NS = MINUTE_NS
    DAY_BAR_NS = DAY_BAR_NS
    NEW_YORK = NEW_YORK


@pytest.fixture(scope="session")
def build() -> type[Build]:
    """Factories for real series, kernels and fills (session-scoped: they hold no state)."""
    return Build
