"""paperbroker: one trading engine for backtests, paper trading and live sessions."""

from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.context import StrategyContext
from paperbroker.engine.result import BacktestResult
from paperbroker.model.instrument import Instrument
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.builtin import BuyAndHold, SmaCrossover

__all__ = [
    "Backtest",
    "BacktestResult",
    "Bar",
    "BarSeries",
    "BuyAndHold",
    "Instrument",
    "SmaCrossover",
    "Strategy",
    "StrategyContext",
    "StrategyParams",
]
__version__ = "0.1.0"
