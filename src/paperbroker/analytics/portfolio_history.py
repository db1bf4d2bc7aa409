"""Portfolio history: an account's equity over time, rebuilt from its fills and the bars.

Nothing is stored for it.  Between fills an account's cash and positions do
not change, so its equity at any time ``t`` is the cash after every fill at
or before ``t`` plus each position valued at its mark at ``t``
(:mod:`paperbroker.portfolio.marks`: the open of a bar in progress, else the
last close, on the instrument's tick grid).  Those are the kernel's own
marks, so the value at the session's current time is the portfolio's
equity.  Nothing later than the end asked for is ever read: no look-ahead.

Samples are Alpaca's: each is labelled with the start of its window (epoch
seconds) and valued at the window's end, the last one at the end of the
history (by default the session's current time).

- ``1D``: one sample per exchange trading day that has opened, labelled at its
  midnight in New York and valued at its close;
- ``1Min``/``5Min``/``15Min``/``1H``: windows from each trading day's open to
  its close (``market_hours``), from 04:00 to 20:00 New York
  (``extended_hours``), or around the clock (``continuous``).

A sample is kept when its window overlaps the history's span and the account
existed when it is valued.  Profit and loss are measured from a base: the
equity at the first sample's label, or (intraday with ``pnl_reset`` ``per_day``)
at the first label of each sample's day.  Values are floats: this is analytics;
the books stay in ``Decimal``; amounts are rounded to 1/100 of a cent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final, Protocol
from zoneinfo import ZoneInfo

import numpy as np

from paperbroker.core.clock import NANOS_PER_MINUTE, NANOS_PER_SECOND, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import FloatArray, IntArray
from paperbroker.model.fill import Fill
from paperbroker.portfolio.marks import PriceTrack

NEW_YORK: Final = ZoneInfo("America/New_York")
#: Minutes per sample of each timeframe; ``None`` for daily samples.
TIMEFRAMES: Final[Mapping[str, int | None]] = {
    "1Min": 1,
    "5Min": 5,
    "15Min": 15,
    "1H": 60,
    "1D": None,
}
REPORTING: Final = ("market_hours", "extended_hours", "continuous")
PNL_RESETS: Final = ("per_day", "no_reset")
#: The longest span an intraday timeframe may cover (Alpaca's limit).
MAX_INTRADAY_DAYS: Final = 30
#: Decimal places of the amounts (4: a hundredth of a cent) and of the P/L ratios.
MONEY_PLACES: Final = 4
PCT_PLACES: Final = 12
#: The cash flows an account can have: its opening deposit and its fees.
CASHFLOW_TYPES: Final = frozenset({"CSD", "FEE"})
#: The earliest date a history reaches back to (epoch ns reach back to 1677).
EARLIEST: Final = date(1678, 1, 1)
#: The period when neither ``start`` nor ``period`` is given.
DEFAULT_PERIOD: Final = "1M"
_PERIOD: Final = re.compile(r"([1-9][0-9]{0,3})([DWMA])")
_EXTENDED: Final = (time(4, 0), time(20, 0))
_DAY_NS: Final = 86_400 * NANOS_PER_SECOND


class SessionDay(Protocol):
    """A trading day: its date and the epoch ns of its open and close."""

    @property
    def date(self) -> date: ...

    @property
    def open_ns(self) -> int: ...

    @property
    def close_ns(self) -> int: ...


#: The trading days from one date to another, both included.
TradingDays = Callable[[date, date], Sequence[SessionDay]]


@dataclass(frozen=True, slots=True)
class AccountTrack:
    """What an account's history is rebuilt from: its starting cash, when it
    opened, its fills (in the order they happened) and the bars of what it traded."""

    initial_cash: Decimal
    opened_ns: int
    fills: Sequence[Fill]
    prices: Mapping[str, PriceTrack]


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """What history to build (Alpaca's query parameters, checked).

    At most two of ``start_ns``, an end (``end_ns`` or ``date_end``) and
    ``period`` (``{n}D``: the last n trading days, ``{n}W``/``{n}M``/``{n}A``:
    n calendar weeks, months or years, up to the end's date).  ``timeframe``
    ``None`` picks ``1Min`` under 7 days, ``15Min`` under 30, else ``1D``.
    ``cashflow_types`` are the activity types whose cash flows to report
    (only ``CSD`` and ``FEE`` ever have any).
    """

    period: str | None = None
    timeframe: str | None = None
    start_ns: int | None = None
    end_ns: int | None = None
    date_end: date | None = None
    intraday_reporting: str = "market_hours"
    pnl_reset: str = "per_day"
    cashflow_types: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.period is not None:
            parse_period(self.period)
        if self.timeframe is not None and self.timeframe not in TIMEFRAMES:
            raise InvalidRequest(f"timeframe must be one of {', '.join(TIMEFRAMES)}")
        if self.intraday_reporting not in REPORTING:
            raise InvalidRequest(f"intraday_reporting must be one of {', '.join(REPORTING)}")
        if self.pnl_reset not in PNL_RESETS:
            raise InvalidRequest(f"pnl_reset must be one of {', '.join(PNL_RESETS)}")
        if self.end_ns is not None and self.date_end is not None:
            raise InvalidRequest("give end or date_end, not both")
        has_end = self.end_ns is not None or self.date_end is not None
        if self.start_ns is not None and self.period is not None and has_end:
            raise InvalidRequest("give at most two of start, end (or date_end) and period")


@dataclass(frozen=True, slots=True)
class PortfolioHistory:
    """Alpaca's portfolio history (``alpaca.trading.models.PortfolioHistory``), as it is served.

    ``timestamp`` is each sample's window start in epoch seconds; ``equity``
    the account's value at the window's end (the last: at the end of the
    history); ``profit_loss``/``profit_loss_pct`` from ``base_value``.
    """

    timestamp: list[int]
    equity: list[float]
    profit_loss: list[float]
    profit_loss_pct: list[float | None]
    base_value: float
    timeframe: str
    #: Per cash-flow type asked for, the flows within each sample's window.
    cashflow: dict[str, list[float]]


def parse_period(text: str) -> tuple[int, str]:
    """``"3D"`` → ``(3, "D")``.

    Raises:
        InvalidRequest: unless the text is a count (1 to 9999) and a unit D, W, M or A.
    """
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise InvalidRequest(
            f"period {text[:32]!r} is not a number and a unit D, W, M or A, such as 1M"
        )
    return int(match.group(1)), match.group(2)


def equity_at(times: IntArray, account: AccountTrack) -> FloatArray:
    """The account's equity at each of ``times`` (sorted epoch ns); see the module doc."""
    fills = sorted(account.fills, key=lambda f: f.ts)  # stable: same-time fills keep their order
    fill_ts = np.array([f.ts for f in fills], dtype=np.int64)
    cash = account.initial_cash
    steps = [float(cash)]
    for fill in fills:
        cash -= fill.signed_qty * fill.price + fill.fee
        steps.append(float(cash))  # summed in Decimal: the cash is exact before conversion
    equity = np.asarray(steps, dtype=np.float64)[np.searchsorted(fill_ts, times, side="right")]
    for symbol in sorted({f.symbol for f in fills}):
        mine = [f for f in fills if f.symbol == symbol]
        held = [0.0]
        position = Decimal(0)
        for fill in mine:
            position += fill.signed_qty
            held.append(float(position))
        mine_ts = np.array([f.ts for f in mine], dtype=np.int64)
        qty = np.asarray(held, dtype=np.float64)[np.searchsorted(mine_ts, times, side="right")]
        equity = equity + qty * account.prices[symbol].marks(times)
    return equity


def portfolio_history(
    query: HistoryQuery, account: AccountTrack, now_ns: int, trading_days: TradingDays
) -> PortfolioHistory:
    """The account's portfolio history as of ``now_ns`` (see the module doc).

    Raises:
        InvalidRequest: for a start not before the end, or an intraday
            timeframe over more than 30 days.
    """
    end = _end_ns(query, now_ns)
    if query.start_ns is not None and query.period is not None:
        end = min(query.start_ns + _period_ns(query.period), end)
    start = _start_ns(query, end, trading_days)
    if start >= end:
        raise InvalidRequest("start must be before the end of the history (at the latest, now)")
    span = end - start if query.period is None else _period_ns(query.period)
    timeframe = query.timeframe or _default_timeframe(span)
    minutes = TIMEFRAMES[timeframe]
    if minutes is not None and end - start > (MAX_INTRADAY_DAYS + 1) * _DAY_NS:
        raise InvalidRequest(
            f"an intraday timeframe covers at most {MAX_INTRADAY_DAYS} days; use 1D"
        )
    if minutes is None:
        labels, values = _daily(start, end, trading_days)
    else:
        labels, values = _intraday(start, end, minutes, query.intraday_reporting, trading_days)
    if labels.shape[0]:
        values[-1] = end  # the last sample is the account as of the end
    keep = values >= account.opened_ns
    labels, values = labels[keep], values[keep]
    equity = equity_at(values, account)
    if not labels.shape[0]:
        base_value = _money(equity_at(np.array([end], dtype=np.int64), account))[0]
        return PortfolioHistory([], [], [], [], base_value, timeframe, cashflow={})
    bases = _bases(labels, account, per_day=minutes is not None and query.pnl_reset == "per_day")
    profit_loss = equity - bases
    return PortfolioHistory(
        timestamp=[int(t) // NANOS_PER_SECOND for t in labels],
        equity=_money(equity),
        profit_loss=_money(profit_loss),
        profit_loss_pct=[
            round(float(p / b), PCT_PLACES) if b else None
            for p, b in zip(profit_loss, bases, strict=True)
        ],
        base_value=_money(bases[:1])[0],
        timeframe=timeframe,
        cashflow=_cashflows(query.cashflow_types, labels, values, account),
    )


def _money(values: FloatArray) -> list[float]:
    """Amounts rounded to ``MONEY_PLACES``: float sums carry noise far below a cent."""
    return [round(float(v), MONEY_PLACES) for v in values]


def _end_ns(query: HistoryQuery, now_ns: int) -> int:
    if query.end_ns is not None:
        return min(query.end_ns, now_ns)
    if query.date_end is not None:
        day = min(max(query.date_end, EARLIEST), _ny_date(now_ns))
        return min(_midnight_ns(day + timedelta(days=1)), now_ns)
    return now_ns


def _period_ns(period: str) -> int:
    """A period's nominal length, for the default timeframe: a month is 30 days."""
    count, unit = parse_period(period)
    return count * {"D": 1, "W": 7, "M": 30, "A": 365}[unit] * _DAY_NS


def _start_ns(query: HistoryQuery, end: int, trading_days: TradingDays) -> int:
    if query.start_ns is not None:
        return query.start_ns
    count, unit = parse_period(query.period or DEFAULT_PERIOD)
    last = _ny_date(end)
    if unit == "D":
        # The last ``count`` trading days that have opened by the end.
        window = trading_days(max(last - timedelta(days=2 * count + 10), EARLIEST), last)
        opened = [day for day in window if day.open_ns <= end][-count:]
        return _midnight_ns(opened[0].date if opened else last)
    if unit == "W":
        first = max(last - timedelta(weeks=count), EARLIEST)
    else:
        first = _months_back(last, count * (12 if unit == "A" else 1))
    return _midnight_ns(first + timedelta(days=1))


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    if index < EARLIEST.year * 12:
        return EARLIEST
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def _default_timeframe(span_ns: int) -> str:
    if span_ns < 7 * _DAY_NS:
        return "1Min"
    if span_ns < 30 * _DAY_NS:
        return "15Min"
    return "1D"


def _daily(start: int, end: int, trading_days: TradingDays) -> tuple[IntArray, IntArray]:
    """Trading days that have opened by ``end`` and close after ``start``."""
    days = [
        day
        for day in trading_days(_ny_date(start), _ny_date(end))
        if day.open_ns <= end and day.close_ns > start
    ]
    labels = np.array([_midnight_ns(day.date) for day in days], dtype=np.int64)
    values = np.array([day.close_ns for day in days], dtype=np.int64)
    return labels, values


def _intraday(
    start: int, end: int, minutes: int, reporting: str, trading_days: TradingDays
) -> tuple[IntArray, IntArray]:
    """Windows of ``minutes`` that overlap ``[start, end)``, each valued at its end."""
    step = minutes * NANOS_PER_MINUTE
    if reporting == "continuous":
        labels = np.arange(start - start % step, end, step, dtype=np.int64)
    else:
        spans = []
        for day in trading_days(_ny_date(start), _ny_date(end)):
            if reporting == "market_hours":
                lo, hi = day.open_ns, day.close_ns
            else:
                lo, hi = (_at(day.date, moment) for moment in _EXTENDED)
            spans.append(np.arange(lo, hi, step, dtype=np.int64))
        labels = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
    labels = labels[(labels < end) & (labels + step > start)]
    return labels, np.minimum(labels + step, end)


def _bases(labels: IntArray, account: AccountTrack, *, per_day: bool) -> FloatArray:
    """The equity each sample's profit and loss is measured from."""
    if not per_day:
        first = equity_at(labels[:1], account)[0]
        return np.full(labels.shape[0], first, dtype=np.float64)
    days = np.array([_ny_date(int(t)).toordinal() for t in labels], dtype=np.int64)
    firsts = np.concatenate(([True], days[1:] != days[:-1]))
    day_bases = equity_at(labels[firsts], account)
    group: IntArray = np.cumsum(firsts, dtype=np.int64) - 1
    bases: FloatArray = day_bases[group]
    return bases


def _cashflows(
    kinds: frozenset[str], labels: IntArray, values: IntArray, account: AccountTrack
) -> dict[str, list[float]]:
    """Per sample, the deposits (``CSD``) and fees (``FEE``) booked within its window,
    for those of the two that ``kinds`` names (the simulation has no other flows)."""
    kinds = kinds & CASHFLOW_TYPES
    if not kinds:
        return {}
    flows: dict[str, list[tuple[int, Decimal]]] = {
        "CSD": [(account.opened_ns, account.initial_cash)],
        "FEE": [(f.ts, -f.fee) for f in account.fills if f.fee],
    }
    # Sample i holds what happened after sample i-1 was valued, up to its own
    # value; the first sample, from its label on.
    lower = np.concatenate((labels[:1] - 1, values[:-1]))
    result: dict[str, list[float]] = {}
    for kind in sorted(kinds):
        totals = [Decimal(0)] * labels.shape[0]
        for ts, amount in flows.get(kind, []):
            i = int(np.searchsorted(values, ts, side="left"))
            if i < len(totals) and ts > lower[i]:
                totals[i] += amount
        result[kind] = [round(float(total), MONEY_PLACES) for total in totals]
    return result


def _ny_date(ts_ns: int) -> date:
    return datetime.fromtimestamp(ts_ns // NANOS_PER_SECOND, tz=NEW_YORK).date()


def _midnight_ns(day: date) -> int:
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))


def _at(day: date, moment: time) -> int:
    return datetime_to_ns(datetime.combine(day, moment, tzinfo=NEW_YORK))
