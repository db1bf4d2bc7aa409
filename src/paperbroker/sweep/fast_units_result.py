"""An integer run's metrics and fills digest (:mod:`~paperbroker.sweep.fast_units`).

The same figures as :mod:`~paperbroker.sweep.fast_result` computes from
``Decimal`` fills, from integers: floats are the correctly rounded quotients
of the units (what ``float`` of the ``Decimal`` gives), sums of money are
integer sums turned into a ``Decimal`` once, with the exponent the books'
sums have, and each round trip's return is the same ``Decimal`` division as
``Trade.return_pct``'s.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import numpy as np

from paperbroker.analytics.metrics import Metrics
from paperbroker.analytics.returns import NANOS_PER_DAY
from paperbroker.analytics.trade_stats import TradeStats, profit_factor
from paperbroker.data.series import BarSeries
from paperbroker.model.enums import LiquiditySide
from paperbroker.model.values import ZERO
from paperbroker.sweep.fast_result import _SIDES, _TAIL, FloatArray, _curve_metrics, _with_fills
from paperbroker.sweep.fast_units import UnitRun, Units
from paperbroker.venue.commission import NO_FILLS, FeeModel

#: The books round a removed cost basis to 1e-10: realized P&L has at most this exponent.
_BASIS_EXPONENT = -10


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


def unit_metrics(
    series: BarSeries,
    run: UnitRun,
    units: Units,
    fees: FeeModel,
    initial_cash: Decimal,
    marks: FloatArray,
) -> Metrics:
    """The metrics a backtest reports for ``run``'s fills on ``series``."""
    k = units.exponent
    scale, lot_scale = 10**-k, 10**units.lot_decimals
    count = len(run.rows)
    fill_fee = fees.fill_fee(NO_FILLS, Decimal(1), Decimal(1), LiquiditySide.TAKER, True)
    if count:
        cash_exponent = min(_exponent(initial_cash), k, _exponent(fill_fee))
        cash = Decimal(run.cash).scaleb(k).quantize(Decimal(1).scaleb(cash_exponent))
    else:
        cash = initial_cash
    value = ZERO
    if run.position:
        mark = Decimal(round(float(marks[-1]) * 10**units.decimals)).scaleb(-units.decimals)
        value = ZERO + Decimal(run.position).scaleb(-units.lot_decimals) * mark
    deltas = [q / lot_scale if buy else -(q / lot_scale) for q, buy in zip(run.qty, run.buys)]
    equity, metrics = _curve_metrics(
        series,
        run.rows,
        [c / scale for c in run.cash_after],
        deltas,
        initial_cash,
        cash + value,
        ZERO + fill_fee * count if count else ZERO,
        marks,
    )
    stats = _stats(series, run, units, fill_fee)
    notional = sum(p * q for p, q in zip(run.price, run.qty, strict=True))
    money = Decimal(notional).scaleb(k) if count else ZERO
    slippage = Decimal(0).scaleb(k) if count else ZERO
    return _with_fills(
        metrics, stats, equity, money, slippage, money, Decimal(run.filled),
        Decimal(run.ordered), bool(count),
    )  # fmt: skip


def _stats(series: BarSeries, run: UnitRun, units: Units, fee: Decimal) -> TradeStats:
    """``trade_stats`` of the round trips, from their integer P&L."""
    k = units.exponent
    gross_exponent = min(_BASIS_EXPONENT, k)
    pnl_exponent = min(gross_exponent, min(0, _exponent(fee)))
    widen = 10 ** (k - pnl_exponent)
    fees_units = 2 * units.fee
    ts = series.ts
    qty, price = run.qty, run.price
    pnl_units: list[int] = []
    returns: list[float] = []
    for entry in run.entries:
        q, paid = qty[entry], price[entry]
        units_pnl = (q * (price[entry + 1] - paid) - fees_units) * widen
        pnl_units.append(units_pnl)
        notional = q * paid
        returns.append(
            float(Decimal(units_pnl).scaleb(pnl_exponent) / Decimal(notional).scaleb(k))
            if notional
            else 0.0
        )
    n = len(pnl_units)
    holding = 0
    if n:
        opened = np.asarray(run.entries, dtype=np.int64)
        stamps = ts[np.asarray(run.rows, dtype=np.int64)]
        holding = sum((stamps[opened + 1] - stamps[opened]).tolist())
    pnls = [Decimal(u).scaleb(pnl_exponent) for u in pnl_units]
    wins = [u for u in pnl_units if u > 0]
    losses = [u for u in pnl_units if u < 0]
    span = int(ts[-1]) - int(ts[0])

    def money(total: int) -> Decimal:
        return ZERO + Decimal(total).scaleb(pnl_exponent)

    return TradeStats(
        num_trades=n,
        num_open_trades=0 if run.open_entry is None else 1,
        win_rate=len(wins) / n if n else 0.0,
        profit_factor=profit_factor(pnls),
        avg_trade_pnl=money(sum(pnl_units)) / n if n else ZERO,
        best_trade_return=max(returns, default=0.0),
        worst_trade_return=min(returns, default=0.0),
        expectancy=sum(returns) / n if n else None,
        avg_win=money(sum(wins)) / len(wins) if wins else None,
        avg_loss=money(sum(losses)) / len(losses) if losses else None,
        largest_win=Decimal(max(wins)).scaleb(pnl_exponent) if wins else None,
        largest_loss=Decimal(min(losses)).scaleb(pnl_exponent) if losses else None,
        longest_win_streak=_longest([u > 0 for u in pnl_units]),
        longest_loss_streak=_longest([u < 0 for u in pnl_units]),
        trades_per_day=n * NANOS_PER_DAY / span if span > 0 else None,
        avg_holding_ns=holding // n if n else None,
    )


def _longest(flags: list[bool]) -> int:
    longest = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        longest = max(longest, run)
    return longest


def _text(units: int, decimals: int) -> str:
    """``str(Decimal(units).scaleb(-decimals))``, without the ``Decimal`` where plain."""
    if decimals == 0:
        return str(units)
    if units >= 10 ** (decimals - 6):  # no exponent notation: plain digits
        whole, part = divmod(units, 10**decimals)
        return f"{whole}.{part:0{decimals}d}"
    return str(Decimal(units).scaleb(-decimals))


def unit_digest(
    series: BarSeries, run: UnitRun, units: Units, fees: FeeModel, model: str, texts: dict[int, str]
) -> str:
    """The fills digest of ``run``: :func:`~paperbroker.engine.fills_digest.fills_digest`'s text.

    ``texts`` remembers the text of each price in ticks (prices repeat across a sweep).
    """
    stamps = series.ts[np.asarray(run.rows, dtype=np.int64)].tolist()
    symbol = series.symbol
    d, lot = units.decimals, units.lot_decimals
    fee = str(fees.fill_fee(NO_FILLS, Decimal(1), Decimal(1), LiquiditySide.TAKER, True))
    slip = str(Decimal(0).scaleb(-d))
    head = f"|{symbol}|"
    tail = f"|{fee}|"
    lines = []
    for number, (stamp, buy, q, p) in enumerate(
        zip(stamps, run.buys, run.qty, run.price, strict=True), start=1
    ):
        price = texts.get(p)
        if price is None:
            price = texts[p] = _text(p, d)
        amount = str(q) if not lot else _text(q, lot)
        lines.append(
            f"{number}|{number}{head}{_SIDES[buy]}|{amount}|{price}{tail}"
            f"{stamp}|{_TAIL}|{price}|{slip}|open|{stamp}|{model}|0\n"
        )
    return hashlib.sha256("".join(lines).encode()).hexdigest()
