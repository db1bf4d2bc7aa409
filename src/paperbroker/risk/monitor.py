"""The risk monitor: a session's risk picture, computed from its kernel on demand.

:func:`assess` reads the kernel (every account's positions and marks, the
bars, the working protective stops) and returns a :class:`RiskReport`:

- **exposure**: equity, gross and net exposure, and per position its value,
  weight, sector, days to exit, nearest protective stop and whether it is
  carried over the next close;
- **sectors**: gross exposure per sector against ``limits.sector_max_pct``;
- **correlation**: the held symbols' return correlations and the portfolio's
  effective number of bets;
- **gap_risk**: the exposure carried over the close;
- **usage**: how much of each set limit (and breaker) is used.

It is a pure reading: nothing is published and nothing changes.  Money is
``Decimal``; percentages are ``Decimal`` rounded to 4 places (usage ratios to
6); the bar statistics (days to exit, correlations, bets) are floats.  The
accounts of a session are one book here: their positions in a symbol are
summed, their equities added.  Every figure's formula and a worked example
are in ``docs/risk-monitoring.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import AssetClass, OrderSide, OrderType
from paperbroker.model.values import ZERO
from paperbroker.risk.monitor_stats import (
    average_daily_volume,
    correlation_matrix,
    effective_bets,
)
from paperbroker.risk.monitor_usage import PROTECTIVE_PREFIX, AccountBook, Usage, usage_of
from paperbroker.risk.sectors import sector_limits, sector_of
from paperbroker.risk.settings import RiskSettings

if TYPE_CHECKING:
    from paperbroker.data.series import FloatArray, IntArray
    from paperbroker.engine.context import BarHistory
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.instrument import Instrument

#: The sector row of the positions whose symbol has no sector in asset metadata.
UNCLASSIFIED = "Unclassified"
_STOPS = frozenset({OrderType.STOP, OrderType.TRAILING_STOP})
_PCT = Decimal("0.0001")
_HUNDRED = Decimal(100)
_FRIDAY = 4


class PositionRisk(NamedTuple):
    """One symbol's position, all accounts summed.

    ``weight_pct`` is its share of gross exposure (``|value| / gross × 100``; the
    weights add up to 100).  ``days_to_exit`` is ``|qty|`` over the average daily
    volume of the lookback's bars (``None`` without volume).  ``stop_price`` is
    the nearest working protective stop on the position's side and
    ``stop_distance_pct`` how far the mark is above it (a long's sell stop) or
    below it (a short's buy stop), in percent of the mark: negative once the
    price has passed the stop.  ``held_over_close`` is whether the position is
    carried over its market's next close (see :func:`assess`).
    """

    symbol: str
    qty: Decimal
    value: Decimal
    weight_pct: Decimal
    sector: str | None
    days_to_exit: float | None
    stop_price: Decimal | None
    stop_distance_pct: Decimal | None
    held_over_close: bool


class Exposure(NamedTuple):
    """The session's exposure: ``gross = Σ |qty × mark|``, ``net = Σ qty × mark`` over
    symbols, each also in percent of equity (``None`` when equity is not positive)."""

    equity: Decimal
    gross: Decimal
    net: Decimal
    gross_pct: Decimal | None
    net_pct: Decimal | None
    positions: tuple[PositionRisk, ...]


class SectorExposure(NamedTuple):
    """Gross exposure of one sector, in percent of equity, and its limit (if set)."""

    sector: str
    gross: Decimal
    pct: Decimal | None
    limit_pct: Decimal | None


class Correlation(NamedTuple):
    """Correlations of the held symbols' returns (``None``: not measurable) and the
    portfolio's effective number of bets (0 for no position)."""

    symbols: tuple[str, ...]
    matrix: tuple[tuple[float | None, ...], ...]
    effective_bets: float


class GapRisk(NamedTuple):
    """The gross exposure of the positions carried over the next close, and its
    percent of equity."""

    overnight_exposure: Decimal
    pct: Decimal | None


class RiskReport(NamedTuple):
    """A session's risk picture at one moment (see :func:`assess`)."""

    exposure: Exposure
    sectors: tuple[SectorExposure, ...]
    correlation: Correlation
    gap_risk: GapRisk
    usage: tuple[Usage, ...]


class _Stop(NamedTuple):
    side: OrderSide
    price: Decimal


def assess(
    kernel: Kernel,
    settings: RiskSettings,
    *,
    lookback: int = 60,
    peak_equity: Decimal | None = None,
    day_start_equity: Decimal | None = None,
    consecutive_losses: int | None = None,
    opened_at: Mapping[str, int] | None = None,
) -> RiskReport:
    """The risk picture of ``kernel``'s session now, under ``settings``.

    ``lookback`` is how many of each symbol's latest bars the liquidity (days to
    exit) and the correlations are measured over (returns: ``lookback`` of them,
    from ``lookback + 1`` closes).  The breakers' usage needs the figures the
    risk guard keeps: ``peak_equity`` (max drawdown), ``day_start_equity``
    (daily loss) and ``consecutive_losses``; without them those breakers have no
    usage.  ``opened_at`` (symbol → epoch ns a position opened) lets
    ``safeguards.max_holding_minutes`` count: a position it closes before the
    next close is not held over it.

    A position is held over the close when it will sit through its market's
    next close and the gap to the reopening: always while the market is closed
    now (an exit waits for the open); while it is open, unless
    ``max_holding_minutes`` closes the position before today's close.  A
    24-hour market has no daily close: crypto never gaps, and FX only over the
    weekend (from Friday's 17:00 New York roll to Sunday's).

    Raises:
        InvalidRequest: if ``lookback`` is not 2 to 1000.
    """
    if isinstance(lookback, bool) or not 2 <= lookback <= 1000:
        raise InvalidRequest(f"lookback must be 2 to 1000 bars, got {lookback}")
    now = kernel.clock.now_ns()
    instruments = {instrument.symbol: instrument for instrument in kernel.instruments}
    books = [_account_book(kernel, account_id) for account_id in kernel.portfolios]
    equity = sum((book.equity for book in books), ZERO)
    held = _session_holdings(kernel, books)
    histories = {symbol: kernel.history(symbol, lookback + 1) for symbol in held}
    durations = {s.instrument.symbol: s.duration_ns for s in kernel.feed.series}
    stops = _protective_stops(kernel)
    values = {symbol: qty * mark for symbol, (qty, mark) in held.items()}
    gross = sum((abs(value) for value in values.values()), ZERO)
    net = sum(values.values(), ZERO)
    holding_ns = _holding_ns(settings)
    positions = []
    for symbol in sorted(held, key=lambda s: (-abs(values[s]), s)):
        (qty, mark), value, instrument = held[symbol], values[symbol], instruments[symbol]
        volume = histories[symbol].volume[-lookback:]
        adv = average_daily_volume(volume, durations[symbol], instrument.hours)
        stop = _nearest_stop(stops.get(symbol, ()), qty, mark)
        opened = None if opened_at is None else opened_at.get(symbol)
        positions.append(
            PositionRisk(
                symbol=symbol,
                qty=qty,
                value=value,
                weight_pct=_pct(abs(value), gross) or ZERO,
                sector=sector_of(symbol, instrument.asset_class),
                days_to_exit=float(abs(qty)) / adv if adv else None,
                stop_price=None if stop is None else stop.price,
                stop_distance_pct=None if stop is None else _stop_distance(stop, mark),
                held_over_close=_held_over_close(instrument, now, opened, holding_ns),
            )
        )
    overnight = sum((abs(p.value) for p in positions if p.held_over_close), ZERO)
    return RiskReport(
        exposure=Exposure(
            equity, gross, net, _pct(gross, equity), _pct(net, equity), tuple(positions)
        ),
        sectors=_sectors(positions, equity, settings),
        correlation=_correlation(positions, histories),
        gap_risk=GapRisk(overnight, _pct(overnight, equity)),
        usage=usage_of(
            kernel,
            settings,
            books,
            equity,
            peak_equity=peak_equity,
            day_start_equity=day_start_equity,
            consecutive_losses=consecutive_losses,
        ),
    )


def _account_book(kernel: Kernel, account_id: str) -> AccountBook:
    """One account's equity and open positions (symbol → (qty, value at the mark))."""
    books = kernel.portfolios[account_id]
    holdings = {}
    for symbol, position in books.positions.items():
        if position.qty:
            mark = books.mark(symbol) or ZERO
            holdings[symbol] = (position.qty, position.qty * mark)
    return AccountBook(account_id, books.equity, holdings)


def _session_holdings(
    kernel: Kernel, books: list[AccountBook]
) -> dict[str, tuple[Decimal, Decimal]]:
    """Every account's positions summed per symbol, with the symbol's mark (symbol →
    (qty, mark)); a symbol the accounts' positions offset drops out."""
    summed: dict[str, Decimal] = {}
    for book in books:
        for symbol, (qty, _) in book.holdings.items():
            summed[symbol] = summed.get(symbol, ZERO) + qty
    marks = kernel.portfolio  # every account's books share the kernel's marks
    return {symbol: (qty, marks.mark(symbol) or ZERO) for symbol, qty in summed.items() if qty}


def _protective_stops(kernel: Kernel) -> dict[str, list[_Stop]]:
    """The working protective stops (``risk-`` stops and trailing stops) per symbol."""
    stops: dict[str, list[_Stop]] = {}
    for account_id in kernel.portfolios:
        for order in kernel.open_orders(account_id=account_id):
            if order.order_type in _STOPS and order.client_order_id.startswith(PROTECTIVE_PREFIX):
                price = order.stop_price  # a trailing stop's moves with its mark
                if price is not None:
                    stops.setdefault(order.symbol, []).append(_Stop(order.side, price))
    return stops


def _nearest_stop(stops: Sequence[_Stop], qty: Decimal, mark: Decimal) -> _Stop | None:
    """The protective stop closest to the mark on the position's side: sell stops for a
    long, buy stops for a short."""
    side = OrderSide.SELL if qty > 0 else OrderSide.BUY
    mine = [stop for stop in stops if stop.side is side]
    if not mine:
        return None
    return min(mine, key=lambda stop: (abs(mark - stop.price), stop.price))


def _stop_distance(stop: _Stop, mark: Decimal) -> Decimal | None:
    if mark <= 0:
        return None
    gap = mark - stop.price if stop.side is OrderSide.SELL else stop.price - mark
    return _pct(gap, mark)


def _holding_ns(settings: RiskSettings) -> int | None:
    minutes = settings.safeguards.max_holding_minutes
    return None if minutes is None else minutes * 60_000_000_000


def _held_over_close(
    instrument: Instrument, now: int, opened: int | None, holding_ns: int | None
) -> bool:
    """Whether the position will sit through a close and the reopening's gap."""
    hours = instrument.hours
    if hours.is_24h:
        if instrument.asset_class is not AssetClass.FX:
            return False  # crypto trades around the clock
        weekday = hours.trading_date(now).weekday()
        if weekday < _FRIDAY:
            return False  # FX rolls over at 17:00 New York without closing
        if weekday > _FRIDAY:
            return True  # the weekend: closed until Sunday 17:00
    elif not hours.in_session(now):
        return True  # closed now: nothing trades before the next open
    close = hours.session_bounds_ns(now)[1]
    return not (opened is not None and holding_ns is not None and opened + holding_ns < close)


def _sectors(
    positions: list[PositionRisk], equity: Decimal, settings: RiskSettings
) -> tuple[SectorExposure, ...]:
    """Gross exposure per sector, largest first; every sector with a limit is listed."""
    limits = sector_limits(settings.limits.sector_max_pct)
    gross: dict[str, Decimal] = dict.fromkeys(limits, ZERO)
    for position in positions:
        sector = position.sector or UNCLASSIFIED
        gross[sector] = gross.get(sector, ZERO) + abs(position.value)
    return tuple(
        SectorExposure(sector, value, _pct(value, equity), limits.get(sector))
        for sector, value in sorted(gross.items(), key=lambda item: (-item[1], item[0]))
    )


def _correlation(positions: list[PositionRisk], histories: Mapping[str, BarHistory]) -> Correlation:
    symbols = tuple(position.symbol for position in positions)
    series: list[tuple[IntArray, FloatArray]] = [
        (histories[s].ts, histories[s].close) for s in symbols
    ]
    matrix = correlation_matrix(series)
    weights = np.array([float(abs(position.value)) for position in positions], dtype=np.float64)
    rows = tuple(
        tuple(None if math.isnan(value) else value for value in row) for row in matrix.tolist()
    )
    return Correlation(symbols, rows, effective_bets(weights, matrix))


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole × 100`` to 4 places; ``None`` when ``whole`` is not positive."""
    if whole <= 0:
        return None
    return (part * _HUNDRED / whole).quantize(_PCT)


__all__ = [
    "PROTECTIVE_PREFIX",
    "UNCLASSIFIED",
    "Correlation",
    "Exposure",
    "GapRisk",
    "PositionRisk",
    "RiskReport",
    "SectorExposure",
    "Usage",
    "assess",
]
