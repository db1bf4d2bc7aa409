"""Pump detection: join a jump in price on heavy volume, for a few bars at most."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from paperbroker.model.values import to_decimal
from paperbroker.strategy.base import StrategyParams
from paperbroker.strategy.common import LongOnly, allocation_field, buffer_field
from paperbroker.strategy.indicators import Series, spike_ratio

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar


class PumpDetectionParams(StrategyParams):
    window: int = Field(
        20, ge=2, description="bars in the baseline: the mean close and volume before the bar"
    )
    price_change: float = Field(
        0.05, gt=0, description="a pump's close is at least this far above the baseline close"
    )
    volume_multiple: float = Field(
        2.0, gt=1, description="a pump's volume is at least this many times the baseline volume"
    )
    hold_bars: int = Field(5, ge=1, description="exit at the close of the hold_bars-th bar held")
    stop_loss: float | None = Field(
        0.05,
        gt=0,
        lt=1,
        description="exit at a close this far below the entry price (None: no stop)",
    )
    cooldown_bars: int = Field(
        5, ge=0, description="bars after an exit fills during which the symbol takes no entry"
    )
    allocation: float | None = allocation_field()
    buffer: float = buffer_field()


class PumpDetection(LongOnly):
    """Pump detection, long only: it rides a detected pump rather than fading it.

    A bar is a pump when both its close and its volume spike above a rolling
    baseline, the means of the ``window`` bars before it (the bar itself left
    out): ``close >= (1 + price_change) * mean close`` and
    ``volume >= volume_multiple * mean volume``.  At a pump's close, when flat,
    not cooling down and with nothing working, it buys (market order, next
    open).  It rides the continuation for a bounded time: counting the bar of
    the fill as the first bar held, it sells at the close of the
    ``hold_bars``-th bar, or earlier at the first close at or below
    ``entry price * (1 - stop_loss)``.  The stop is checked at closes, so a gap
    can exit below it.  After an exit fills, the symbol takes no entry for
    ``cooldown_bars`` bars (the bar of the exit fill is the first).

    Fading (shorting) a pump needs a margin account and borrow; this strategy
    stays long so it runs in a cash account.

    Sizing: an entry takes ``allocation`` of the equity less ``buffer`` of it
    kept free, sized at the signal bar's close and trimmed at the fill (see
    :func:`~paperbroker.strategy.common.entry_qty`).
    """

    name = "pump_detection"
    Params = PumpDetectionParams
    params: PumpDetectionParams

    def on_start(self) -> None:
        ctx = self.ctx
        p = self.params
        self.setup_sizing(p.allocation, p.buffer)
        self.price_ratio: dict[str, Series] = {
            s: ctx.indicator(s, spike_ratio, p.window) for s in ctx.symbols
        }
        self.volume_ratio: dict[str, Series] = {
            s: ctx.indicator(s, spike_ratio, p.window, source="volume") for s in ctx.symbols
        }
        self._min_price_ratio = 1.0 + p.price_change
        self._keep: Decimal | None = (
            None if p.stop_loss is None else 1 - to_decimal(p.stop_loss, field="stop_loss")
        )
        self.held = dict.fromkeys(ctx.symbols, 0)
        self.cooldown = dict.fromkeys(ctx.symbols, 0)

    def on_save(self) -> dict[str, Any]:
        """How long each position has been held and each symbol's cooldown, in bars."""
        return {"held": dict(self.held), "cooldown": dict(self.cooldown)}

    def on_load(self, state: dict[str, Any]) -> None:
        self.held = {s: int(n) for s, n in state["held"].items()}
        self.cooldown = {s: int(n) for s, n in state["cooldown"].items()}

    def is_pump(self, symbol: str) -> bool:
        """Whether the current bar of ``symbol`` is a pump (False while warming up)."""
        return (
            self.price_ratio[symbol][-1] >= self._min_price_ratio
            and self.volume_ratio[symbol][-1] >= self.params.volume_multiple
        )

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        position = self.positions[symbol]
        if position.qty > 0:
            self.held[symbol] += 1
            stopped = self._keep is not None and to_decimal(bar.close) <= (
                position.avg_price * self._keep
            )
            if stopped or self.held[symbol] >= self.params.hold_bars:
                self.leave(symbol)
            return
        if self.held[symbol]:  # flat again since the last bar: the trade is over
            self.held[symbol] = 0
            self.cooldown[symbol] = self.params.cooldown_bars
        if self.cooldown[symbol]:
            self.cooldown[symbol] -= 1
            return
        if self.is_pump(symbol):
            self.enter(symbol, bar.close)
