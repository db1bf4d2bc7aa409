"""The built-in strategies' signal rules, on small hand-made series through a real kernel.

Every series here has its bars' opens given by hand; a market order decided at
bar t's close fills at bar t+1's open (``execution="ideal"``: no costs, full
fills), so each expectation below is "decided at t, filled at t+1".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy import MeanReversion, Momentum, PumpDetection
from paperbroker.strategy.base import Strategy

Trade = tuple[int, str, int, Decimal]  # (bar index of the fill, side, qty, price)


def bars(
    build: Any,
    opens: list[float],
    closes: list[float],
    volumes: list[float] | None = None,
    symbol: str = "XYZ",
) -> BarSeries:
    volumes = volumes or [1_000.0] * len(closes)
    rows = [
        (o, max(o, c) + 0.25, min(o, c) - 0.25, c, v)
        for o, c, v in zip(opens, closes, volumes, strict=True)
    ]
    return build.series(rows, symbol=symbol)  # type: ignore[no-any-return]


def flat(closes: list[float]) -> list[float]:
    """Opens equal to the closes: a fill at t+1 is at close[t+1]."""
    return list(closes)


def fills(
    series: BarSeries, strategy: type[Strategy], params: dict[str, Any], cash: int = 10_000
) -> list[Trade]:
    result = Backtest(series, strategy, params=params, cash=cash, execution="ideal").run()
    index = {int(t): i for i, t in enumerate(series.ts)}
    return [(index[f.bar_ts], f.side.value, int(f.qty), f.price) for f in result.fills]


# ---- momentum ------------------------------------------------------------------------------

MOMENTUM_CLOSES = [10.0, 10.0, 10.0, 10.5, 12.0, 12.5, 12.4, 11.0, 10.0, 10.0]
# t=5 opens below t=4's close, so the shares sized at that close are all paid for.
MOMENTUM_OPENS = [10.0, 10.0, 10.0, 10.5, 12.0, 11.8, 12.4, 11.0, 10.0, 10.0]


def test_momentum_enters_above_threshold_exits_below_exit_threshold(build: Any) -> None:
    # lookback 2: ROC[t] = close[t] / close[t-2] - 1
    #   t=2: 0      t=3: +5 %   t=4: +20 % > 10 % -> buy, filled at t=5's open 11.8
    #   t=5: +19 %  t=6: +3.3 % (between the thresholds: hold)
    #   t=7: 11 / 12.5 - 1 = -12 % < -5 % -> sell, filled at t=8's open 10
    # Size: floor(10 000 / close[4] = 12) = 833.
    series = bars(build, MOMENTUM_OPENS, MOMENTUM_CLOSES)
    got = fills(series, Momentum, {"lookback": 2, "threshold": 0.10, "exit_threshold": -0.05})
    assert got == [(5, "buy", 833, Decimal("11.8")), (8, "sell", 833, Decimal("10"))]


def test_momentum_exit_threshold_zero_exits_on_first_negative_rate(build: Any) -> None:
    # Same bars, exit_threshold 0: t=6's ROC is 12.4 / 12 - 1 = +3.3 %, still held;
    # t=7's is negative -> the same exit.  With threshold 0.25 no bar qualifies (max +20 %).
    series = bars(build, flat(MOMENTUM_CLOSES), MOMENTUM_CLOSES)
    got = fills(series, Momentum, {"lookback": 2, "threshold": 0.10})
    assert [(t, side) for t, side, _, _ in got] == [(5, "buy"), (8, "sell")]
    assert fills(series, Momentum, {"lookback": 2, "threshold": 0.25}) == []


def test_momentum_no_signal_during_warm_up(build: Any) -> None:
    # A +50 % jump at t=1 but lookback 3: the first ROC exists at t=3 (15 / 10 - 1 = +50 %).
    closes = [10.0, 15.0, 15.0, 15.0, 15.0]
    series = bars(build, flat(closes), closes)
    got = fills(series, Momentum, {"lookback": 3, "threshold": 0.10})
    assert [(t, side) for t, side, _, _ in got] == [(4, "buy")]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"lookback": 0}, ["'lookback'"]),
        ({"threshold": 0.01, "exit_threshold": 0.02}, ["exit_threshold", "threshold"]),
        ({"threshold": -1.5}, ["'threshold'"]),
        ({"allocation": 0}, ["'allocation'"]),
        ({"window": 5}, ["'window'", "lookback, threshold"]),
    ],
)
def test_momentum_params_errors_name_the_parameter(
    params: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        Momentum(**params)
    for name in names:
        assert name in str(raised.value)


# ---- mean reversion: Bollinger ----------------------------------------------------------------


def test_bollinger_buys_below_lower_band_sells_at_middle(build: Any) -> None:
    # window 3, num_std 1, population deviation:
    #   t=2: [10 10 10]: mean 10, std 0, lower 10; close 10 is not below it (strict).
    #   t=3: [10 10 7]: mean 9, std sqrt((1 + 1 + 4) / 3) = 1.414, lower 7.586 > 7 -> buy,
    #        filled at t=4's open 6.9: floor(10 000 / 7) = 1428 shares.
    #   t=4: [10 7 8]: mean 8.333 > close 8: hold.
    #   t=5: [7 8 9.5]: mean 8.167 <= close 9.5 -> sell at t=6's open 9.4.
    closes = [10.0, 10.0, 10.0, 7.0, 8.0, 9.5, 9.6, 9.6]
    opens = [10.0, 10.0, 10.0, 9.0, 6.9, 8.1, 9.4, 9.6]
    series = bars(build, opens, closes)
    got = fills(series, MeanReversion, {"window": 3, "num_std": 1.0})
    assert got == [(4, "buy", 1428, Decimal("6.9")), (6, "sell", 1428, Decimal("9.4"))]


def test_bollinger_wider_band_no_entry(build: Any) -> None:
    # With num_std 1.5 the lower band at t=3 is 9 - 2.121 = 6.879 < 7: no entry.
    closes = [10.0, 10.0, 10.0, 7.0, 8.0, 9.5, 9.6, 9.6]
    series = bars(build, flat(closes), closes)
    assert fills(series, MeanReversion, {"window": 3, "num_std": 1.5}) == []


# ---- mean reversion: RSI ---------------------------------------------------------------------


def test_rsi_buys_oversold_sells_overbought(build: Any) -> None:
    # rsi_period 2; changes +1 -1 -1 -1 +1 +1 +1 +1 (Wilder averages):
    #   t=2: gain .5, loss .5 -> RSI 50
    #   t=3: gain .25, loss .75 -> RSI 25 < 30 -> buy at t=4's open 8: floor(10 000 / 9) = 1111
    #   t=4: gain .125, loss .875 -> RSI 12.5 (held)
    #   t=5: gain .5625, loss .4375 -> RSI 56.25 (held)
    #   t=6: gain .78125, loss .21875 -> RSI 78.125 > 70 -> sell at t=7's open 11
    closes = [10.0, 11.0, 10.0, 9.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    series = bars(build, flat(closes), closes)
    got = fills(series, MeanReversion, {"mode": "rsi", "rsi_period": 2})
    assert got == [(4, "buy", 1111, Decimal("8")), (7, "sell", 1111, Decimal("11"))]


def test_rsi_thresholds_are_strict(build: Any) -> None:
    # oversold 25: t=3's RSI of exactly 25 is not below it; t=4's 12.5 is -> buy at t=5.
    # overbought 78.125: t=6's RSI equals it (no exit); t=7's is higher -> sell at t=8.
    closes = [10.0, 11.0, 10.0, 9.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    series = bars(build, flat(closes), closes)
    got = fills(
        series,
        MeanReversion,
        {"mode": "rsi", "rsi_period": 2, "oversold": 25, "overbought": 78.125},
    )
    assert [(t, side) for t, side, _, _ in got] == [(5, "buy"), (8, "sell")]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"mode": "macd"}, ["'mode'"]),
        ({"window": 1}, ["'window'"]),
        ({"num_std": 0}, ["'num_std'"]),
        ({"mode": "rsi", "oversold": 70, "overbought": 30}, ["oversold", "overbought"]),
        ({"mode": "bollinger", "rsi_period": 7}, ["rsi_period", "'bollinger'"]),
        ({"mode": "rsi", "window": 10}, ["window", "'rsi'"]),
        ({"oversold": 100}, ["'oversold'"]),
    ],
)
def test_mean_reversion_params_errors_name_the_parameter(
    params: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        MeanReversion(**params)
    for name in names:
        assert name in str(raised.value)


def test_mean_reversion_params_dump_validates_again() -> None:
    # Backtest and sessions store every field: a dump must be accepted as it is.
    for strategy in (MeanReversion(), MeanReversion(mode="rsi", oversold=25)):
        again = MeanReversion(**strategy.params.model_dump())
        assert again.params == strategy.params


# ---- pump detection ------------------------------------------------------------------------

PUMP_OPENS = [10.0, 10.0, 10.0, 10.0, 11.5, 11.6, 11.7, 12.9, 13.4, 15.0, 14.0, 14.0]
PUMP_CLOSES = [10.0, 10.0, 10.0, 11.5, 11.6, 11.7, 13.0, 13.5, 15.0, 14.0, 14.0, 14.0]
PUMP_VOLUMES = [1e3, 1e3, 1e3, 3e3, 1e3, 1e3, 5e3, 5e3, 1e4, 1e3, 1e3, 1e3]
PUMP = {
    "window": 3,
    "price_change": 0.10,
    "volume_multiple": 2.0,
    "hold_bars": 2,
    "stop_loss": 0.05,
    "cooldown_bars": 2,
}


def test_pump_detection_hold_cooldown_and_stop(build: Any) -> None:
    # Baseline: the means of the 3 bars before.
    #   t=3: close 11.5 / 10 = 1.15 >= 1.10 and volume 3000 / 1000 = 3 >= 2: a pump -> buy
    #        at t=4's open 11.5: floor(10 000 / 11.5) = 869.
    #   t=4 is the first bar held, t=5 the second (hold_bars 2) -> sell at t=6's open 11.7.
    #   t=6: 13 / mean(11.5 11.6 11.7) = 1.121, 5000 / 1666.7 = 3: a pump, but the exit
    #        filled at t=6, which starts a 2-bar cooldown: t=6 and t=7 take no entry
    #        (t=7: 13.5 / 12.1 = 1.116, 5000 / 2333 = 2.14 is a pump too).
    #   t=8: 15 / mean(11.7 13 13.5) = 1.178, 10000 / 3666.7 = 2.73: a pump -> buy at
    #        t=9's open 15; cash 10 000 + 869 * (11.7 - 11.5) = 10 173.80, /15 -> 678.
    #   t=9: close 14 <= 15 * 0.95 = 14.25: stopped -> sell at t=10's open 14.
    series = bars(build, PUMP_OPENS, PUMP_CLOSES, PUMP_VOLUMES)
    assert fills(series, PumpDetection, PUMP) == [
        (4, "buy", 869, Decimal("11.5")),
        (6, "sell", 869, Decimal("11.7")),
        (9, "buy", 678, Decimal("15")),
        (10, "sell", 678, Decimal("14")),
    ]


def test_pump_detection_without_cooldown_reenters_at_once(build: Any) -> None:
    # cooldown 0: t=6's pump is taken (buy at t=7's open 12.9), held t=7 and t=8, sold at
    # t=9's open; t=8's pump comes while long and is ignored.
    series = bars(build, PUMP_OPENS, PUMP_CLOSES, PUMP_VOLUMES)
    got = fills(series, PumpDetection, {**PUMP, "cooldown_bars": 0})
    assert [(t, side) for t, side, _, _ in got] == [
        (4, "buy"),
        (6, "sell"),
        (7, "buy"),
        (9, "sell"),
    ]


def test_pump_detection_price_alone_or_volume_alone_is_no_pump(build: Any) -> None:
    # t=3 jumps 15 % on normal volume, t=6 triples volume on a flat price.
    closes = [10.0, 10.0, 10.0, 11.5, 11.5, 11.5, 11.5, 11.5]
    volumes = [1e3, 1e3, 1e3, 1e3, 1e3, 1e3, 3e3, 1e3]
    series = bars(build, flat(closes), closes, volumes)
    assert fills(series, PumpDetection, PUMP) == []


def test_pump_detection_without_stop_holds_through_a_drop(build: Any) -> None:
    # stop_loss None: the t=9 drop does not exit; the hold limit does (t=9, t=10 held).
    series = bars(build, PUMP_OPENS, PUMP_CLOSES, PUMP_VOLUMES)
    got = fills(series, PumpDetection, {**PUMP, "stop_loss": None})
    assert [(t, side) for t, side, _, _ in got][2:] == [(9, "buy"), (11, "sell")]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"window": 1}, "'window'"),
        ({"price_change": 0}, "'price_change'"),
        ({"volume_multiple": 1.0}, "'volume_multiple'"),
        ({"hold_bars": 0}, "'hold_bars'"),
        ({"stop_loss": 1.0}, "'stop_loss'"),
        ({"cooldown_bars": -1}, "'cooldown_bars'"),
    ],
)
def test_pump_detection_params_errors_name_the_parameter(params: dict[str, Any], name: str) -> None:
    with pytest.raises(InvalidRequest, match=name):
        PumpDetection(**params)


# ---- sizing across symbols -----------------------------------------------------------------


def test_momentum_two_symbols_split_cash_by_default(build: Any) -> None:
    # Both symbols signal at t=4 (same closes); each entry may spend half the equity:
    # floor(5 000 / 12) = 416 shares each.  allocation 0.25 -> floor(2 500 / 12) = 208.
    aaa = bars(build, MOMENTUM_OPENS, MOMENTUM_CLOSES, symbol="AAA")
    bbb = bars(build, MOMENTUM_OPENS, MOMENTUM_CLOSES, symbol="BBB")
    params = {"lookback": 2, "threshold": 0.10, "exit_threshold": -0.05}
    for extra, qty in (({}, 416), ({"allocation": 0.25}, 208)):
        result = Backtest(
            [aaa, bbb], Momentum, params={**params, **extra}, cash=10_000, execution="ideal"
        ).run()
        buys = [(f.symbol, f.qty) for f in result.fills if f.side.value == "buy"]
        assert buys == [("AAA", qty), ("BBB", qty)]
