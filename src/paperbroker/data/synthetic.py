"""A seeded synthetic market: geometric random-walk minute bars for tests and demos.

:func:`synthetic_bars` gives trade bars; :func:`synthetic_quotes` gives bid and
ask bars with a seeded spread around the same walk.

The bars form one continuous stream of ``interval``-long bars with no calendar
gaps: no nights, weekends or holidays.  "Days" exist only for the volume
profile, which repeats every 390 bars (one US equity session of minutes).
Everything is drawn from one ``numpy`` generator in a fixed order, so a seed
fully determines the series, and the whole series is built with array
operations (a million bars take a few tens of milliseconds).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries, FloatArray, IntArray, QuoteArrays
from paperbroker.model.instrument import Instrument

BARS_PER_DAY = 390
"""Length of the repeating volume profile, in bars."""

TRADING_DAYS_PER_YEAR = 252

DEFAULT_START = datetime(2024, 1, 2, 14, 31, tzinfo=UTC)
"""Close of the first default bar: the first minute after the 09:30 New York open."""

_VOLUME_NOISE = 0.3  # sigma of the lognormal volume multiplier
_EXCURSION = 0.5  # intrabar excursion, in per-step volatilities


def synthetic_bars(
    symbol: str = "SYN",
    n: int = BARS_PER_DAY * 20,
    *,
    seed: int = 42,
    start: datetime | int = DEFAULT_START,
    interval: timedelta = timedelta(minutes=1),
    start_price: float = 100.0,
    annual_drift: float = 0.0,
    annual_volatility: float = 0.2,
    base_volume: float = 10_000,
    instrument: Instrument | None = None,
) -> BarSeries:
    """Generate ``n`` consecutive bars of a seeded geometric random walk.

    ``start`` is the close time of the first bar (aware datetime or epoch ns);
    bar ``i`` closes at ``start + i * interval``.  Log returns have per-step
    volatility ``annual_volatility / sqrt(252 * 390)`` and the matching drift.
    Prices sit on the instrument's tick grid (default :meth:`Instrument.equity`
    of ``symbol``; a given instrument's own symbol wins) and stay at least one
    tick; each bar opens at the previous close; high and low add a small seeded
    excursion beyond open and close.  Volumes are whole numbers following a
    U-shaped profile over each 390-bar day times lognormal noise.

    Raises:
        InvalidRequest: if ``n`` is negative, ``interval``, ``start_price`` or
            the tick size is not positive, ``annual_volatility`` or
            ``base_volume`` is negative, or ``start`` is a naive datetime.
    """
    walk = _walk(
        "synthetic_bars",
        symbol,
        n,
        seed,
        start,
        interval,
        start_price,
        annual_drift,
        annual_volatility,
        base_volume,
        instrument,
    )
    tick_size = walk.instrument.tick_size
    return BarSeries(
        walk.instrument,
        walk.ts,
        _on_grid(walk.open_k, tick_size),
        _on_grid(walk.high_k, tick_size),
        _on_grid(walk.low_k, tick_size),
        _on_grid(walk.close_k, tick_size),
        walk.volume,
        walk.step_ns,
    )


def synthetic_quotes(
    symbol: str = "SYN",
    n: int = BARS_PER_DAY * 20,
    *,
    seed: int = 42,
    start: datetime | int = DEFAULT_START,
    interval: timedelta = timedelta(minutes=1),
    start_price: float = 100.0,
    annual_drift: float = 0.0,
    annual_volatility: float = 0.2,
    base_volume: float = 10_000,
    spread_ticks: float = 2.0,
    instrument: Instrument | None = None,
) -> BarSeries:
    """Generate ``n`` quote bars: bid and ask OHLC around the walk of :func:`synthetic_bars`.

    The walk, its excursions and the volumes are those :func:`synthetic_bars`
    draws for the same arguments and seed; further draws from the same
    generator then set the spread.  At each bar boundary the spread is
    ``1 + Poisson(spread_ticks - 1)`` ticks (mean ``spread_ticks``, never
    less than one tick), and the bid sits half of it below the walk's price;
    an odd spread leaves the walk half a tick above or below the mid, by a
    seeded coin, so the mid has no drift of its own.  Like the trade bars, a
    bar's bid and ask open where the previous bar's closed, and each side's
    high and low add the walk's excursion beyond that side's open and close.
    Every quote is on the tick grid and at least one tick; the series' prices
    are the mids (:meth:`BarSeries.from_quotes`).

    Raises:
        InvalidRequest: as :func:`synthetic_bars`, and if ``spread_ticks`` is below 1.
    """
    if not spread_ticks >= 1:
        raise InvalidRequest(f"synthetic_quotes: spread_ticks must be >= 1, not {spread_ticks}")
    walk = _walk(
        "synthetic_quotes",
        symbol,
        n,
        seed,
        start,
        interval,
        start_price,
        annual_drift,
        annual_volatility,
        base_volume,
        instrument,
    )
    # Boundary j is the open of bar j and the close of bar j - 1.
    mid_k = np.concatenate((walk.first_k, walk.close_k))
    spread = 1 + walk.rng.poisson(spread_ticks - 1, n + 1)
    below = spread // 2 + spread % 2 * walk.rng.integers(0, 2, n + 1)
    bid_k = np.maximum(mid_k - below, 1)
    ask_k = bid_k + spread
    up_k = walk.high_k - np.maximum(walk.open_k, walk.close_k)
    down_k = np.minimum(walk.open_k, walk.close_k) - walk.low_k
    sides = []
    for side in (bid_k, ask_k):
        open_k, close_k = side[:-1], side[1:]
        high_k = np.maximum(open_k, close_k) + up_k
        low_k = np.maximum(np.minimum(open_k, close_k) - down_k, 1)
        sides.append((open_k, high_k, low_k, close_k))
    tick_size = walk.instrument.tick_size
    quotes = QuoteArrays(*(_on_grid(k, tick_size) for side in sides for k in side))
    return BarSeries.from_quotes(walk.instrument, walk.ts, quotes, walk.step_ns, walk.volume)


class _Walk(NamedTuple):
    """A seeded walk in ticks, and the generator to keep drawing from."""

    instrument: Instrument
    ts: IntArray
    step_ns: int
    first_k: IntArray  # the first open, as a one-element array
    open_k: IntArray
    high_k: IntArray
    low_k: IntArray
    close_k: IntArray
    volume: FloatArray
    rng: np.random.Generator


def _walk(
    caller: str,
    symbol: str,
    n: int,
    seed: int,
    start: datetime | int,
    interval: timedelta,
    start_price: float,
    annual_drift: float,
    annual_volatility: float,
    base_volume: float,
    instrument: Instrument | None,
) -> _Walk:
    if n < 0:
        raise InvalidRequest(f"{caller}: n must be >= 0, not {n}")
    if interval <= timedelta(0):
        raise InvalidRequest(f"{caller}: interval must be positive, not {interval}")
    if not start_price > 0:
        raise InvalidRequest(f"{caller}: start_price must be positive, not {start_price}")
    if not annual_volatility >= 0:
        raise InvalidRequest(f"{caller}: annual_volatility must be >= 0")
    if not base_volume >= 0:
        raise InvalidRequest(f"{caller}: base_volume must be >= 0")
    instrument = instrument or Instrument.equity(symbol)
    if instrument.tick_size <= 0:
        raise InvalidRequest(f"{caller}: {instrument.symbol} has a non-positive tick size")
    start_ns = datetime_to_ns(start) if isinstance(start, datetime) else int(start)
    step_ns = interval // timedelta(microseconds=1) * 1000

    rng = np.random.default_rng(seed)
    steps = TRADING_DAYS_PER_YEAR * BARS_PER_DAY
    sigma = annual_volatility / np.sqrt(steps)
    mu = annual_drift / steps - 0.5 * sigma * sigma
    log_path = np.log(start_price) + np.cumsum(rng.normal(mu, sigma, n))
    path = np.exp(log_path)

    tick = float(instrument.tick_size)
    close_k = np.maximum(np.rint(path / tick), 1).astype(np.int64)
    first_k = np.array([max(round(start_price / tick), 1)], dtype=np.int64)
    open_k = np.concatenate((first_k, close_k[:-1])).astype(np.int64)[:n]
    reach = _EXCURSION * sigma * path / tick  # one excursion scale per bar, in ticks
    up_k = np.floor(np.abs(rng.standard_normal(n)) * reach).astype(np.int64)
    down_k = np.floor(np.abs(rng.standard_normal(n)) * reach).astype(np.int64)
    high_k = np.maximum(open_k, close_k) + up_k
    low_k = np.maximum(np.minimum(open_k, close_k) - down_k, 1)

    position = np.arange(n) % BARS_PER_DAY
    u = (position - (BARS_PER_DAY - 1) / 2) / ((BARS_PER_DAY - 1) / 2)  # -1 .. 1 over the day
    profile = 0.5 + 1.5 * u * u  # 2.0 at the open and close, 0.5 at midday
    noise = rng.lognormal(-0.5 * _VOLUME_NOISE**2, _VOLUME_NOISE, n)
    volume = np.rint(base_volume * profile * noise).astype(np.float64)

    ts: IntArray = start_ns + step_ns * np.arange(n, dtype=np.int64)
    return _Walk(instrument, ts, step_ns, first_k, open_k, high_k, low_k, close_k, volume, rng)


def _on_grid(ticks: IntArray, tick_size: Decimal) -> FloatArray:
    """Prices ``ticks * tick_size`` as the floats nearest to the exact decimals."""
    per_unit = 1 / tick_size
    if per_unit == per_unit.to_integral_value():
        return np.asarray(ticks / float(per_unit), dtype=np.float64)  # one correct rounding
    return np.asarray(ticks * float(tick_size), dtype=np.float64)
