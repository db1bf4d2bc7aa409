"""paperbroker: one trading engine for backtests, paper trading and live sessions.

The names below are imported on first use: ``import paperbroker`` (and with it
the command line's ``--help``) does not load the engine, NumPy or pydantic.
"""

from typing import TYPE_CHECKING

from paperbroker import _native
from paperbroker.core.lazy import lazy_attributes

_native.install()  # before any module of the compiled hot path is imported

if TYPE_CHECKING:
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

__getattr__ = lazy_attributes(
    __name__,
    {
        "Backtest": "paperbroker.engine.backtest",
        "BacktestResult": "paperbroker.engine.result",
        "Bar": "paperbroker.data.bar",
        "BarSeries": "paperbroker.data.series",
        "BuyAndHold": "paperbroker.strategy.builtin",
        "Instrument": "paperbroker.model.instrument",
        "SmaCrossover": "paperbroker.strategy.builtin",
        "Strategy": "paperbroker.strategy.base",
        "StrategyContext": "paperbroker.engine.context",
        "StrategyParams": "paperbroker.strategy.base",
    },
)
