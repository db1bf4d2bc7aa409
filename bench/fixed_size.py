"""The benchmark's SMA crossover at a fixed size, so every execution model sees the same orders."""

from __future__ import annotations

from paperbroker import Strategy
from paperbroker.data.bar import Bar
from paperbroker.strategy.base import StrategyParams
from paperbroker.strategy.indicators import sma_cross


class FixedSizeParams(StrategyParams):
    fast: int = 10
    slow: int = 30
    size: int = 100


class FixedSizeSmaCrossover(Strategy):
    """Buy ``size`` shares when the fast SMA crosses above the slow one; sell on the cross down."""

    Params = FixedSizeParams
    params: FixedSizeParams

    def on_start(self) -> None:
        p = self.params
        self._signal = {
            s: self.ctx.indicator(s, sma_cross, p.fast, p.slow) for s in self.ctx.symbols
        }

    def on_bar(self, bar: Bar) -> None:
        signal = self._signal[bar.symbol][-1]
        if not signal:
            return
        held = self.ctx.position(bar.symbol).qty
        if signal > 0 and not held and not self.ctx.open_orders(bar.symbol):
            self.ctx.buy(bar.symbol, self.params.size)
        elif signal < 0 and held > 0:
            self.ctx.close_position(bar.symbol)
