"""Analytics: round-trip trades from fills and performance metrics of a run."""

from paperbroker.analytics.drawdowns import drawdown, max_drawdown_duration
from paperbroker.analytics.metrics import Metrics, compute_metrics, exposure_from_trades
from paperbroker.analytics.returns import (
    daily_last,
    infer_trading_days_per_year,
    sharpe_ratio,
    simple_returns,
    sortino_ratio,
)
from paperbroker.analytics.trades import Direction, Trade, build_trades, split_fee

__all__ = [
    "Direction",
    "Metrics",
    "Trade",
    "build_trades",
    "compute_metrics",
    "daily_last",
    "drawdown",
    "exposure_from_trades",
    "infer_trading_days_per_year",
    "max_drawdown_duration",
    "sharpe_ratio",
    "simple_returns",
    "sortino_ratio",
    "split_fee",
]
