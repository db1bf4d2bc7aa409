"""Sessions: a kernel on a simulation clock, bound to a durable journal."""

from paperbroker.session.market import Asset, MarketData
from paperbroker.session.runtime import SessionRuntime, SessionSpec

__all__ = ["Asset", "MarketData", "SessionRuntime", "SessionSpec"]
