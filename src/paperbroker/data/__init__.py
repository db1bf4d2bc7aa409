"""Market data: bars, series of bars, loaders, the synthetic generator and bundled samples."""

from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries

__all__ = ["Bar", "BarSeries"]
