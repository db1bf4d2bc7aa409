"""Circuit breakers: each trips at the bar worked out by hand, and halts entries until reset.

A margin account with 100 000 buys 100 XYZ at the second day's open (100.00):
cash is then 90 000 and equity 90 000 + 100 × close.  The closes fall:

    day     1       2       3       4       5       6
    close   100.00  100.00  92.00   82.00   82.00   82.00
    equity  100000  100000  99200   98200   98200   98200

Day 3 loses 800 from its start (day 2's close), day 4 loses 1 000 more from
99 200; the drawdown from the 100 000 peak is 0.80 % on day 3 and 1.80 % on day 4.
"""

from __future__ import annotations

from typing import Any

import pytest

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import BreakerTripped, OrderDenied
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FALLING = [
    (100.00, 100.50, 99.50, 100.00),
    (100.00, 100.50, 99.50, 100.00),
    (100.00, 100.50, 91.50, 92.00),
    (92.00, 92.50, 81.50, 82.00),
    (82.00, 82.50, 81.50, 82.00),
    (82.00, 82.50, 81.50, 82.00),
]


def trips(kernel: Kernel) -> list[BreakerTripped]:
    return [e for e in kernel.events if isinstance(e, BreakerTripped)]


def holding(build: Any, settings: dict[str, Any], rows: list[Any] | None = None) -> Any:
    series = build.series(rows or FALLING)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"breakers": settings}))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 100)
    return kernel, series


@pytest.mark.parametrize(
    ("settings", "day", "value", "limit"),
    [
        ({"daily_loss": 1000}, 3, "1000", "1000"),  # day 4 (index 3): 99 200 − 98 200
        ({"daily_loss": 800}, 2, "800", "800"),  # day 3: 100 000 − 99 200
        ({"daily_loss_pct": 1}, 3, "1.01", "1"),  # 1 000 / 99 200 = 1.008 %
        ({"max_drawdown_pct": "1.5"}, 3, "1.80", "1.5"),  # 1 800 / 100 000
        ({"max_drawdown_pct": "0.8"}, 2, "0.80", "0.8"),  # 800 / 100 000
    ],
)
def test_a_loss_breaker_trips_at_the_close_that_reaches_it(
    build: Any, settings: dict[str, Any], day: int, value: str, limit: str
) -> None:
    kernel, series = holding(build, settings)
    kernel.run_until(int(series.ts[day - 1]))
    assert trips(kernel) == []
    kernel.run_until(int(series.ts[day]))
    (trip,) = trips(kernel)
    name = next(iter(settings))
    assert (trip.ts, trip.breaker, trip.value, trip.limit) == (
        int(series.ts[day]), name, value, limit,
    )  # fmt: skip
    assert kernel.risk.halted


def test_a_trip_halts_entries_cancels_working_entries_and_keeps_exits(build: Any) -> None:
    kernel, series = holding(build, {"daily_loss": 1000})
    kernel.run_until(int(series.ts[2]))
    entry = kernel.submit_order("XYZ", BUY, 10, limit="50.00", tif="gtc")
    exit_ = kernel.submit_order("XYZ", SELL, 100, limit="200.00", tif="gtc")
    kernel.run_until(int(series.ts[3]))  # trips
    assert entry.status is OrderStatus.CANCELED
    assert exit_.status is OrderStatus.ACCEPTED
    denied = kernel.submit_order("XYZ", BUY, 1)
    event = next(e for e in kernel.events if isinstance(e, OrderDenied))
    assert (event.order_id, event.rule, event.value, event.limit) == (
        denied.id, "breakers.daily_loss", "1000", "1000",
    )  # fmt: skip
    kernel.cancel_order(exit_.id)
    kernel.run_until(int(series.ts[3]) + 1)
    assert kernel.submit_order("XYZ", SELL, 40).status is OrderStatus.ACCEPTED  # an exit


def test_a_tripped_breaker_stays_tripped_until_reset(build: Any) -> None:
    kernel, series = holding(build, {"daily_loss": 1000})
    kernel.run_until(int(series.ts[4]))  # day 5 loses nothing: still tripped
    assert kernel.risk.halted
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.REJECTED
    outcome = kernel.risk_command("reset_breaker", {"breaker": "daily_loss"}, "k1", "checked")
    assert outcome.message == "reset daily_loss"
    assert not kernel.risk.halted
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.ACCEPTED
    state = {b.name: b for b in kernel.risk.snapshot().breakers}["daily_loss"]
    assert not state.tripped


def test_no_cancel_entries_keeps_working_entries(build: Any) -> None:
    kernel, series = holding(build, {"daily_loss": 1000, "cancel_entries": False})
    kernel.run_until(int(series.ts[2]))
    entry = kernel.submit_order("XYZ", BUY, 10, limit="50.00", tif="gtc")
    kernel.run_until(int(series.ts[3]))
    assert trips(kernel)
    assert entry.status is OrderStatus.ACCEPTED


def test_consecutive_losses_trip_on_the_second_losing_round_trip(build: Any) -> None:
    """Opens 100, 99, 98, 97, 96: buy at 100 sell at 99 (−10), buy at 98 sell at 97 (−10)."""
    rows = [(o, o + 0.5, o - 1.5, o - 1) for o in (101.0, 100.0, 99.0, 98.0, 97.0, 96.0)]
    series = build.series(rows)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"breakers": {"consecutive_losses": 2}}))
    for day, side in enumerate((BUY, SELL, BUY, SELL)):
        kernel.run_until(int(series.ts[day]))
        kernel.submit_order("XYZ", side, 10)
    kernel.run_until(int(series.ts[3]))
    assert kernel.risk.snapshot().consecutive_losses == 1
    assert trips(kernel) == []
    kernel.run_until(int(series.ts[4]))  # the second sell filled at 97.00 at this bar's open
    (trip,) = trips(kernel)
    assert (trip.ts, trip.breaker, trip.value, trip.limit) == (
        int(series.ts[4]), "consecutive_losses", "2", "2",
    )  # fmt: skip


def test_a_winning_round_trip_resets_the_count(build: Any) -> None:
    rows = [(o, o + 0.5, o - 1.5, o - 1) for o in (101.0, 100.0, 99.0, 98.0, 99.0, 96.0)]
    series = build.series(rows)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"breakers": {"consecutive_losses": 2}}))
    for day, side in enumerate((BUY, SELL, BUY, SELL)):  # −10, then 98 → 99: +10
        kernel.run_until(int(series.ts[day]))
        kernel.submit_order("XYZ", side, 10)
    kernel.run_until(int(series.ts[5]))
    assert kernel.risk.snapshot().consecutive_losses == 0
    assert trips(kernel) == []


def test_volatility_trips_on_a_range_beyond_the_multiple(build: Any) -> None:
    """Ranges 1, 1, 1, 3, 3.5, 8 with a multiple of 3 over 3 bars: the 4th bar's range 3
    is 3 times the average 1 before it, not beyond; the 5th's 3.5 is 2.1 times
    (1 + 1 + 3) / 3 = 1.667; the 6th's 8 is 3.2 times (1 + 3 + 3.5) / 3 = 2.5: it trips."""
    ranges = [1.0, 1.0, 1.0, 3.0, 3.5, 8.0]
    rows = [(100.0, 100.0 + r / 2, 100.0 - r / 2, 100.0) for r in ranges]
    series = build.series(rows)
    kernel: Kernel = build.kernel(series)
    settings = {"breakers": {"volatility_multiple": 3, "volatility_lookback": 3}}
    kernel.risk.configure(RiskSettings.read(settings))
    kernel.run_until(int(series.ts[4]))
    assert trips(kernel) == []
    kernel.run_until(int(series.ts[5]))
    (trip,) = trips(kernel)
    assert (trip.ts, trip.breaker, trip.value, trip.limit) == (
        int(series.ts[5]), "volatility_multiple", "3.20", "3",
    )  # fmt: skip


def test_breakers_survive_a_reconfigure(build: Any) -> None:
    kernel, series = holding(build, {"daily_loss": 1000})
    kernel.run_until(int(series.ts[3]))
    kernel.risk_command("configure", {"settings": {"breakers": {"daily_loss": None}}})
    assert kernel.risk.halted
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.REJECTED
