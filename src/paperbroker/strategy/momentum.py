"""Momentum: ride a rate of change above a threshold, leave when it fades."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import Field, model_validator

from paperbroker.strategy.base import StrategyParams
from paperbroker.strategy.common import LongOnly, allocation_field, buffer_field
from paperbroker.strategy.indicators import Series, roc

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar


class MomentumParams(StrategyParams):
    lookback: int = Field(
        20, ge=1, description="bars back to the close compared: ROC = close / close[-lookback] - 1"
    )
    threshold: float = Field(
        0.05, gt=-1, description="enter when flat and ROC is above this (0.05 = +5 %)"
    )
    exit_threshold: float = Field(
        0.0, gt=-1, description="exit when long and ROC is below this (at most threshold)"
    )
    allocation: float | None = allocation_field()
    buffer: float = buffer_field()

    @model_validator(mode="after")
    def _exit_not_above_entry(self) -> MomentumParams:
        if self.exit_threshold > self.threshold:
            raise ValueError(
                f"exit_threshold ({self.exit_threshold}) must not exceed "
                f"threshold ({self.threshold})"
            )
        return self


class Momentum(LongOnly):
    """Rate-of-change momentum, long only.

    At each bar's close, with ``roc = close / close[lookback bars ago] - 1``:
    when flat and ``roc > threshold``, buy as much as the allocation affords
    (market order, filled at the next bar's open); when long and
    ``roc < exit_threshold``, sell everything.  Between the two thresholds the
    position is kept, so a rate hovering around one level does not churn.
    No signal in the first ``lookback`` bars.

    Sizing: an entry takes ``allocation`` of the equity less ``buffer`` of it
    kept free, sized at the signal bar's close and trimmed at the fill (see
    :func:`~paperbroker.strategy.common.entry_qty`).
    """

    name = "momentum"
    # Declared wide so that subclasses may extend the parameters.
    Params: ClassVar[type[StrategyParams]] = MomentumParams
    params: MomentumParams
    #: Its signals are indicators and its positions the books'.
    keeps_no_state = True

    def on_start(self) -> None:
        ctx = self.ctx
        p = self.params
        self.setup_sizing(p.allocation, p.buffer)
        self.roc: dict[str, Series] = {s: ctx.indicator(s, roc, p.lookback) for s in ctx.symbols}

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        rate = self.roc[symbol][-1]
        if rate != rate:  # NaN: still warming up
            return
        p = self.params
        if self.positions[symbol].qty > 0:
            if rate < p.exit_threshold or self.exit_early(symbol):
                self.leave(symbol)
        elif rate > p.threshold and self.entry_allowed(symbol):
            self.enter(symbol, bar.close)

    def entry_allowed(self, symbol: str) -> bool:
        """A further condition on entries (none here; subclasses add filters)."""
        return True

    def exit_early(self, symbol: str) -> bool:
        """A further reason to exit (none here; subclasses add one)."""
        return False
