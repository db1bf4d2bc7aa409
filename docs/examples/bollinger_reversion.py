"""A custom strategy: buy a close below the lower Bollinger band, sell at the middle.

Used by docs/backtesting.md; run it with

    paperbroker backtest --strategy docs/examples/bollinger_reversion.py:BollingerReversion \
        --symbols IBM --start 2005-01-01 --end 2012-12-31
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from paperbroker import Bar, Strategy, StrategyParams
from paperbroker.strategy import rolling_std, sma


def lower_band(close: np.ndarray, window: int, width: float) -> np.ndarray:
    """The lower Bollinger band: moving average minus ``width`` standard deviations."""
    return sma(close, window) - width * rolling_std(close, window)


class BollingerReversionParams(StrategyParams):
    window: int = Field(20, ge=2, description="bars in the moving average and deviation")
    width: float = Field(2.0, gt=0, description="band width in standard deviations")


class BollingerReversion(Strategy):
    """Long only: enter below the lower band, exit at the moving average."""

    name = "bollinger_reversion"
    Params = BollingerReversionParams
    params: BollingerReversionParams

    def on_start(self) -> None:
        p = self.params
        self.middle = {s: self.ctx.indicator(s, sma, p.window) for s in self.ctx.symbols}
        self.lower = {
            s: self.ctx.indicator(s, lower_band, p.window, p.width) for s in self.ctx.symbols
        }

    def on_bar(self, bar: Bar) -> None:
        position = self.ctx.position(bar.symbol)
        if not position.qty and bar.close < self.lower[bar.symbol][-1]:
            budget = self.ctx.cash / len(self.ctx.symbols)
            qty = self.ctx.affordable_qty(bar.symbol, price=bar.close, budget=budget)
            if qty > 0:
                self.ctx.buy(bar.symbol, qty)
        elif position.qty > 0 and bar.close >= self.middle[bar.symbol][-1]:
            self.ctx.close_position(bar.symbol)
