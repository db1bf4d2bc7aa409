"""Golden run: SmaCrossover(10, 30) on the bundled AAPL dailies, 2005-2012, no costs.

The expected trades are recomputed here from the raw bars with plain Python (a
loop SMA, crossover detection and the strategy's sizing rule), without any
paperbroker matching, accounting or indicator code, and compared with the
engine to the last digit.  Three numbers are also pinned as literals, checked
by hand (see the comments).

The rules mirrored from ``SmaCrossover`` and the venue:

- fast/slow are simple means of the last 10/30 closes; NaN until the window is
  full, and any comparison with NaN is false;
- at bar t's close, if flat: enter when fast[t] > slow[t] and fast[t-1] <= slow[t-1],
  with qty = floor(cash / close[t]) (cash, not equity: one symbol, allocation 1);
- at bar t's close, if long: exit the whole position when fast[t] < slow[t]
  and fast[t-1] >= slow[t-1];
- a market order decided at t's close fills at open[t+1], before t+1's decision;
- a cash account cannot spend money it does not have: when open[t+1] is above
  close[t], the buy fills floor(cash / open[t+1]) and the rest is canceled.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from paperbroker import Backtest, BacktestResult, SmaCrossover
from paperbroker.data import load_sample

START, END = date(2005, 1, 1), date(2012, 12, 31)
CASH = Decimal(100_000)

Fill = tuple[int, str, int, Decimal]  # (bar close ts, side, qty, price)
Bars = tuple[list[int], list[float], list[float]]  # close times, opens, closes


def loop_sma(values: list[float], window: int) -> list[float]:
    out = []
    for i in range(len(values)):
        if i + 1 < window:
            out.append(math.nan)
            continue
        total = 0.0
        for value in values[i + 1 - window : i + 1]:
            total += value
        out.append(total / window)
    return out


def independent_run(
    ts: list[int], opens: list[float], closes: list[float]
) -> tuple[list[Fill], Decimal, int]:
    """The trades, final equity and round-trip count, by hand."""
    fast, slow = loop_sma(closes, 10), loop_sma(closes, 30)
    cash, qty = CASH, 0
    pending: tuple[str, int] | None = None
    fills: list[Fill] = []
    for t in range(len(ts)):
        if pending is not None:  # decided at t-1's close: fills at t's open
            side, units = pending
            price = Decimal(repr(opens[t]))
            if side == "buy":
                units = min(units, int(cash // price))  # only what the cash covers
            cash += units * price if side == "sell" else -units * price
            qty += units if side == "buy" else -units
            fills.append((ts[t], side, units, price))
            pending = None
        if t == 0:
            continue
        crossed_up = fast[t] > slow[t] and fast[t - 1] <= slow[t - 1]
        crossed_down = fast[t] < slow[t] and fast[t - 1] >= slow[t - 1]
        if qty == 0 and crossed_up:
            units = int(cash // Decimal(repr(closes[t])))
            if units > 0:
                pending = ("buy", units)
        elif qty > 0 and crossed_down:
            pending = ("sell", qty)
    final_equity = cash + qty * Decimal(repr(closes[-1]))
    round_trips = sum(1 for f in fills if f[1] == "buy")
    return fills, final_equity, round_trips


@pytest.fixture(scope="module")
def aapl() -> Bars:
    series = load_sample("stocks", symbols=["AAPL"])["AAPL"]
    rows = [
        (int(t), float(o), float(c))
        for t, o, c in zip(series.ts, series.open, series.close, strict=True)
        if START <= datetime.fromtimestamp(int(t) // 10**9, UTC).date() <= END
    ]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


@pytest.fixture(scope="module")
def engine_result() -> BacktestResult:
    series = load_sample("stocks", symbols=["AAPL"])["AAPL"]
    return Backtest(
        series,
        SmaCrossover,
        params={"fast": 10, "slow": 30},
        cash=100_000,
        start="2005-01-01",
        end="2012-12-31",
        execution="ideal",
    ).run()


def test_golden_aapl_fills_equal_independent_calculation(
    aapl: Bars, engine_result: BacktestResult
) -> None:
    expected, _, _ = independent_run(*aapl)
    got = [(f.bar_ts, f.side.value, int(f.qty), f.price) for f in engine_result.fills]
    assert len(expected) > 20
    assert got == expected
    assert all(f.ts == f.bar_ts and f.fee == 0 and f.slippage == 0 for f in engine_result.fills)


def test_golden_aapl_signals_are_not_near_ties(aapl: Bars) -> None:
    # Every day's |fast - slow| is at least 0.0018 (prices 30..700), far beyond float
    # noise: no SMA summation order (loop, pairwise, convolution) can flip a signal, so
    # comparing with the engine's own float SMA is exact, not lucky.
    closes = aapl[2]
    fast, slow = loop_sma(closes, 10), loop_sma(closes, 30)
    gaps = [abs(f - s) for f, s in zip(fast, slow, strict=True) if not math.isnan(s)]
    assert min(gaps) > 1e-3


def test_golden_aapl_trades_and_final_equity_equal_independent_calculation(
    aapl: Bars, engine_result: BacktestResult
) -> None:
    _, final_equity, round_trips = independent_run(*aapl)
    assert engine_result.bars_processed == len(aapl[0])
    assert len(engine_result.trades) == round_trips
    assert engine_result.final_equity.quantize(Decimal("0.01")) == final_equity.quantize(
        Decimal("0.01")
    )
    assert engine_result.final_equity == final_equity  # in fact to the last digit
    assert engine_result.equity_curve.equity[-1] == pytest.approx(float(final_equity), abs=1e-6)


def test_golden_aapl_hand_checked_numbers(engine_result: BacktestResult) -> None:
    first = engine_result.fills[0]
    # First entry.  On 2005-04-11 (close 41.92) the 10-day mean of closes
    # (41.75 42.80 41.67 40.89 41.09 41.89 42.33 43.56 43.74 41.92) is 42.164, above the
    # 30-day mean 42.1410; the day before it was 42.225 <= 42.2269: a cross up.
    # The order asks for floor(100 000 / 41.92) = 2385 (2385 * 41.92 = 99 979.20), but
    # 2005-04-12 opens at 42.49 and 2385 * 42.49 = 101 338.65 is more than the cash: the
    # cash account fills floor(100 000 / 42.49) = 2353 (2353 * 42.49 = 99 978.97; 2354 *
    # 42.49 = 100 021.46) and cancels the other 32.
    assert datetime.fromtimestamp(first.bar_ts // 10**9, UTC).date() == date(2005, 4, 12)
    assert (first.side.value, first.qty, first.price) == ("buy", 2353, Decimal("42.49"))
    canceled = engine_result.orders[0].events[-1]
    assert getattr(canceled, "reason", "") == "insufficient cash at execution"
    assert min(engine_result.equity_curve.equity) > 0
    # Final equity.  The last round trip: after the 2012-10-05 exit the cash is 800 465.4240;
    # on 2012-12-04 (close 575.8454) it buys floor(800 465.4240 / 575.8454) = 1390
    # (1390 * 575.8454 = 800 425.11) at 2012-12-05's open 568.91 and sells them at
    # 2012-12-11's open 539.77, ending flat:
    # 800 465.4240 - 1390 * (568.91 - 539.77) = 800 465.4240 - 40 504.60 = 759 960.8240.
    assert engine_result.final_equity == Decimal("759960.8240")
    assert engine_result.final_cash == engine_result.final_equity
    assert len(engine_result.fills) == 62
