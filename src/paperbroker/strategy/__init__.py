"""The strategy API: a class with ``on_start``, ``on_bar`` and ``on_fill``, and a context."""

from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.indicators import Series, crossover, ema, rolling_std, sma, sma_cross

__all__ = [
    "Series",
    "Strategy",
    "StrategyParams",
    "crossover",
    "ema",
    "rolling_std",
    "sma",
    "sma_cross",
]
