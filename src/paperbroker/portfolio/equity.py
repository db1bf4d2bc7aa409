"""The equity curve: equity sampled at every bar, built from the fill ledger.

Cash and positions change only at fills, so between fills equity is cash plus
positions times their marks (:mod:`paperbroker.portfolio.marks`, the prices
the books value at).  Recording the (rare) fills and valuing every bar
afterwards with vector arithmetic gives the same per-bar curve as valuing
inside the loop, without slowing the loop down.  Values are floats: the
curve is analytics; the exact books stay in ``Decimal``, and the curve's
last point is the books' final equity to float precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from paperbroker.core.clock import ns_to_text
from paperbroker.data.ticks import grid_floats
from paperbroker.portfolio.marks import PriceTrack

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EquityCurve:
    """Equity after each bar close time ``ts`` (epoch ns).

    ``exposed`` marks the samples at which some position was open.
    """

    ts: IntArray
    equity: FloatArray
    exposed: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def __repr__(self) -> str:
        if not len(self):
            return "EquityCurve(0 samples)"
        first, last = float(self.equity[0]), float(self.equity[-1])
        return (
            f"EquityCurve({len(self):,} samples {ns_to_text(int(self.ts[0]))} – "
            f"{ns_to_text(int(self.ts[-1]))}, equity {first!r} → {last!r})"
        )


class FillLedger:
    """Cash and position changes in fill order, enough to value any bar afterwards."""

    __slots__ = ("_cash", "_deltas", "_instrument", "_ts", "initial_cash")

    def __init__(self, initial_cash: float) -> None:
        self.initial_cash = initial_cash
        self._ts: list[int] = []
        self._instrument: list[int] = []
        self._deltas: list[Decimal] = []
        self._cash: list[Decimal] = []

    def record(self, ts: int, instrument: int, signed_qty: Decimal, cash_after: Decimal) -> None:
        self._ts.append(ts)
        self._instrument.append(instrument)
        self._deltas.append(signed_qty)
        self._cash.append(cash_after)

    def to_state(self) -> dict[str, Any]:
        """The fills recorded so far, for a checkpoint (decimals as their text)."""
        return {
            "ts": list(self._ts),
            "instrument": list(self._instrument),
            "deltas": [str(d) for d in self._deltas],
            "cash": [str(c) for c in self._cash],
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Hold the fills :meth:`to_state` wrote instead of the ones recorded."""
        self._ts = [int(t) for t in state["ts"]]
        self._instrument = [int(i) for i in state["instrument"]]
        self._deltas = [Decimal(d) for d in state["deltas"]]
        self._cash = [Decimal(c) for c in state["cash"]]

    def equity_curve(self, sample_ts: IntArray, tracks: Sequence[PriceTrack]) -> EquityCurve:
        """Value the account at each of ``sample_ts`` (sorted bar close times).

        ``tracks[i]`` is instrument i's bars (only bars up to the last sample
        are used); each position is valued at its marks.  A fill stamped at
        ``t`` counts in the sample at ``t``: it happened while that bar was
        processed.
        """
        fill_ts = np.asarray(self._ts, dtype=np.int64)
        count = len(self._cash)
        cash = np.fromiter(map(float, self._cash), dtype=np.float64, count=count)
        cash_steps = np.concatenate(([self.initial_cash], cash))
        after = _fills_by(fill_ts, sample_ts)
        equity = cash_steps[after]
        exposed = np.zeros(sample_ts.shape[0], dtype=np.bool_)
        instruments = np.asarray(self._instrument, dtype=np.int64)
        deltas = np.fromiter(map(float, self._deltas), dtype=np.float64, count=count)
        traded = sorted(set(self._instrument))
        for index in traded:
            if len(traded) == 1:  # every fill is this instrument's
                held = np.concatenate(([0.0], np.cumsum(deltas)))
                qty = held[after]
            else:
                mine = instruments == index
                held = np.concatenate(([0.0], np.cumsum(deltas[mine])))
                qty = held[_fills_by(fill_ts[mine], sample_ts)]
            equity = equity + qty * _marks_at(sample_ts, tracks[index])
            exposed |= qty != 0
        return EquityCurve(sample_ts, equity, exposed)


def _fills_by(fill_ts: IntArray, sample_ts: IntArray) -> npt.NDArray[np.intp]:
    """How many of the fills stamped ``fill_ts`` (sorted) count in each sample:
    ``searchsorted(fill_ts, sample_ts, side="right")``, as a running count of the
    fills landing at each sample (the first at or after them), which is faster when
    samples far outnumber fills."""
    n = sample_ts.shape[0]
    landing = np.searchsorted(sample_ts, fill_ts, side="left")
    counts: npt.NDArray[np.intp] = np.cumsum(np.bincount(landing, minlength=n + 1)[:n])
    return counts


def _marks_at(sample_ts: IntArray, track: PriceTrack) -> FloatArray:
    """The instrument's marks at each sample time (0 before its first bar)."""
    n = sample_ts.shape[0]
    ts = track.ts
    # The samples are the union of every instrument's bar times; an instrument
    # with as many bars spanning the same times has a bar at every sample, and
    # unless its bars overlap, none is in progress at another's close.
    same_times = ts.shape[0] >= n and n and ts[n - 1] == sample_ts[-1] and ts[0] == sample_ts[0]
    if same_times and not np.any(ts[1:n] - track.duration_ns < ts[: n - 1]):
        return grid_floats(track.close[:n], track.tick)
    return track.marks(sample_ts)
