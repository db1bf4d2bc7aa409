"""paperbroker: one trading engine for backtests, paper trading and live sessions."""

__version__ = "0.1.0"
