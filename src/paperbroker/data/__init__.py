"""Market data: bars, series of bars, loaders, the synthetic generator and bundled samples.

Every name is imported on first use, so code that never reads a file does not
pay for the loaders (and pyarrow), nor code that needs one module for NumPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperbroker.core.lazy import lazy_attributes

if TYPE_CHECKING:
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

__getattr__ = lazy_attributes(
    __name__,
    {
        "Bar": "paperbroker.data.bar",
        "BarSeries": "paperbroker.data.series",
        "synthetic_bars": "paperbroker.data.synthetic",
        "load_bars": "paperbroker.data.loaders",
        "load_bars_with_columns": "paperbroker.data.loaders",
        "save_parquet": "paperbroker.data.loaders",
        "available_samples": "paperbroker.data.samples",
        "load_sample": "paperbroker.data.samples",
        "sample_symbols": "paperbroker.data.samples",
    },
)
