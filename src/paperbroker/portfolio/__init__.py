"""Accounting from fills: cash, positions, P&L, buying power and the equity curve."""

from paperbroker.portfolio.equity import EquityCurve
from paperbroker.portfolio.portfolio import Portfolio

__all__ = ["EquityCurve", "Portfolio"]
