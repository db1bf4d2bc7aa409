"""Automated position scaling: a multiplier on the session's strategy order sizes.

Opt-in (``scaling.enabled``).  The multiplier starts at ``initial`` and moves
by ``step`` between ``minimum`` and ``maximum``, once per trading day, judged
at the bar that closes with the exchange's session (or, when there is none, at
the first bar of the next day) on the day's return: its last equity over the
equity it started with (the previous day's last), minus 1:

- a day that lost more than ``max_drawdown_pct`` percent steps **down**, and
  the window of good days starts again;
- otherwise the day joins the window; once it holds ``window_days`` days whose
  annualised Sharpe ratio (mean over sample standard deviation of the daily
  returns, × √252) is at least ``min_sharpe`` and whose drawdown is at most
  ``max_drawdown_pct`` percent, the multiplier steps **up** and the window
  starts again.

Each step is a ``RiskAdjusted`` (``scale_up``/``scale_down``).  The multiplier
applies to the orders of the session's strategy or pipeline that open or grow
a position (:meth:`Scaler.scale`), never to exits nor to orders placed by
hand through the API.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from paperbroker.core.snapshot import dec_or_none, flt, undec_or_none, unflt
from paperbroker.model.events import RiskAdjusted
from paperbroker.risk.breakers import day_state
from paperbroker.risk.pretrade import text
from paperbroker.risk.settings import Scaling

_ONE = Decimal(1)


class Scaler:
    """The multiplier and the days it is judged on."""

    def __init__(self) -> None:
        self.enabled = False
        self.multiplier = _ONE
        self._day: object = None
        self._start: Decimal | None = None
        self._last: Decimal | None = None
        self._judged = False
        self._window: list[float] = []

    def to_state(self) -> dict[str, Any]:
        """The multiplier and the days judged so far, for a checkpoint."""
        return {
            "enabled": self.enabled,
            "multiplier": str(self.multiplier),
            "day": day_state(self._day),
            "start": dec_or_none(self._start),
            "last": dec_or_none(self._last),
            "judged": self._judged,
            "window": [flt(v) for v in self._window],
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the state :meth:`to_state` wrote."""
        self.enabled = bool(state["enabled"])
        self.multiplier = Decimal(state["multiplier"])
        self._day = state["day"]
        self._start = undec_or_none(state["start"])
        self._last = undec_or_none(state["last"])
        self._judged = bool(state["judged"])
        self._window = [unflt(v) for v in state["window"]]

    def configure(self, settings: Scaling) -> None:
        """Follow ``settings``: turning scaling on starts at ``initial``; off is 1."""
        if settings.enabled and not self.enabled:
            self.multiplier = settings.initial
            self._window = []
        elif settings.enabled:
            self.multiplier = min(max(self.multiplier, settings.minimum), settings.maximum)
        else:
            self.multiplier = _ONE
        self.enabled = settings.enabled

    def on_close(
        self, settings: Scaling, ts: int, day: object, equity: Decimal, closing: bool
    ) -> RiskAdjusted | None:
        """A bar closed on trading day ``day`` with the session's ``equity`` (``closing``:
        with the day's session): the step it causes, if a day has just ended."""
        step = None
        if day != self._day:
            start, last = self._start, self._last
            if not self._judged and start is not None and last is not None and start > 0:
                step = self._judge(settings, ts, float(last / start - 1))
            self._day, self._judged = day, False
            self._start = equity if last is None else last
        self._last = equity
        start = self._start
        if closing and not self._judged and start is not None and start > 0:
            self._judged = True
            step = self._judge(settings, ts, float(equity / start - 1))
        return step

    def _judge(self, settings: Scaling, ts: int, day_return: float) -> RiskAdjusted | None:
        limit = float(settings.max_drawdown_pct) / 100
        old = self.multiplier
        if day_return < -limit:
            self._window = []
            new = max(settings.minimum, old - settings.step)
            what = "scale_down"
            why = (
                f"the day returned {day_return * 100:.2f} %, "
                f"beyond -{text(settings.max_drawdown_pct)} %"
            )
        else:
            window = self._window
            window.append(day_return)
            if len(window) < settings.window_days:
                return None
            sharpe, drawdown = _sharpe(window), _drawdown(window)
            self._window = []
            if sharpe < float(settings.min_sharpe) or drawdown > limit:
                return None
            new = min(settings.maximum, old + settings.step)
            what = "scale_up"
            why = (
                f"{len(window)} days with a Sharpe ratio of {sharpe:.2f} and a drawdown of "
                f"{drawdown * 100:.2f} %"
            )
        if new == old:
            return None
        self.multiplier = new
        return RiskAdjusted(ts, what, text(new), f"multiplier {text(old)} → {text(new)}: {why}")

    def scale(self, qty: Decimal, lot: Decimal) -> Decimal:
        """``qty`` times the multiplier, rounded down to the lot (at least one lot)."""
        if self.multiplier == _ONE:
            return qty
        scaled = (qty * self.multiplier / lot).to_integral_value(ROUND_FLOOR) * lot
        return max(scaled, lot)


def _sharpe(returns: list[float]) -> float:
    mean = sum(returns) / len(returns)
    if len(returns) < 2:
        return math.inf if mean > 0 else 0.0
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    if variance <= 0:
        return math.inf if mean > 0 else 0.0
    return mean / math.sqrt(variance) * math.sqrt(252)


def _drawdown(returns: list[float]) -> float:
    equity = peak = 1.0
    worst = 0.0
    for r in returns:
        equity *= 1 + r
        peak = max(peak, equity)
        worst = max(worst, (peak - equity) / peak)
    return worst


__all__ = ["Scaler"]
