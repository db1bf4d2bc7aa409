"""Market data: bars, series of bars, loaders, the synthetic generator and bundled samples.

The file loaders (and with them pyarrow) are imported on first use, so code
that never reads a file does not pay for them in start-up time or memory.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars

if TYPE_CHECKING:
    from paperbroker.data.loaders import load_bars, load_bars_with_columns, save_parquet
    from paperbroker.data.samples import available_samples, load_sample, sample_symbols

_LAZY = {
    "load_bars": "paperbroker.data.loaders",
    "load_bars_with_columns": "paperbroker.data.loaders",
    "save_parquet": "paperbroker.data.loaders",
    "available_samples": "paperbroker.data.samples",
    "load_sample": "paperbroker.data.samples",
    "sample_symbols": "paperbroker.data.samples",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
