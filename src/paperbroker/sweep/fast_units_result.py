"""An integer run's metrics and fills digest (:mod:`~paperbroker.sweep.fast_units`).

The same figures as :mod:`~paperbroker.sweep.fast_result` computes from
``Decimal`` fills, from integers, and the same as a backtest's:

- :func:`unit_metrics` is ``compute_metrics``' composition, field by field,
  with what depends on the bar times alone (the annualisation, each day's
  last bar) computed once per window (:class:`Basis`) and ``drawdown_stats``
  with the running peak computed once;
- floats of amounts are the correctly rounded quotients of the units (what
  ``float`` of the ``Decimal`` gives: every amount is below 2**53 units);
  sums of money are integer sums turned into a ``Decimal`` once, with the
  exponent the books' sums have;
- each round trip's return is the float of the ``Decimal`` quotient
  ``Trade.return_pct`` divides (:func:`exact_ratios`).
"""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from paperbroker.analytics import returns as rets
from paperbroker.analytics.drawdowns import DrawdownStats
from paperbroker.analytics.metrics import Metrics, curve_fields, trade_fields
from paperbroker.analytics.returns import NANOS_PER_DAY
from paperbroker.analytics.trade_stats import TradeStats, turnover
from paperbroker.data.series import BarSeries
from paperbroker.model.enums import LiquiditySide
from paperbroker.model.values import ZERO
from paperbroker.sweep.fast_result import RATIO_PLACES, SIDE_TEXT, TAKER_AT_OPEN, FloatArray
from paperbroker.sweep.fast_units import IntArray, UnitRun, Units
from paperbroker.venue.commission import NO_FILLS, FeeModel

#: The books round a removed cost basis to 1e-10: realized P&L has at most this exponent.
_BASIS_EXPONENT = -10


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


class Basis:
    """What every curve on one window shares: its times, their day closes, the marks."""

    def __init__(self, series: BarSeries, marks: FloatArray, open_ticks: IntArray) -> None:
        self.ts = series.ts
        self.marks = marks
        self.periods = rets.infer_trading_days_per_year(series.ts)
        self.day_closes = rets.daily_close_index(series.ts)
        self.start_ts, self.end_ts = int(series.ts[0]), int(series.ts[-1])
        self._open_ticks = open_ticks
        self._tails: list[str] | None = None
        # Buffers every run on the window writes its curve into: fresh arrays this size
        # would cost more in page faults than the arithmetic in them.
        n = series.ts.shape[0]
        self.marker = np.zeros(n, dtype=np.intp)
        self.after = np.zeros(n, dtype=np.intp)
        self.equity = np.zeros(n, dtype=np.float64)
        self.held = np.zeros(n, dtype=np.float64)
        self.peak = np.zeros(n, dtype=np.float64)
        self.drawdown = np.zeros(n, dtype=np.float64)
        self.flags = np.zeros(n, dtype=np.bool_)

    def tails_for(self, units: Units, fee: str, slip: str, model: str) -> list[str]:
        """Every row's digest text from a fill's price on: what the fill's row decides
        (its open, its close time) and the context's fee, slippage and model."""
        if self._tails is None:
            ticks = self._open_ticks.tolist()
            self._tails = [
                f"{_text(p, units.decimals)}|{fee}|{stamp}|{TAKER_AT_OPEN}|"
                f"{_text(p, units.decimals)}|{slip}|open|{stamp}|{model}|0\n"
                for p, stamp in zip(ticks, self.ts.tolist(), strict=True)
            ]
        return self._tails


def unit_metrics(
    basis: Basis, run: UnitRun, units: Units, fees: FeeModel, initial_cash: Decimal
) -> Metrics:
    """The metrics a backtest reports for ``run``'s fills (``compute_metrics``'s composition)."""
    k = units.exponent
    scale, lot_scale = 10**-k, 10**units.lot_decimals
    count = run.fills
    fill_fee = fees.fill_fee(NO_FILLS, Decimal(1), Decimal(1), LiquiditySide.TAKER, True)
    if count:
        cash_exponent = min(_exponent(initial_cash), k, _exponent(fill_fee))
        cash = Decimal(run.cash).scaleb(k).quantize(Decimal(1).scaleb(cash_exponent))
    else:
        cash = initial_cash
    value = ZERO
    if run.position:
        mark = Decimal(round(float(basis.marks[-1]) * 10**units.decimals)).scaleb(-units.decimals)
        value = ZERO + Decimal(run.position).scaleb(-units.lot_decimals) * mark
    final_equity = cash + value
    equity, exposed, dd = _curve(basis, run, scale, lot_scale, float(initial_cash))
    growth = float(final_equity / initial_cash)
    periods = basis.periods
    rf = rets.per_period_rate(0.0, periods)
    daily = rets.simple_returns(equity[basis.day_closes])
    span = basis.end_ts - basis.start_ts
    stats = _stats(basis, run, units, fill_fee)
    notional = sum(p * q for p, q in zip(run.price_in, run.qty, strict=True))
    notional += sum(p * q for p, q in zip(run.price_out, run.qty, strict=False))
    money = Decimal(notional).scaleb(k) if count else ZERO
    slippage = Decimal(0).scaleb(k) if count else ZERO
    ratio = (
        (Decimal(run.filled) / Decimal(run.ordered)).quantize(RATIO_PLACES) if run.ordered else None
    )
    return Metrics(
        start_ts=basis.start_ts,
        end_ts=basis.end_ts,
        initial_cash=initial_cash,
        final_equity=final_equity,
        total_return=float(final_equity / initial_cash - 1),
        cagr=rets.cagr(growth, span),
        fees=ZERO + fill_fee * count if count else ZERO,
        exposure=exposed / basis.ts.shape[0],
        risk_free_rate=0.0,
        **curve_fields(daily, periods, rf, dd),
        **trade_fields(stats),
        turnover=turnover(money, float(np.mean(equity))),
        slippage_cost=slippage,
        alpha=None,
        beta=None,
        benchmark_return=None,
        fill_ratio=None if ratio is None else float(ratio),
        avg_slippage_bps=0.0 if count else None,
        avg_latency_seconds=0.0 / 1000 if count else None,
    )


def _curve(
    basis: Basis, run: UnitRun, scale: int, lot_scale: int, initial: float
) -> tuple[FloatArray, int, DrawdownStats]:
    """``FillLedger.equity_curve`` of the run's fills (the cash after the last fill by each
    sample, plus the position times the marks), the samples with a position, and
    ``drawdown_stats`` of the curve."""
    count = run.fills
    rows = np.empty(count, dtype=np.int64)
    rows[0::2] = run.entry_rows
    rows[1::2] = run.exit_rows
    cash = np.empty(count, dtype=np.float64)
    # Below 2**53 units every amount is an exact float: one division, correctly rounded.
    cash[0::2] = np.asarray(run.cash_in, dtype=np.float64) / scale
    cash[1::2] = np.asarray(run.cash_out, dtype=np.float64) / scale
    held = np.asarray(run.qty, dtype=np.float64) / lot_scale
    deltas = np.empty(count, dtype=np.float64)
    deltas[0::2] = held
    deltas[1::2] = -held[: len(run.exit_rows)]
    # A fill is stamped with its bar's close: from its row on, the samples see its cash
    # and position (FillLedger.equity_curve's searchsorted, as a running count).
    marker = basis.marker
    marker.fill(0)
    marker[rows] = 1
    after = np.cumsum(marker, out=basis.after)
    equity = np.take(np.concatenate(([initial], cash)), after, out=basis.equity)
    held = np.take(np.concatenate(([0.0], np.cumsum(deltas))), after, out=basis.held)
    np.multiply(held, basis.marks, out=held)
    np.add(equity, held, out=equity)  # cash + position x mark, as the ledger adds them
    lengths = np.diff(np.concatenate(([0], rows, [basis.ts.shape[0]])))
    exposed = int(np.sum(lengths[1::2]))  # after an entry, until the exit
    return equity, exposed, _drawdowns(basis, equity)


def _drawdowns(basis: Basis, equity: FloatArray) -> DrawdownStats:
    """``drawdown_stats``: the same floats, the running peak and the drawdown computed once
    (into the window's buffers)."""
    ts = basis.ts
    peak = np.maximum.accumulate(equity, out=basis.peak)
    dd = basis.drawdown
    if peak[0] > 0:  # every running peak is positive: drawdown() divides everywhere
        np.divide(equity, peak, out=dd)
        np.subtract(dd, 1.0, out=dd)
    else:
        dd.fill(0.0)
        np.divide(equity, peak, out=dd, where=peak > 0)
        dd -= 1.0
        dd[peak <= 0] = 0.0
    trough = int(np.argmin(dd))
    deepest = float(dd[trough])
    flags = basis.flags
    longest = 0
    if equity.size >= 2:
        peaks = np.flatnonzero(np.greater_equal(equity, peak, out=flags))
        gaps = np.flatnonzero(np.diff(peaks) > 1)
        if gaps.size:
            longest = int(np.max(ts[peaks[gaps + 1]] - ts[peaks[gaps]]))
        if peaks[-1] < equity.size - 1:
            longest = max(longest, int(ts[-1] - ts[peaks[-1]]))
    recovery: int | None = 0
    if deepest < 0.0:
        back = np.greater_equal(equity[trough:], float(peak[trough]), out=flags[trough:])
        first = int(np.argmax(back))
        recovery = int(ts[trough + first] - ts[trough]) if back[first] else None
    return DrawdownStats(deepest, longest, recovery)


def _stats(basis: Basis, run: UnitRun, units: Units, fee: Decimal) -> TradeStats:
    """``trade_stats`` of the round trips, from their integer P&L (below 2**53 units, as
    every amount of the run is)."""
    k = units.exponent
    gross_exponent = min(_BASIS_EXPONENT, k)
    pnl_exponent = min(gross_exponent, min(0, _exponent(fee)))
    widen = 10 ** (k - pnl_exponent)
    n = len(run.exit_rows)
    qty = np.asarray(run.qty[:n], dtype=np.int64)
    paid = np.asarray(run.price_in[:n], dtype=np.int64)
    # P&L in units of 10**k (times ``widen``: in 10**pnl_exponent), and the notional.
    pnl = qty * (np.asarray(run.price_out, dtype=np.int64) - paid) - 2 * units.fee
    returns = exact_ratios(pnl, qty * paid)
    won = pnl > 0
    lost = pnl < 0
    wins = pnl[won].tolist()
    losses = pnl[lost].tolist()
    holding = 0
    if n:
        stamps = basis.ts
        holding = sum(
            (stamps[np.asarray(run.exit_rows)] - stamps[np.asarray(run.entry_rows[:n])]).tolist()
        )

    def money(total: int) -> Decimal:
        return ZERO + Decimal(total * widen).scaleb(pnl_exponent)

    span = basis.end_ts - basis.start_ts
    gross_win = sum(wins)
    gross_loss = -sum(losses)
    if gross_loss:
        factor = float(money(gross_win) / money(gross_loss))
    else:
        factor = float("inf") if gross_win else 0.0
    return TradeStats(
        num_trades=n,
        num_open_trades=1 if run.is_open else 0,
        win_rate=len(wins) / n if n else 0.0,
        profit_factor=factor,
        avg_trade_pnl=money(sum(pnl.tolist())) / n if n else ZERO,
        best_trade_return=max(returns, default=0.0),
        worst_trade_return=min(returns, default=0.0),
        expectancy=sum(returns) / n if n else None,
        avg_win=money(gross_win) / len(wins) if wins else None,
        avg_loss=money(-gross_loss) / len(losses) if losses else None,
        largest_win=Decimal(max(wins) * widen).scaleb(pnl_exponent) if wins else None,
        largest_loss=Decimal(min(losses) * widen).scaleb(pnl_exponent) if losses else None,
        longest_win_streak=_longest(won),
        longest_loss_streak=_longest(lost),
        trades_per_day=n * NANOS_PER_DAY / span if span > 0 else None,
        avg_holding_ns=holding // n if n else None,
    )


#: Whether ``longdouble`` carries at least 64 bits of mantissa (x86's extended precision).
_EXTENDED = np.finfo(np.longdouble).nmant >= 63


def exact_ratios(numerators: IntArray, denominators: IntArray) -> list[float]:
    """``float(Decimal(a) / Decimal(b))`` for each pair (``b`` 0: 0.0), as NumPy floats.

    The ``Decimal`` quotient is the exact one rounded to 28 digits; the float of
    it is the correctly rounded float of the exact quotient (``a / b`` for
    integers below 2**53, one IEEE division), unless a rounding midpoint between
    two floats lies within 28 digits of the exact quotient. The extended-precision
    quotient (64 bits) tells the safe ones: farther than 2**-62 from both
    midpoints around the float. The others, and every one where ``longdouble``
    is no wider than a float, go through ``Decimal``.
    """
    if not numerators.shape[0]:
        return []
    zero = denominators == 0
    safe_den = np.where(zero, 1, denominators)
    ratio = numerators / safe_den
    if _EXTENDED:
        extended = numerators.astype(np.longdouble) / safe_den.astype(np.longdouble)
        here = ratio.astype(np.longdouble)
        above = (here + np.nextafter(ratio, np.inf).astype(np.longdouble)) / 2
        below = (here + np.nextafter(ratio, -np.inf).astype(np.longdouble)) / 2
        tolerance = np.abs(extended) * np.longdouble(2.0**-62)
        unsafe = (np.abs(extended - above) < tolerance) | (np.abs(extended - below) < tolerance)
    else:
        unsafe = np.ones(ratio.shape[0], dtype=np.bool_)
    ratio[zero] = 0.0
    out: list[float] = ratio.tolist()
    for i in np.flatnonzero(unsafe & ~zero).tolist():
        out[i] = float(Decimal(int(numerators[i])) / Decimal(int(denominators[i])))
    return out


def _longest(flags: npt.NDArray[np.bool_]) -> int:
    """The longest run of ``True``."""
    if not flags.any():
        return 0
    edges = np.diff(np.concatenate(([0], flags.view(np.int8), [0])))
    return int(np.max(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)))


def _text(units: int, decimals: int) -> str:
    """``str(Decimal(units).scaleb(-decimals))``, without the ``Decimal`` where plain."""
    if decimals == 0:
        return str(units)
    if units >= 10 ** (decimals - 6):  # no exponent notation: plain digits
        whole, part = divmod(units, 10**decimals)
        return f"{whole}.{part:0{decimals}d}"
    return str(Decimal(units).scaleb(-decimals))


def unit_digest(
    basis: Basis, run: UnitRun, units: Units, fees: FeeModel, model: str, symbol: str
) -> str:
    """The fills digest of ``run``: :func:`~paperbroker.engine.fills_digest.fills_digest`'s text.

    Each line is put together from pieces: ``n|n``, the side and quantity (one
    text per round trip for its two fills) and the rest of the line, which
    depends on the fill's row alone (``basis`` writes it once per row).
    """
    count = run.fills
    if not count:
        return hashlib.sha256(b"").hexdigest()
    d, lot = units.decimals, units.lot_decimals
    fee = str(fees.fill_fee(NO_FILLS, Decimal(1), Decimal(1), LiquiditySide.TAKER, True))
    tails = basis.tails_for(units, fee, str(Decimal(0).scaleb(-d)), model)
    amounts = [str(q) for q in run.qty] if not lot else [_text(q, lot) for q in run.qty]
    rows = [0] * count
    rows[0::2] = run.entry_rows
    rows[1::2] = run.exit_rows
    pieces: list[str] = [""] * (3 * count)
    pieces[0::3] = _numbers(count)
    pieces[1::6] = [f"|{symbol}|{SIDE_TEXT[True]}|{a}|" for a in amounts]
    pieces[4::6] = [f"|{symbol}|{SIDE_TEXT[False]}|{a}|" for a in amounts[: len(run.exit_rows)]]
    found = itemgetter(*rows)(tails)
    pieces[2::3] = [found] if count == 1 else found
    return hashlib.sha256("".join(pieces).encode()).hexdigest()


_NUMBER_TEXT: list[str] = []
_NUMBER_LOCK = threading.Lock()


def _numbers(count: int) -> list[str]:
    """``["1|1", "2|2", …]``, ``count`` of them."""
    with _NUMBER_LOCK:
        have = len(_NUMBER_TEXT)
        if have < count:
            _NUMBER_TEXT.extend([f"{n}|{n}" for n in range(have + 1, count + 1)])
        return _NUMBER_TEXT[:count]
