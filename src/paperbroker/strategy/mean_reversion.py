"""Mean reversion: buy what has fallen too far, sell when it has come back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from paperbroker.strategy.base import StrategyParams
from paperbroker.strategy.common import LongOnly, allocation_field, buffer_field
from paperbroker.strategy.indicators import Series, bollinger_lower, rsi, sma

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar

_BOLLINGER_ONLY = ("window", "num_std")
_RSI_ONLY = ("rsi_period", "oversold", "overbought")


class MeanReversionParams(StrategyParams):
    mode: Literal["bollinger", "rsi"] = Field(
        "bollinger", description="the oversold test: Bollinger bands or Wilder's RSI"
    )
    window: int = Field(20, ge=2, description="bollinger: bars in the middle band (SMA)")
    num_std: float = Field(
        2.0, gt=0, description="bollinger: lower band = SMA - num_std population deviations"
    )
    rsi_period: int = Field(14, ge=2, description="rsi: bars in Wilder's smoothing")
    oversold: float = Field(30.0, gt=0, lt=100, description="rsi: enter when RSI is below this")
    overbought: float = Field(70.0, gt=0, lt=100, description="rsi: exit when RSI is above this")
    allocation: float | None = allocation_field()
    buffer: float = buffer_field()

    @model_validator(mode="after")
    def _consistent(self) -> MeanReversionParams:
        foreign = _RSI_ONLY if self.mode == "bollinger" else _BOLLINGER_ONLY
        # A parameter of the other mode would be silently ignored: say so instead.  Only a
        # changed value counts, so a dump of the parameters (all fields) validates again.
        fields = type(self).model_fields
        given = [name for name in foreign if getattr(self, name) != fields[name].default]
        if given:
            raise ValueError(f"{', '.join(given)} do(es) not apply to mode {self.mode!r}")
        if self.oversold >= self.overbought:
            raise ValueError(
                f"oversold ({self.oversold}) must be below overbought ({self.overbought})"
            )
        return self


class MeanReversion(LongOnly):
    """Mean reversion, long only, in one of two modes.

    ``bollinger``: at a bar's close, when flat and the close is below the
    lower band (the ``window``-bar SMA minus ``num_std`` population standard
    deviations), buy; when long and the close is at or above the middle band
    (the SMA), sell everything.

    ``rsi``: when flat and Wilder's RSI over ``rsi_period`` bars is below
    ``oversold``, buy; when long and it is above ``overbought``, sell.

    Orders are market orders filled at the next bar's open, sized by the
    allocation.  There is no stop: a price that keeps falling is held until
    it reverts (or the run ends).

    Sizing: an entry takes ``allocation`` of the equity less ``buffer`` of it
    kept free, sized at the signal bar's close and trimmed at the fill (see
    :func:`~paperbroker.strategy.common.entry_qty`).
    """

    name = "mean_reversion"
    Params = MeanReversionParams
    params: MeanReversionParams
    #: Its signals are indicators and its positions the books'.
    keeps_no_state = True

    def on_start(self) -> None:
        ctx = self.ctx
        p = self.params
        self.setup_sizing(p.allocation, p.buffer)
        self._bollinger = p.mode == "bollinger"
        if self._bollinger:
            self.lower: dict[str, Series] = {
                s: ctx.indicator(s, bollinger_lower, p.window, p.num_std) for s in ctx.symbols
            }
            self.middle: dict[str, Series] = {
                s: ctx.indicator(s, sma, p.window) for s in ctx.symbols
            }
        else:
            self.rsi: dict[str, Series] = {
                s: ctx.indicator(s, rsi, p.rsi_period) for s in ctx.symbols
            }

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        long = self.positions[symbol].qty > 0
        if self._bollinger:
            # Comparisons with NaN (warm-up) are false: no signal before the bands exist.
            close = bar.close
            if long:
                if close >= self.middle[symbol][-1]:
                    self.leave(symbol)
            elif close < self.lower[symbol][-1]:
                self.enter(symbol, close)
            return
        value = self.rsi[symbol][-1]
        p = self.params
        if long:
            if value > p.overbought:
                self.leave(symbol)
        elif value < p.oversold:
            self.enter(symbol, bar.close)
