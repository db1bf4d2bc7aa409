"""Circuit breakers: session-wide tripwires on equity, losses and volatility.

Breakers watch the session as a whole: the equity of all its accounts
summed, at every bar close (and only while a breaker is set).  A breaker
trips once and stays tripped until an operator resets it.

- ``daily_loss``: ``start − equity ≥ limit``, where ``start`` is the equity
  at the close of the previous trading day's last bar (the equity when the
  rules were set, on the first day);
- ``daily_loss_pct``: ``(start − equity) / start × 100 ≥ limit``;
- ``max_drawdown_pct``: ``(peak − equity) / peak × 100 ≥ limit``, ``peak``
  the highest equity seen at a bar close;
- ``consecutive_losses``: ``losses ≥ limit``, ``losses`` the closing fills
  in a row that realized a loss (a closing fill with a gain, or none,
  resets it to 0);
- ``volatility_multiple``: ``range > limit × average``, the bar's
  ``high − low`` against the average range of the symbol's
  ``volatility_lookback`` bars before it (not before that many bars exist).

``kill_switch`` is the breaker the ``kill`` command trips.  Resetting a
breaker restarts what it measures from now: the day's start and the peak
become the current equity, the loss count 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from paperbroker.core.snapshot import NotSnapshottable, dec_or_none, undec_or_none
from paperbroker.model.codec import decode_event, encode_event
from paperbroker.model.events import BreakerTripped
from paperbroker.risk.pretrade import text

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries
    from paperbroker.risk.settings import Breakers

_HUNDRED = Decimal(100)
#: Every breaker, in the order they are evaluated and listed.
BREAKER_NAMES = (
    "daily_loss",
    "daily_loss_pct",
    "max_drawdown_pct",
    "consecutive_losses",
    "volatility_multiple",
    "kill_switch",
)


class BreakerState(NamedTuple):
    """One breaker as a snapshot shows it (``ts``, ``value``, ``limit``, ``message``:
    of its trip; empty while it is not tripped)."""

    name: str
    tripped: bool
    ts: int | None
    value: str
    limit: str
    message: str


class BreakerBoard:
    """The breakers' references (day start, peak, loss count) and which have tripped."""

    def __init__(self) -> None:
        self.tripped: dict[str, BreakerTripped] = {}
        self.peak: Decimal | None = None
        self.day_start: Decimal | None = None
        self.last_equity: Decimal | None = None
        self.day: object = None
        self.losses = 0

    def to_state(self) -> dict[str, Any]:
        """The references, the loss count and the tripped breakers, for a checkpoint."""
        return {
            "tripped": {name: list(encode_event(e)) for name, e in self.tripped.items()},
            "peak": dec_or_none(self.peak),
            "day_start": dec_or_none(self.day_start),
            "last_equity": dec_or_none(self.last_equity),
            "day": day_state(self.day),
            "losses": self.losses,
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the board :meth:`to_state` wrote."""
        tripped = {name: decode_event(*event) for name, event in state["tripped"].items()}
        self.tripped = {n: e for n, e in tripped.items() if isinstance(e, BreakerTripped)}
        self.peak = undec_or_none(state["peak"])
        self.day_start = undec_or_none(state["day_start"])
        self.last_equity = undec_or_none(state["last_equity"])
        self.day = state["day"]
        self.losses = int(state["losses"])

    def start(self, equity: Decimal) -> None:
        """Measure from ``equity`` on (rules just set, or a breaker reset)."""
        self.peak = self.day_start = self.last_equity = equity

    def closing_fill(self, realized: Decimal) -> None:
        """A fill realized ``realized`` (a loss below zero) closing part of a position."""
        self.losses = self.losses + 1 if realized < 0 else 0

    def states(self) -> tuple[BreakerState, ...]:
        """Every breaker's state, in :data:`BREAKER_NAMES` order."""
        states = []
        for name in BREAKER_NAMES:
            trip = self.tripped.get(name)
            if trip is None:
                states.append(BreakerState(name, False, None, "", "", ""))
            else:
                states.append(
                    BreakerState(name, True, trip.ts, trip.value, trip.limit, trip.message)
                )
        return tuple(states)

    def reset(self, name: str, equity: Decimal) -> bool:
        """Reset one breaker; ``False`` if it was not tripped."""
        if name in ("daily_loss", "daily_loss_pct"):
            self.day_start = equity
        elif name == "max_drawdown_pct":
            self.peak = equity
        elif name == "consecutive_losses":
            self.losses = 0
        return self.tripped.pop(name, None) is not None

    def on_close(
        self,
        settings: Breakers,
        ts: int,
        day: object,
        equity: Decimal,
        series: BarSeries,
        row: int,
    ) -> list[BreakerTripped]:
        """Evaluate the breakers set at a bar close (row ``row`` of ``series``, on trading
        day ``day``); return the trips, newly recorded."""
        if self.last_equity is None:
            self.start(equity)
        if day != self.day:
            if self.day is not None:
                self.day_start = self.last_equity
            self.day = day
        self.last_equity = equity
        if self.peak is None or equity > self.peak:
            self.peak = equity
        trips: list[BreakerTripped] = []
        tripped = self.tripped

        def trip(name: str, value: str, limit: str, message: str) -> None:
            event = BreakerTripped(ts, name, value, limit, message)
            tripped[name] = event
            trips.append(event)

        start = self.day_start or Decimal(0)
        loss = start - equity
        daily = settings.daily_loss
        if daily is not None and "daily_loss" not in tripped and loss >= daily:
            trip(
                "daily_loss", text(loss), text(daily),
                f"equity {text(equity)} is {text(loss)} below the day's start "
                f"{text(start)}: the daily loss limit is {text(daily)}",
            )  # fmt: skip
        if settings.daily_loss_pct is not None and "daily_loss_pct" not in tripped and start > 0:
            pct = loss / start * _HUNDRED
            if pct >= settings.daily_loss_pct:
                trip(
                    "daily_loss_pct", f"{pct:.2f}", text(settings.daily_loss_pct),
                    f"equity {text(equity)} is {pct:.2f} % below the day's start "
                    f"{text(start)}: the limit is {text(settings.daily_loss_pct)} %",
                )  # fmt: skip
        peak = self.peak
        if settings.max_drawdown_pct is not None and "max_drawdown_pct" not in tripped and peak:
            drawdown = (peak - equity) / peak * _HUNDRED
            if drawdown >= settings.max_drawdown_pct:
                trip(
                    "max_drawdown_pct", f"{drawdown:.2f}", text(settings.max_drawdown_pct),
                    f"equity {text(equity)} is {drawdown:.2f} % below its peak {text(peak)}: "
                    f"the limit is {text(settings.max_drawdown_pct)} %",
                )  # fmt: skip
        limit_losses = settings.consecutive_losses
        counted = self.losses
        if (
            limit_losses is not None
            and "consecutive_losses" not in tripped
            and (counted >= limit_losses)
        ):
            trip(
                "consecutive_losses", str(counted), str(limit_losses),
                f"{counted} losing trades in a row: the limit is {limit_losses}",
            )  # fmt: skip
        multiple = settings.volatility_multiple
        if multiple is not None and "volatility_multiple" not in tripped:
            lookback = settings.volatility_lookback
            if row >= lookback:
                ranges = series.high[row - lookback : row] - series.low[row - lookback : row]
                average = float(ranges.mean())
                span = float(series.high[row] - series.low[row])
                if average > 0 and span > float(multiple) * average:
                    ratio = span / average
                    trip(
                        "volatility_multiple", f"{ratio:.2f}", text(multiple),
                        f"{series.instrument.symbol}'s bar ranged {span:.4f}, {ratio:.2f} "
                        f"times its average {average:.4f} over {lookback} bars",
                    )  # fmt: skip
        return trips


__all__ = ["BREAKER_NAMES", "BreakerBoard", "BreakerState"]


def day_state(day: object) -> int | None:
    """A trading day as a checkpoint writes it (the close of its session, epoch ns).

    Raises:
        NotSnapshottable: for a day of another kind.
    """
    if day is None or type(day) is int:
        return day
    raise NotSnapshottable(f"a trading day of type {type(day).__name__}")
