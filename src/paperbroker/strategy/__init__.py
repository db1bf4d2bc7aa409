"""The strategy API: a class with ``on_start``, ``on_bar`` and ``on_fill``, and a context."""

from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.indicators import (
    Series,
    bollinger_lower,
    bollinger_upper,
    crossover,
    ema,
    roc,
    rolling_std,
    rsi,
    sma,
    sma_cross,
    spike_ratio,
)
from paperbroker.strategy.mean_reversion import MeanReversion
from paperbroker.strategy.momentum import Momentum
from paperbroker.strategy.pump import PumpDetection
from paperbroker.strategy.sentiment_momentum import SentimentMomentum, SentimentTimeline

__all__ = [
    "MeanReversion",
    "Momentum",
    "PumpDetection",
    "SentimentMomentum",
    "SentimentTimeline",
    "Series",
    "Strategy",
    "StrategyParams",
    "bollinger_lower",
    "bollinger_upper",
    "crossover",
    "ema",
    "roc",
    "rolling_std",
    "rsi",
    "sma",
    "sma_cross",
    "spike_ratio",
]
