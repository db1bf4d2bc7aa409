"""Tick grids: whether bar prices lie on one, the tick data needs, and a note when they do not.

Fills and marks put a bar's float price on its instrument's tick grid
(:func:`~paperbroker.model.values.price_on_grid`).  For prices that are on
the grid already (most vendors' data) that changes nothing.  Dividend-adjusted
data (``144.78172417``) on an equity's default 0.01 tick is not: every fill
and every mark moves to the nearest cent.  That is how the books stay on the
grid prices can trade at, but it must never happen unannounced: a session or
backtest over such data carries a *data note* (:func:`off_grid_note`) naming
the symbol, the tick and an example, and ``paperbroker data import`` gives
imported data the tick its prices need (:func:`infer_tick`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from decimal import Decimal

import numpy as np

from paperbroker.data.series import QUOTE_COLUMNS, BarSeries, BoolArray, FloatArray
from paperbroker.model.values import price_on_grid

log = logging.getLogger(__name__)

#: The finest tick :func:`infer_tick` gives (1e-10: the positions' cost-basis quantum).
MAX_TICK_DECIMALS = 10
_PRICE_COLUMNS = ("open", "high", "low", "close")
# How many units in the last place of a price count as float noise, not as off the grid.
_NOISE_ULPS = 4
# Integers up to 2**52 are exact in a float, with room for the rounding below.
_EXACT_INTEGERS = float(2**52)
_CHUNK = 65_536


def grid_floats(prices: FloatArray, tick: Decimal) -> FloatArray:
    """``float(price_on_grid(p, tick))`` for every price, exactly, with vector arithmetic.

    For a power-of-ten tick, ``np.round(p, d)`` is ``rint(p * 10**d) / 10**d``:
    the nearest float to the same grid price as :func:`price_on_grid` gives,
    except where ``p * 10**d`` lies within float noise of half a tick (the two
    could round different ways); those few prices go through
    :func:`price_on_grid` itself.  Other ticks (0.05, 0.25) take that path for
    every distinct price.  Long arrays go in chunks, so the temporaries stay
    small next to a million-bar series.
    """
    decimals = _power_of_ten_decimals(tick)
    if decimals is None:
        return _scalar_grid(prices, tick)
    result = np.empty_like(prices)
    for lo in range(0, prices.shape[0], _CHUNK):
        part = prices[lo : lo + _CHUNK]
        result[lo : lo + _CHUNK] = _decimal_grid(part, decimals, tick)
    return result


def _decimal_grid(prices: FloatArray, decimals: int, tick: Decimal) -> FloatArray:
    scaled = prices * 10.0**decimals
    if float(np.max(np.abs(scaled))) >= _EXACT_INTEGERS:
        return _scalar_grid(prices, tick)
    rounded = np.round(prices, decimals)
    unsure = np.abs(scaled - np.floor(scaled) - 0.5) <= 4 * np.spacing(scaled) + 1e-9
    if unsure.any():
        rounded[unsure] = _scalar_grid(prices[unsure], tick)
    return rounded


def off_grid(prices: FloatArray, tick: Decimal) -> BoolArray:
    """Which prices :func:`~paperbroker.model.values.price_on_grid` would move.

    Float noise is not a move: a price within a few units in the last place of
    its grid price (``0.1 + 0.2`` on a cent grid) is on the grid.
    """
    moved = np.empty(prices.shape[0], dtype=np.bool_)
    for lo in range(0, prices.shape[0], _CHUNK):
        part = prices[lo : lo + _CHUNK]
        moved[lo : lo + _CHUNK] = np.abs(grid_floats(part, tick) - part) > _NOISE_ULPS * np.spacing(
            part
        )
    return moved


def infer_tick(series: BarSeries, coarsest: Decimal) -> Decimal:
    """The coarsest power-of-ten tick, no coarser than ``coarsest``, that every price is on.

    Prices with more than :data:`MAX_TICK_DECIMALS` decimals get that finest
    tick (and :func:`off_grid_note` still reports them).
    """
    start = _power_of_ten_decimals(coarsest)
    first = 0 if start is None else start
    for decimals in range(first, MAX_TICK_DECIMALS + 1):
        tick = Decimal(1).scaleb(-decimals)
        if tick > coarsest:
            continue
        if not any(off_grid(column, tick).any() for column in _price_columns(series)):
            return tick
    return Decimal(1).scaleb(-MAX_TICK_DECIMALS)


def off_grid_note(series: BarSeries) -> str | None:
    """A one-line note when some of the series' prices are off its instrument's tick, else ``None``.

    It names the symbol, the tick, how many bars, and the first such price
    with the grid price fills and marks use instead.
    """
    tick = series.instrument.tick_size
    names = _price_names(series)
    moved = [off_grid(column, tick) for column in _price_columns(series)]
    bad = np.logical_or.reduce(moved)
    if not bad.any():
        return None
    row = int(np.argmax(bad))  # the first bar with one, and its first such price
    column = next(index for index, mask in enumerate(moved) if mask[row])
    price = float(_price_columns(series)[column][row])
    return (
        f"{series.symbol}: {int(bad.sum()):,} of {len(series):,} bars have prices off its "
        f"{tick:f} tick (e.g. {names[column]} {price!r}); fills and marks use the nearest tick "
        f"({price_on_grid(price, tick)})"
    )


def data_notes(series: Iterable[BarSeries]) -> tuple[str, ...]:
    """The :func:`off_grid_note` of every series that has one, in order.

    Each note is also logged as a warning, once per process: a parameter
    sweep over the same data says it once, and every result still carries it.
    """
    notes = tuple(note for item in series if (note := off_grid_note(item)) is not None)
    with _logged_lock:
        new = [note for note in notes if note not in _logged]
        _logged.update(new)
    for note in new:
        log.warning("%s", note)
    return notes


_logged: set[str] = set()
_logged_lock = threading.Lock()


def _price_names(series: BarSeries) -> tuple[str, ...]:
    return _PRICE_COLUMNS + (QUOTE_COLUMNS if series.quotes is not None else ())


def _price_columns(series: BarSeries) -> list[FloatArray]:
    columns = [series.open, series.high, series.low, series.close]
    return columns + list(series.quotes or ())


def _scalar_grid(prices: FloatArray, tick: Decimal) -> FloatArray:
    unique, inverse = np.unique(prices, return_inverse=True)
    gridded = np.array(
        [float(price_on_grid(value, tick)) for value in unique.tolist()], dtype=np.float64
    )
    result: FloatArray = gridded[inverse.reshape(-1)]
    return result


def _power_of_ten_decimals(tick: Decimal) -> int | None:
    """``d`` for a tick of ``10**-d`` (``d >= 0``), else ``None``."""
    sign, digits, exponent = tick.normalize().as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int) or exponent > 0:
        return None
    return -exponent
