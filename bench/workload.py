"""The benchmark workload: seeded synthetic bars, shared SMA inputs, trade records.

Every engine runs on the very same arrays.  The bars come from paperbroker's
:func:`~paperbroker.data.synthetic_bars` (a seeded geometric random walk on a
one-cent grid in which every bar opens at the previous bar's close, so
``open[t+1] == close[t]`` exactly); the peers get them as a pandas DataFrame
indexed by each bar's *open* time (``ts - duration``).  The two moving averages
are computed once with :func:`paperbroker.strategy.indicators.sma`, the
function paperbroker's ``SmaCrossover`` uses itself, and handed to the peers as
precomputed columns, so no engine can disagree because of float summation order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from paperbroker.data import synthetic_bars
from paperbroker.strategy.indicators import sma

if TYPE_CHECKING:
    import pandas as pd

    from paperbroker import BarSeries

FloatArray = npt.NDArray[np.float64]

FAST = 10
SLOW = 30
CASH = 100_000
SEED = 42


@dataclass(frozen=True)
class Dataset:
    """One workload: ``symbols`` series of ``bars`` bars each, seeds ``SEED, SEED+1, ...``."""

    name: str
    symbols: int
    bars: int

    @property
    def total_bars(self) -> int:
        return self.symbols * self.bars

    def describe(self) -> str:
        if self.symbols == 1:
            return f"1 symbol x {self.bars:,} one-minute bars (seed {SEED})"
        return (
            f"{self.symbols} symbols x {self.bars:,} one-minute bars "
            f"(seeds {SEED}..{SEED + self.symbols - 1}), {self.symbols} independent cash sleeves"
        )


DATASETS: dict[str, Dataset] = {
    "A": Dataset("A", 1, 1_000_000),
    "B": Dataset("B", 10, 100_000),
}
QUICK_DATASETS: dict[str, Dataset] = {
    "A": Dataset("A", 1, 100_000),
    "B": Dataset("B", 10, 10_000),
}

SLEEVE_DEFINITION = (
    "Multi-symbol workloads are run as independent sleeves: each symbol trades "
    "from its own cash sleeve (initial cash / number of symbols, plus that symbol's "
    "realized P&L net of fees) and sizes each entry as "
    "floor(sleeve_cash / (close * (1 + fee))). This equals N separate single-symbol "
    "runs with cash / N each: backtesting.py (one instrument per run) runs N times and "
    "its times are summed; backtrader and paperbroker run once over all N series."
)


def get_dataset(name: str, *, quick: bool = False) -> Dataset:
    table = QUICK_DATASETS if quick else DATASETS
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r} (known: {', '.join(table)})") from None


def make_series(dataset: Dataset) -> list[BarSeries]:
    """The dataset's bar series: symbols ``S0..S{n-1}`` with seeds ``42, 43, ...``."""
    series = [synthetic_bars(f"S{i}", dataset.bars, seed=SEED + i) for i in range(dataset.symbols)]
    for s in series:
        # The benchmark's fills-at-next-open == signal-close premise: check, don't assume.
        assert np.array_equal(s.open[1:], s.close[:-1]), f"{s.symbol}: open[t+1] != close[t]"
    return series


def sma_pair(
    series: BarSeries, fast: int = FAST, slow: int = SLOW
) -> tuple[FloatArray, FloatArray]:
    """The fast and slow SMAs of closes, exactly as paperbroker's SmaCrossover computes them."""
    close = np.asarray(series.close, dtype=np.float64)
    return sma(close, fast), sma(close, slow)


def to_frame(series: BarSeries, fast: int = FAST, slow: int = SLOW) -> pd.DataFrame:
    """OHLCV plus ``fast``/``slow`` SMA columns, indexed by bar *open* time (UTC-naive)."""
    import pandas as pd

    fast_values, slow_values = sma_pair(series, fast, slow)
    index = pd.DatetimeIndex(np.asarray(series.ts, dtype=np.int64) - series.duration_ns)
    return pd.DataFrame(
        {
            "Open": np.asarray(series.open, dtype=np.float64),
            "High": np.asarray(series.high, dtype=np.float64),
            "Low": np.asarray(series.low, dtype=np.float64),
            "Close": np.asarray(series.close, dtype=np.float64),
            "Volume": np.asarray(series.volume, dtype=np.float64),
            "fast": fast_values,
            "slow": slow_values,
        },
        index=index,
    )


def fee_decimal(fee: float) -> Decimal:
    return Decimal(repr(fee))


@dataclass(frozen=True, order=True)
class TradeRecord:
    """One round trip in engine-neutral terms.

    ``entry_bar``/``exit_bar`` index the bar whose open filled the order (the
    bar after the signal bar); prices are the fill prices as floats (on the
    cent grid, so they are exactly the bar opens); ``exit_bar``/``exit_price``
    are ``None`` for a trade still open at the end.  ``budget`` (not compared)
    is the repr of the float cash a peer sized the entry from, for diagnosis.
    """

    symbol: str
    entry_bar: int
    exit_bar: int | None
    size: int
    entry_price: float
    exit_price: float | None
    budget: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Outcome:
    """What one engine produced on one workload."""

    engine: str
    final_equity: Decimal
    closed_trades: int
    trades: list[TradeRecord]
    bars: int
    seconds: float

    def trades_digest(self) -> str:
        """SHA-256 over the sorted trade records (symbol, bars, size, prices)."""
        digest = hashlib.sha256()
        for t in sorted(self.trades, key=lambda t: (t.symbol, t.entry_bar)):
            digest.update(
                f"{t.symbol}|{t.entry_bar}|{t.exit_bar}|{t.size}|"
                f"{t.entry_price!r}|{t.exit_price!r}\n".encode()
            )
        return digest.hexdigest()


def money(value: float | Decimal) -> Decimal:
    """A float account value as the Decimal of its shortest repr (no binary artefacts)."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def equity_matches(a: Decimal, b: Decimal) -> bool:
    """Agreement to the cent: the two values differ by less than half a cent."""
    return abs(a - b) < Decimal("0.005")
