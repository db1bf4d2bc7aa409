"""How the reports name and format each metric: a label per known field, the field's own
name for any other (so a metric added to :class:`Metrics` shows up at once)."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Final

LABELS: Final = {
    "start_ts": "Start", "end_ts": "End", "start": "Start", "end": "End",
    "initial_cash": "Initial cash", "final_equity": "Final equity",
    "total_return": "Total return", "annualized_return": "Annualized return", "cagr": "CAGR",
    "volatility_annual": "Volatility (annual)", "sharpe": "Sharpe ratio",
    "sortino": "Sortino ratio", "calmar": "Calmar ratio", "omega": "Omega ratio",
    "max_drawdown": "Max drawdown", "max_drawdown_duration_ns": "Max drawdown duration",
    "max_drawdown_duration_seconds": "Max drawdown duration",
    "recovery_seconds": "Time to recover", "recovery_ns": "Time to recover",
    "var_95": "VaR 95 %", "var_99": "VaR 99 %", "es_95": "Expected shortfall 95 %",
    "es_99": "Expected shortfall 99 %", "trading_days_per_year": "Trading days a year",
    "num_trades": "Trades (closed)", "num_open_trades": "Trades (open)", "trades": "Trades",
    "win_rate": "Win rate", "profit_factor": "Profit factor", "expectancy": "Expectancy",
    "avg_trade_pnl": "Average trade P&L", "avg_win": "Average win", "avg_loss": "Average loss",
    "largest_win": "Largest win", "largest_loss": "Largest loss",
    "best_trade_return": "Best trade", "worst_trade_return": "Worst trade",
    "longest_win_streak": "Longest win streak", "longest_loss_streak": "Longest loss streak",
    "trades_per_day": "Trades a day", "avg_holding_seconds": "Average holding time",
    "avg_holding_ns": "Average holding time", "exposure": "Exposure", "turnover": "Turnover",
    "fees": "Fees", "slippage_cost": "Slippage paid", "alpha": "Alpha", "beta": "Beta",
    "benchmark_return": "Benchmark return", "fill_ratio": "Fill ratio",
    "avg_slippage_bps": "Average slippage (bps)", "avg_latency_seconds": "Average latency (s)",
    "risk_free_rate": "Risk-free rate",
}  # fmt: skip

#: Ratios shown as percentages (the rest of the floats as plain numbers).
PERCENT: Final = frozenset({
    "total_return", "annualized_return", "cagr", "volatility_annual", "max_drawdown",
    "var_95", "var_99", "es_95", "es_99", "win_rate", "best_trade_return",
    "worst_trade_return", "exposure", "benchmark_return", "fill_ratio", "alpha", "risk_free_rate",
})  # fmt: skip
_NS_PER_SECOND: Final = 1_000_000_000


def label(name: str) -> str:
    """The metric's label, or its field name when it has none."""
    return LABELS.get(name, name.replace("_", " "))


def format_metric(name: str, value: object) -> str:
    """A metric's value as a reader wants it: percentages, durations, plain digits."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return _number_text(name, value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        if name.endswith("_ns"):
            return str(timedelta(microseconds=value // 1000))
        if name.endswith("_seconds"):
            return str(timedelta(seconds=value))
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        number = float(value)
        if math.isnan(number):
            return "-"
        if math.isinf(number):
            return "∞" if number > 0 else "-∞"
        if name.endswith("_seconds"):
            return str(timedelta(seconds=round(number, 3)))
        if name in PERCENT:
            return f"{number:.2%}"
        return f"{number:,.4g}" if abs(number) < 1e4 else f"{number:,.2f}"
    return str(value)


def _number_text(name: str, value: str) -> str:
    """A string metric: ``inf``/``nan`` and ratios written as decimal strings (the API's
    form) are formatted like the floats; money (exact decimal strings) to the cent."""
    if value in ("inf", "-inf", "nan") or name in PERCENT or name.endswith("_seconds"):
        try:
            return format_metric(name, float(value))
        except ValueError:
            return value
    try:
        amount = Decimal(value)
    except ArithmeticError:  # not a number: a time, a name
        return value
    # Money: to the cent for reading (the exports keep every digit).
    return f"{amount:,.2f}" if amount.is_finite() else value
