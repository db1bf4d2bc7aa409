"""Small sweeps over seeded synthetic bars: a few thousand bars, at most a dozen combinations."""

from __future__ import annotations

from typing import Any

import pytest

from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.sweep.spec import SweepSpec

BARS = 3_000


@pytest.fixture(scope="session")
def bars() -> dict[str, BarSeries]:
    return {"SYN": synthetic_bars("SYN", BARS, seed=7, annual_volatility=0.3)}


def sma_spec(**changes: Any) -> SweepSpec:
    """A 3 x 3 grid of SMA crossovers (three refused: fast not below slow), ideal fills."""
    fields: dict[str, Any] = {
        "strategy": "sma_crossover",
        "symbols": ["SYN"],
        "execution": {"preset": "ideal"},
        "space": {"fast": {"values": [5, 10, 40]}, "slow": {"min": 20, "max": 40, "step": 10}},
        "objective": "total_return",
    }
    return SweepSpec.model_validate({**fields, **changes})
