"""Sessions: a kernel on a simulation clock, bound to a durable journal.

The names are imported on first use: a module that needs only the lifecycle
(``paperbroker.session.lifecycle``) does not load the runtime and the store.
"""

from typing import TYPE_CHECKING

from paperbroker.core.lazy import lazy_attributes

if TYPE_CHECKING:
    from paperbroker.session.market import Asset, MarketData
    from paperbroker.session.runtime import SessionRuntime, SessionSpec

__all__ = ["Asset", "MarketData", "SessionRuntime", "SessionSpec"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "Asset": "paperbroker.session.market",
        "MarketData": "paperbroker.session.market",
        "SessionRuntime": "paperbroker.session.runtime",
        "SessionSpec": "paperbroker.session.runtime",
    },
)
