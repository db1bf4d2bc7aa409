"""Market data: bars, series of bars, loaders, the synthetic generator and bundled samples."""

from paperbroker.data.bar import Bar
from paperbroker.data.loaders import load_bars, load_bars_with_columns, save_parquet
from paperbroker.data.samples import available_samples, load_sample, sample_symbols
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars

__all__ = [
    "Bar",
    "BarSeries",
    "available_samples",
    "load_bars",
    "load_bars_with_columns",
    "load_sample",
    "sample_symbols",
    "save_parquet",
    "synthetic_bars",
]
