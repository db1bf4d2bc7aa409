"""The strategy's view of the world: history, indicators, parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import numpy as np
import pytest
from pydantic import Field

from paperbroker.core.errors import InvalidRequest, LookAheadError
from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy import Series, ema, rolling_std, sma
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.builtin import BuyAndHold, SmaCrossover
from paperbroker.strategy.indicators import compute_indicator
from paperbroker.strategy.registry import resolve_strategy


def closes(n: int) -> list[tuple[float, float, float, float]]:
    # Bar i closes at 100 + i (opens there too): distinct, easy to recognise.
    return [(100.0 + i, 100.5 + i, 99.5 + i, 100.0 + i) for i in range(n)]


def two_symbols(build: Any, n: int = 6) -> tuple[Any, Any, list[int]]:
    """AAA closes at 10:00, 10:02, ... and BBB at 10:01, 10:03, ... (interleaved)."""
    t = build.minute_ts(2 * n, datetime(2024, 1, 2, 10, 0, tzinfo=build.NEW_YORK))
    aaa = build.series(closes(n), ts=t[0::2], freq="minute", symbol="AAA")
    bbb = build.series(
        [(r[0] + 100, r[1] + 100, r[2] + 100, r[3] + 100) for r in closes(n)],
        ts=t[1::2], freq="minute", symbol="BBB",
    )  # fmt: skip
    return aaa, bbb, t


class _Observer(Strategy):
    """Records what history and indicators show at every bar."""

    records: ClassVar[list[dict[str, Any]]] = []

    def on_start(self) -> None:
        type(self).records = []
        self.fast: dict[str, Series] = {s: self.ctx.indicator(s, sma, 2) for s in self.ctx.symbols}
        self.highs = {s: self.ctx.indicator(s, np.maximum.accumulate, source="high")
                      for s in self.ctx.symbols}  # fmt: skip

    def on_bar(self, bar: Bar) -> None:
        record: dict[str, Any] = {"bar": bar, "now": self.ctx.now_ns}
        for symbol in self.ctx.symbols:
            history = self.ctx.history(symbol)
            record[symbol] = {
                "ts": history.ts.tolist(),
                "close": history.close.tolist(),
                "last2": self.ctx.history(symbol, 2).close.tolist(),
                "sma2": list(self.fast[symbol]),
                "high_max": list(self.highs[symbol]),
            }
        type(self).records.append(record)


def test_context_history_never_includes_future_bars(build: Any) -> None:
    aaa, bbb, t = two_symbols(build)
    Backtest([aaa, bbb], _Observer, execution="ideal").run()
    records = _Observer.records
    assert [r["bar"].ts for r in records] == t
    for record in records:
        now = record["now"]
        assert now == record["bar"].ts
        for symbol, series in (("AAA", aaa), ("BBB", bbb)):
            visible = [int(x) for x in series.ts if x <= now]
            seen = record[symbol]
            assert seen["ts"] == visible  # exactly the bars closed by now, no more
            assert seen["close"] == series.close[: len(visible)].tolist()
            assert seen["last2"] == seen["close"][-2:]


def test_context_indicator_series_grows_with_bars_seen(build: Any) -> None:
    aaa, bbb, _ = two_symbols(build)
    Backtest([aaa, bbb], _Observer, execution="ideal").run()
    for record in _Observer.records:
        for symbol in ("AAA", "BBB"):
            seen = record[symbol]
            n = len(seen["ts"])
            assert len(seen["sma2"]) == len(seen["high_max"]) == n
            if n >= 2:  # sma(2) of the last two closes, by hand
                assert seen["sma2"][-1] == (seen["close"][-1] + seen["close"][-2]) / 2
            if n:
                assert seen["high_max"][-1] == max(c + 0.5 for c in seen["close"])


class _Peeker(Strategy):
    class Params(StrategyParams):
        how: str = "roll"

    params: Params

    def on_start(self) -> None:
        symbol = self.ctx.symbols[0]
        if self.params.how == "roll":
            self.ctx.indicator(symbol, lambda x: np.roll(x, -1))
        elif self.params.how == "centered":
            self.ctx.indicator(symbol, lambda x: np.convolve(x, np.ones(3) / 3, mode="same"))
        elif self.params.how == "shape":
            self.ctx.indicator(symbol, lambda x: x[1:])
        elif self.params.how == "source":
            self.ctx.indicator(symbol, sma, 3, source="vwap")


@pytest.mark.parametrize("how", ["roll", "centered"])
def test_context_look_ahead_indicator_raises_look_ahead_error(build: Any, how: str) -> None:
    series = build.series(closes(30))
    with pytest.raises(LookAheadError, match="uses future prices"):
        Backtest(series, _Peeker, params={"how": how}, execution="ideal").run()


@pytest.mark.parametrize(("how", "message"), [("shape", "one value per bar"), ("source", "vwap")])
def test_context_bad_indicator_raises_invalid_request(build: Any, how: str, message: str) -> None:
    series = build.series(closes(30))
    with pytest.raises(InvalidRequest, match=message):
        Backtest(series, _Peeker, params={"how": how}, execution="ideal").run()


def test_compute_indicator_causal_functions_accepted() -> None:
    prices = np.linspace(10.0, 40.0, 31)
    for fn, args in ((sma, (5,)), (ema, (5,)), (rolling_std, (5,)), (np.cumsum, ())):
        values = compute_indicator(fn, prices, *args)
        assert values.shape == prices.shape


def test_indicators_small_input_equal_hand_values() -> None:
    prices = np.array([1.0, 2.0, 4.0, 8.0])
    assert np.array_equal(sma(prices, 2), [np.nan, 1.5, 3.0, 6.0], equal_nan=True)
    # ema span 3: alpha 0.5; 1, 1.5, 2.75, 5.375
    assert ema(prices, 3).tolist() == [1.0, 1.5, 2.75, 5.375]
    assert np.allclose(rolling_std(prices, 2)[1:], [np.sqrt(0.5), np.sqrt(2), np.sqrt(8)])
    with pytest.raises(InvalidRequest, match="window"):
        sma(prices, 0)


# ---- parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"fast": 0}, ["'fast'"]),
        ({"fast": "ten"}, ["'fast'"]),
        ({"slow": 1}, ["'slow'"]),
        ({"allocation": 1.5}, ["'allocation'"]),
        ({"fast": 30, "slow": 10}, ["fast", "slow"]),
        ({"bogus": 1}, ["'bogus'", "fast, slow, allocation"]),
    ],
)
def test_strategy_params_validation_error_names_the_param(
    params: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        SmaCrossover(**params)
    for name in names:
        assert name in str(raised.value)


def test_strategy_params_validated_by_backtest_too(build: Any) -> None:
    series = build.series(closes(5))
    with pytest.raises(InvalidRequest, match="'slow'"):
        Backtest(series, SmaCrossover, params={"slow": 1}, execution="ideal")
    with pytest.raises(InvalidRequest, match="either to the strategy or to Backtest"):
        Backtest(series, SmaCrossover(fast=2, slow=3), params={"fast": 2}, execution="ideal")


class _Typed(Strategy):
    class Params(StrategyParams):
        window: int = Field(5, ge=2)
        label: str = "x"

    params: Params


def test_strategy_params_coerced_frozen_and_shown_in_repr() -> None:
    strategy = _Typed(window="7")
    assert strategy.params.window == 7
    assert repr(strategy) == "_Typed(window=7, label='x')"
    with pytest.raises(Exception, match="frozen"):
        strategy.params.window = 3  # type: ignore[misc]
    with pytest.raises(InvalidRequest, match="'window'"):
        _Typed(window=1)


def test_registry_builtin_names_resolve_unknown_raises() -> None:
    assert resolve_strategy("sma_crossover") is SmaCrossover
    assert resolve_strategy("buy_and_hold") is BuyAndHold
    with pytest.raises(InvalidRequest, match=r"unknown strategy 'nope'.* or path/to/file.py"):
        resolve_strategy("nope")  # the command line may run a file
    with pytest.raises(InvalidRequest, match="unknown strategy 'nope'") as by_name:
        resolve_strategy("nope", files=False)  # a server's sessions may not
    assert "file" not in str(by_name.value)
