"""Built-in strategies."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from paperbroker.model.values import to_decimal
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.common import buffer_field, entry_qty
from paperbroker.strategy.indicators import sma_cross

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar


class SmaCrossoverParams(StrategyParams):
    fast: int = Field(10, ge=1, description="bars in the fast simple moving average of closes")
    slow: int = Field(30, ge=2, description="bars in the slow simple moving average of closes")
    allocation: float | None = Field(
        None,
        gt=0,
        le=1,
        description="share of equity per entry (default: split equally across symbols)",
    )
    buffer: float = buffer_field()

    @model_validator(mode="after")
    def _fast_below_slow(self) -> SmaCrossoverParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be shorter than slow ({self.slow})")
        return self


class SmaCrossover(Strategy):
    """Moving-average crossover, long only.

    When flat and the fast SMA of closes crosses above the slow one at a bar's
    close, buy as many units as the allocation affords (commission included)
    with a market order, which fills at the next bar's open.  When long and the
    fast SMA crosses below the slow one, sell the whole position the same way.
    The cross signal is computed once with NumPy (:func:`sma_cross`) and read
    one bar at a time, so ``on_bar`` does almost nothing on most bars.

    Sizing: an entry takes ``allocation`` of the equity less ``buffer`` of it
    kept free, sized at the signal bar's close and trimmed at the fill (see
    :func:`~paperbroker.strategy.common.entry_qty`).
    """

    name = "sma_crossover"
    Params = SmaCrossoverParams
    params: SmaCrossoverParams
    #: Its signals are indicators and its positions the books'.
    keeps_no_state = True

    def on_start(self) -> None:
        ctx = self.ctx
        p = self.params
        self._signal = {s: ctx.indicator(s, sma_cross, p.fast, p.slow) for s in ctx.symbols}
        # Positions are live objects: holding them saves a lookup on every signal.
        self._positions = {s: ctx.position(s) for s in ctx.symbols}
        share = p.allocation if p.allocation is not None else 1 / len(ctx.symbols)
        self._share = to_decimal(share)
        self._buffer = to_decimal(p.buffer)

    def on_bar(self, bar: Bar) -> None:
        signal = self._signal[bar.symbol][-1]
        if not signal:
            return
        symbol = bar.symbol
        qty = self._positions[symbol].qty
        if signal > 0:
            if not qty and not self.ctx.open_orders(symbol):
                self._enter(symbol, bar.close)
        elif qty > 0:
            self.ctx.close_position(symbol)

    def _enter(self, symbol: str, close: float) -> None:
        qty = entry_qty(self, symbol, close, self._share, self._buffer)
        if qty > 0:
            self.ctx.buy(symbol, qty)


class BuyAndHoldParams(StrategyParams):
    allocation: float | None = Field(
        None, gt=0, le=1, description="share of equity per symbol (default: equal weights)"
    )
    buffer: float = buffer_field()


class BuyAndHold(Strategy):
    """The benchmark: buy each symbol at its first opportunity and hold to the end.

    Sizing: each symbol gets ``allocation`` of the starting cash (capped by the
    cash left, commission included) less ``buffer`` of the equity kept free,
    sized at its first bar's close and trimmed at the fill: the ``gtc``
    market order fills at the next bar's open, and in a cash account an open
    above that close fills only what the cash covers then (with
    ``fill_timing`` ``signal_close`` it fills at the sizing close itself).
    """

    name = "buy_and_hold"
    Params = BuyAndHoldParams
    params: BuyAndHoldParams

    def on_start(self) -> None:
        share = self.params.allocation or 1 / len(self.ctx.symbols)
        self._budget = self.ctx.cash * to_decimal(share)
        self._buffer = to_decimal(self.params.buffer)
        self._pending = set(self.ctx.symbols)

    def on_bar(self, bar: Bar) -> None:
        if bar.symbol not in self._pending:
            return
        self._pending.discard(bar.symbol)
        budget = min(self._budget, self.ctx.cash)
        qty = self.ctx.affordable_qty(
            bar.symbol, price=bar.close, budget=budget, buffer=self._buffer
        )
        if qty > 0:
            self.ctx.buy(bar.symbol, qty, tif="gtc")

    def on_save(self) -> dict[str, Any]:
        """The budget per symbol (set at the start) and the symbols not bought yet."""
        pending = [s for s in self.ctx.symbols if s in self._pending]
        return {"budget": str(self._budget), "pending": pending}

    def on_load(self, state: dict[str, Any]) -> None:
        self._budget = Decimal(state["budget"])
        self._pending = set(state["pending"])
