"""The New York Stock Exchange calendar (XNYS) for the data layer.

The calendar itself lives with the trading domain
(:mod:`paperbroker.model.calendar`), since an instrument's trading hours
follow it; these are its names, so that readers of market data (the
Alpaca clock and calendar routes, account history) find it beside the bars.
"""

from __future__ import annotations

from paperbroker.model.calendar import (
    COVERAGE_END,
    COVERAGE_START,
    NEW_YORK,
    ExchangeCalendar,
    TradingDay,
    xnys,
)

__all__ = ["COVERAGE_END", "COVERAGE_START", "NEW_YORK", "ExchangeCalendar", "TradingDay", "xnys"]
