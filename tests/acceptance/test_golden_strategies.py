"""Golden runs of the built-in strategies on the bundled dailies, 2005-2012, no costs.

Each run is pinned (final equity to the cent, trades, fills) and recomputed
here with plain Python from the raw bars: loop indicators, the strategy's rule
and a minimal cash account, without any paperbroker indicator, matching or
accounting code.  The account mirrors the venue under ``execution="ideal"``:

- a market order decided at bar t's close fills at open[t+1], before t+1's decision;
- an entry asks for floor(cash / close[t]) shares (one symbol: all the cash);
  when open[t+1] is higher, the cash account fills floor(cash / open[t+1]) and
  cancels the rest;
- an exit sells the whole position; an order decided at the last bar never fills.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from paperbroker import Backtest, BacktestResult
from paperbroker.data import load_sample
from paperbroker.strategy import (
    MeanReversion,
    Momentum,
    PumpDetection,
    SentimentMomentum,
    SentimentTimeline,
)
from paperbroker.strategy.base import Strategy

START, END = date(2005, 1, 1), date(2012, 12, 31)
CASH = Decimal(100_000)

Fill = tuple[int, str, int, Decimal]  # (bar close ts, side, qty, price)
Decide = Callable[[int, int, Decimal], str | None]  # (t, qty held, entry price) -> buy/sell


@dataclass(frozen=True)
class Bars:
    ts: list[int]
    opens: list[float]
    closes: list[float]
    volumes: list[float]


def bars_of(symbol: str) -> Bars:
    series = load_sample("stocks", symbols=[symbol])[symbol]
    rows = [
        (int(t), float(o), float(c), float(v))
        for t, o, c, v in zip(series.ts, series.open, series.close, series.volume, strict=True)
        if START <= datetime.fromtimestamp(int(t) // 10**9, UTC).date() <= END
    ]
    return Bars(*(list(column) for column in zip(*rows, strict=True)))  # type: ignore[arg-type]


def engine(symbol: str, strategy: type[Strategy], params: dict[str, Any]) -> BacktestResult:
    series = load_sample("stocks", symbols=[symbol])[symbol]
    return Backtest(
        series,
        strategy,
        params=params,
        cash=CASH,
        start=START.isoformat(),
        end=END.isoformat(),
        execution="ideal",
    ).run()


def replay(bars: Bars, decide: Decide) -> tuple[list[Fill], Decimal]:
    """The fills and final equity of a long-only, all-in strategy, by hand."""
    cash, qty, entry = CASH, 0, Decimal(0)
    pending: tuple[str, int] | None = None
    fills: list[Fill] = []
    for t in range(len(bars.ts)):
        if pending is not None:
            side, units = pending
            price = Decimal(repr(bars.opens[t]))
            if side == "buy":
                units = min(units, int(cash // price))
                cash, qty, entry = cash - units * price, qty + units, price
            else:
                cash, qty = cash + units * price, qty - units
            fills.append((bars.ts[t], side, units, price))
            pending = None
        decision = decide(t, qty, entry)
        if decision == "buy" and qty == 0:
            units = int(cash // Decimal(repr(bars.closes[t])))
            if units > 0:
                pending = ("buy", units)
        elif decision == "sell" and qty > 0:
            pending = ("sell", qty)
    return fills, cash + qty * Decimal(repr(bars.closes[-1]))


def engine_fills(result: BacktestResult) -> list[Fill]:
    return [(f.bar_ts, f.side.value, int(f.qty), f.price) for f in result.fills]


def check(result: BacktestResult, bars: Bars, decide: Decide) -> None:
    """The engine's fills and final equity equal the hand replay's, to the last digit."""
    fills, final_equity = replay(bars, decide)
    assert engine_fills(result) == fills
    assert result.final_equity == final_equity
    assert len(result.trades) == sum(1 for f in fills if f[1] == "buy")
    assert all(f.fee == 0 and f.slippage == 0 for f in result.fills)


# ---- plain-Python indicators ----------------------------------------------------------------


def loop_mean(values: list[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


def loop_roc(closes: list[float], lookback: int) -> list[float]:
    return [
        math.nan if t < lookback else closes[t] / closes[t - lookback] - 1
        for t in range(len(closes))
    ]


def loop_bands(closes: list[float], window: int, k: float) -> tuple[list[float], list[float]]:
    middle, lower = [], []
    for t in range(len(closes)):
        if t + 1 < window:
            middle.append(math.nan)
            lower.append(math.nan)
            continue
        chunk = closes[t + 1 - window : t + 1]
        mean = loop_mean(chunk)
        std = math.sqrt(loop_mean([(c - mean) ** 2 for c in chunk]))
        middle.append(mean)
        lower.append(mean - k * std)
    return middle, lower


def loop_rsi(closes: list[float], period: int) -> list[float]:
    out = [math.nan] * len(closes)
    changes = [b - a for a, b in itertools.pairwise(closes)]
    gain = loss = 0.0
    for t in range(period, len(closes)):
        if t == period:
            gain = sum(max(c, 0.0) for c in changes[:period]) / period
            loss = sum(max(-c, 0.0) for c in changes[:period]) / period
        else:
            change = changes[t - 1]
            gain = (gain * (period - 1) + max(change, 0.0)) / period
            loss = (loss * (period - 1) + max(-change, 0.0)) / period
        out[t] = 100.0 if loss == 0 else 100 - 100 / (1 + gain / loss)
    return out


def loop_spike(values: list[float], window: int) -> list[float]:
    return [
        math.nan if t < window else values[t] / loop_mean(values[t - window : t])
        for t in range(len(values))
    ]


def min_gap(values: list[float], levels: list[float]) -> float:
    """The closest any value comes to any level: far above float noise means no tie can flip."""
    return min(abs(v - level) for v in values if not math.isnan(v) for level in levels)


# ---- momentum: AAPL ---------------------------------------------------------------------------


def momentum_rule(bars: Bars, lookback: int, threshold: float, exit_threshold: float) -> Decide:
    rate = loop_roc(bars.closes, lookback)

    def decide(t: int, qty: int, _entry: Decimal) -> str | None:
        if math.isnan(rate[t]):
            return None
        if qty and rate[t] < exit_threshold:
            return "sell"
        return "buy" if not qty and rate[t] > threshold else None

    return decide


def test_golden_momentum_aapl() -> None:
    bars = bars_of("AAPL")
    result = engine("AAPL", Momentum, {})  # lookback 20, threshold 5 %, exit below 0 %
    check(result, bars, momentum_rule(bars, 20, 0.05, 0.0))
    assert min_gap(loop_roc(bars.closes, 20), [0.05, 0.0]) > 1e-6
    assert result.final_equity == Decimal("431877.2650")
    assert len(result.trades) == 53
    assert len(result.fills) == 106
    # First entry, by hand: 2005-02-01 is the first bar with a 20-bar ROC: 38.765 / 31.645
    # - 1 = +22.5 % > 5 %.  It asks for floor(100 000 / 38.765) = 2579, but 2005-02-02
    # opens at 38.95 and 2579 * 38.95 = 100 451.05 is more than the cash: the cash account
    # fills floor(100 000 / 38.95) = 2567 (99 984.65).
    first = result.fills[0]
    assert datetime.fromtimestamp(first.bar_ts // 10**9, UTC).date() == date(2005, 2, 2)
    assert (first.side.value, first.qty, first.price) == ("buy", 2567, Decimal("38.95"))


# ---- mean reversion, Bollinger: IBM ----------------------------------------------------------


def bollinger_rule(bars: Bars, window: int, k: float) -> Decide:
    middle, lower = loop_bands(bars.closes, window, k)

    def decide(t: int, qty: int, _entry: Decimal) -> str | None:
        close = bars.closes[t]
        if qty:
            return "sell" if close >= middle[t] else None
        return "buy" if close < lower[t] else None

    return decide


def test_golden_mean_reversion_bollinger_ibm() -> None:
    bars = bars_of("IBM")
    result = engine("IBM", MeanReversion, {})  # window 20, 2 deviations
    check(result, bars, bollinger_rule(bars, 20, 2.0))
    middle, lower = loop_bands(bars.closes, 20, 2.0)
    gaps = [abs(c - m) for c, m in zip(bars.closes, middle, strict=True) if not math.isnan(m)]
    gaps += [abs(c - lo) for c, lo in zip(bars.closes, lower, strict=True) if not math.isnan(lo)]
    assert min(gaps) > 1e-6
    assert result.final_equity == Decimal("152317.97")
    assert len(result.trades) == 36
    # First entry, by hand: on 2005-03-16 the 20 closes from 94.62 down to 90.65 have mean
    # 92.4505 and population deviation 0.8586, so the lower band is 90.7332 > 90.65: buy
    # floor(100 000 / 90.65) = 1103 at 2005-03-17's open 90.49.
    first = result.fills[0]
    assert datetime.fromtimestamp(first.bar_ts // 10**9, UTC).date() == date(2005, 3, 17)
    assert (first.side.value, first.qty, first.price) == ("buy", 1103, Decimal("90.49"))


# ---- mean reversion, RSI: MSFT ----------------------------------------------------------------


def rsi_rule(bars: Bars, period: int, oversold: float, overbought: float) -> Decide:
    values = loop_rsi(bars.closes, period)

    def decide(t: int, qty: int, _entry: Decimal) -> str | None:
        if qty:
            return "sell" if values[t] > overbought else None
        return "buy" if values[t] < oversold else None

    return decide


def test_golden_mean_reversion_rsi_msft() -> None:
    bars = bars_of("MSFT")
    result = engine("MSFT", MeanReversion, {"mode": "rsi"})  # 14 bars, 30 / 70
    check(result, bars, rsi_rule(bars, 14, 30.0, 70.0))
    assert min_gap(loop_rsi(bars.closes, 14), [30.0, 70.0]) > 1e-6
    assert result.final_equity == Decimal("93540.0863")
    assert len(result.trades) == 9  # the last one still open at the end
    assert result.positions["MSFT"].qty == 3479
    assert result.final_cash == Decimal("617.04")


# ---- pump detection: GOOG ---------------------------------------------------------------------


def pump_rule(
    bars: Bars, window: int, change: float, multiple: float, hold: int, stop: str, cooldown: int
) -> Decide:
    price = loop_spike(bars.closes, window)
    volume = loop_spike(bars.volumes, window)
    state = {"held": 0, "cooldown": 0}
    keep = 1 - Decimal(stop)

    def decide(t: int, qty: int, entry: Decimal) -> str | None:
        if qty:
            state["held"] += 1
            stopped = Decimal(repr(bars.closes[t])) <= entry * keep
            return "sell" if stopped or state["held"] >= hold else None
        if state["held"]:
            state["held"], state["cooldown"] = 0, cooldown
        if state["cooldown"]:
            state["cooldown"] -= 1
            return None
        return "buy" if price[t] >= 1 + change and volume[t] >= multiple else None

    return decide


def test_golden_pump_detection_goog() -> None:
    bars = bars_of("GOOG")
    result = engine("GOOG", PumpDetection, {})  # 20 bars, +5 %, 2x volume, 5 bars, 5 %, 5
    check(result, bars, pump_rule(bars, 20, 0.05, 2.0, 5, "0.05", 5))
    assert min_gap(loop_spike(bars.closes, 20), [1.05]) > 1e-6
    assert min_gap(loop_spike(bars.volumes, 20), [2.0]) > 1e-6
    assert result.final_equity == Decimal("160607.7916")
    assert len(result.trades) == 24


# ---- sentiment momentum: AAPL with a fixed news timeline -------------------------------------

#: Scores published at midnight UTC: good, bad, mild, very bad, good, neutral, good.
NEWS = [
    (date(2005, 1, 1), 0.6),
    (date(2006, 1, 1), -0.4),
    (date(2007, 1, 1), 0.3),
    (date(2008, 1, 1), -0.6),
    (date(2009, 3, 1), 0.5),
    (date(2011, 1, 1), 0.0),
    (date(2012, 1, 1), 0.4),
]
NEWS_NS = [int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) * 10**9 for d, _ in NEWS]


class NewsMomentum(SentimentMomentum):
    """SentimentMomentum fed the fixed timeline above."""

    def on_start(self) -> None:
        timeline = SentimentTimeline(
            (ns, "AAPL", score) for ns, (_, score) in zip(NEWS_NS, NEWS, strict=True)
        )
        self.ctx.set_sentiment_source(timeline.source(self.ctx))
        super().on_start()


def sentiment_rule(bars: Bars) -> Decide:
    momentum = momentum_rule(bars, 20, 0.05, 0.0)

    def score(t: int) -> float:
        return NEWS[bisect.bisect_right(NEWS_NS, bars.ts[t]) - 1][1]

    def decide(t: int, qty: int, entry: Decimal) -> str | None:
        signal = momentum(t, qty, entry)
        if qty:  # exits early on bad news (the timeline starts before the first bar)
            return "sell" if signal == "sell" or score(t) < -0.05 else None
        return signal if score(t) >= 0.05 else None

    return decide


def test_golden_sentiment_momentum_aapl() -> None:
    bars = bars_of("AAPL")
    result = engine("AAPL", NewsMomentum, {})  # momentum defaults, 0.05 / -0.05
    check(result, bars, sentiment_rule(bars))
    assert result.final_equity == Decimal("545980.1400")
    assert len(result.trades) == 34  # plain momentum: 53
    # Bad news exits early: -0.4 (2006-01-01) and -0.6 (2008-01-01) are read at the first
    # close after them and the positions sold at the next open, 2006-01-04 and 2008-01-03.
    sells = {
        datetime.fromtimestamp(f.bar_ts // 10**9, UTC).date(): (int(f.qty), f.price)
        for f in result.fills
        if f.side.value == "sell"
    }
    assert sells[date(2006, 1, 4)] == (2005, Decimal("75.13"))
    assert sells[date(2008, 1, 3)] == (1039, Decimal("195.41"))
    # No trade is entered while the latest news is below min_sentiment.
    for fill in result.fills:
        if fill.side.value == "buy":
            decided = bars.ts[bars.ts.index(fill.bar_ts) - 1]
            assert NEWS[bisect.bisect_right(NEWS_NS, decided) - 1][1] >= 0.05
