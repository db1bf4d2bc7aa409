"""Risk commands on a real kernel: settings, overrides, breaker resets and the emergency
controls.  XYZ trades flat at 100.00; orders sent at a daily close (16:00) work until
the next day's open."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import BreakerTripped, OrderDenied, RiskAdjusted, RiskCommanded
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.50, 100.00)
PROTECT = {"safeguards": {"stop_loss_pct": 5, "take_profit_pct": 10}}


def holding(build: Any, qty: int = 100, settings: dict[str, Any] | None = None) -> Any:
    """A kernel at the second close holding ``qty`` XYZ bought at 100.00."""
    series = build.series([FLAT] * 6)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read(settings or {}))
    kernel.run_until(int(series.ts[0]))
    if qty:
        kernel.submit_order("XYZ", BUY, qty)
    kernel.run_until(int(series.ts[1]))
    return kernel, series


def test_kill_cancels_closes_halts_and_is_idempotent(build: Any) -> None:
    kernel, series = holding(build, 10, PROTECT)
    stop, profit = kernel.open_orders()
    entry = kernel.submit_order("XYZ", BUY, 5, limit="90.00")
    before = len(kernel.events)
    outcome = kernel.risk_command("kill", {}, by="key-1", reason="runaway")
    assert set(outcome.canceled) == {stop.id, profit.id, entry.id}
    (close_id,) = outcome.submitted
    close = kernel.orders[close_id]
    assert (close.side, close.qty, close.client_order_id[:11]) == (SELL, Decimal(10), "risk-close-")
    first = kernel.events[before]
    assert first == RiskCommanded(kernel.clock.now_ns(), "kill", "{}", "key-1", "runaway")
    assert [e.breaker for e in kernel.events if isinstance(e, BreakerTripped)] == ["kill_switch"]
    count = len(kernel.events)
    again = kernel.risk_command("kill", {}, by="key-1", reason="again")
    assert (again.canceled, again.submitted) == ((), ())
    assert [type(e) for e in kernel.events[count:]] == [RiskCommanded]
    denied = kernel.submit_order("XYZ", BUY, 1)
    assert kernel.events[-1] == OrderDenied(
        denied.ts_created, denied.id, "breakers.kill_switch", "off", "on",
        "new entries are halted: breaker kill_switch tripped (the kill switch was pulled)",
    )  # fmt: skip
    kernel.run_until(int(series.ts[2]))
    assert kernel.position("XYZ").qty == 0
    kernel.risk_command("reset_breaker", {"breaker": "kill_switch"})
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.ACCEPTED


def test_reduce_half_of_100_sells_50(build: Any) -> None:
    kernel, series = holding(build)
    outcome = kernel.risk_command("reduce", {"percent": 50})
    (order_id,) = outcome.submitted
    order = kernel.orders[order_id]
    assert (order.side, order.qty) == (SELL, Decimal(50))
    kernel.run_until(int(series.ts[2]))
    assert kernel.position("XYZ").qty == 50


def test_reduce_rounds_down_to_the_lot(build: Any) -> None:
    kernel, _ = holding(build, 7)
    (order_id,) = kernel.risk_command("reduce", {"percent": "50"}).submitted
    assert kernel.orders[order_id].qty == 3  # 3.5 rounded down


def test_tighten_stops_moves_the_stop_half_way_to_the_price(build: Any) -> None:
    """The stop at 95.00 is 5.00 under the 100.00 mark: half of it is 2.50, so 97.50."""
    kernel, _ = holding(build, 10, PROTECT)
    stop, profit = kernel.open_orders()
    outcome = kernel.risk_command("tighten_stops", {"percent": 50})
    assert set(outcome.canceled) == {stop.id, profit.id}
    new_stop, new_profit = (kernel.orders[i] for i in outcome.submitted)
    assert (new_stop.stop_price, new_profit.limit_price) == (Decimal("97.50"), Decimal("110.00"))


def test_close_all_closes_every_position_once(build: Any) -> None:
    kernel, _ = holding(build)
    working = kernel.submit_order("XYZ", SELL, 10, limit="150.00")
    outcome = kernel.risk_command("close_all", {})
    assert outcome.canceled == (working.id,)
    assert kernel.orders[outcome.submitted[0]].qty == 100
    assert kernel.risk_command("close_all", {}).submitted == ()


def test_cancel_all_keeps_the_protective_orders(build: Any) -> None:
    kernel, _ = holding(build, 10, PROTECT)
    protective = kernel.open_orders()
    entry = kernel.submit_order("XYZ", BUY, 5, limit="90.00")
    assert kernel.risk_command("cancel_all", {}).canceled == (entry.id,)
    assert kernel.open_orders() == protective


def test_an_override_ends_by_itself_at_its_time(build: Any) -> None:
    kernel, series = holding(build, 0, {"limits": {"max_order_qty": 10}})
    until = int(series.ts[2]) + 60 * 10**9
    kernel.risk_command(
        "override", {"settings": {"limits": {"max_order_qty": 100}}, "until": until}
    )
    override = kernel.risk.override
    assert override is not None
    assert (override[0].limits.max_order_qty, override[1]) == (Decimal(100), until)
    assert kernel.risk.effective.limits.max_order_qty == 100
    assert kernel.submit_order("XYZ", BUY, 50).status is OrderStatus.ACCEPTED
    kernel.run_until(int(series.ts[3]))
    expired = [e for e in kernel.events if isinstance(e, RiskAdjusted)]
    assert [(e.ts, e.what) for e in expired] == [(until, "override_expired")]
    assert kernel.risk.override is None
    assert kernel.submit_order("XYZ", BUY, 50).status is OrderStatus.REJECTED


def test_clear_override_and_configure(build: Any) -> None:
    kernel, series = holding(build, 0)
    kernel.risk_command("configure", {"settings": {"limits": {"max_order_qty": 10}}})
    assert kernel.risk.settings.limits.max_order_qty == 10
    until = int(series.ts[4])
    kernel.risk_command("override", {"settings": {"limits": {"max_order_qty": 5}}, "until": until})
    assert kernel.risk.effective.limits.max_order_qty == 5
    assert kernel.risk_command("clear_override", {}).message == "override cleared"
    assert kernel.risk.effective.limits.max_order_qty == 10
    assert kernel.risk_command("clear_override", {}).message == "there was no override"


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("explode", {}, "action 'explode' is not one of"),
        ("reduce", {"percent": 0}, "percent must be above 0"),
        ("reduce", {"percent": True}, "percent must be a number"),
        ("tighten_stops", {"percent": 100}, "below 100"),
        ("reduce", {}, "percent must be a number"),
        ("kill", {"now": True}, "kill takes no now"),
        ("reset_breaker", {"breaker": "daily"}, "breaker must be 'all' or one of"),
        ("configure", {"settings": {"limits": {"max_order_qty": -1}}},
         "settings.limits.max_order_qty"),
        ("configure", {"settings": 5}, "settings must be an object"),
        ("override", {"settings": {}, "until": 1}, "until must be a session time after"),
    ],
)  # fmt: skip
def test_bad_commands_publish_nothing(
    build: Any, action: str, params: dict[str, Any], message: str
) -> None:
    kernel, _ = holding(build, 10)
    count = len(kernel.events)
    with pytest.raises(InvalidRequest, match=message.replace("(", r"\(")):
        kernel.risk_command(action, params)
    assert len(kernel.events) == count


def test_usage_says_how_much_of_each_limit_is_used(build: Any) -> None:
    """100 held at 100.00 of 100 000 equity: 10 000 gross, 10 % of equity."""
    settings = {
        "limits": {"max_position_qty": 400, "max_gross_exposure_pct": 20, "max_open_orders": 4},
        "breakers": {"max_drawdown_pct": 10},
    }
    kernel, _ = holding(build, 100, settings)
    kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    rows = {u.rule: (u.value, u.limit, u.ratio) for u in kernel.risk.usage()}
    assert rows == {
        "limits.max_position_qty": (Decimal(100), Decimal(400), Decimal("0.25")),
        "limits.max_gross_exposure_pct": (Decimal("10.00"), Decimal(20), Decimal("0.5")),
        "limits.max_open_orders": (Decimal(1), Decimal(4), Decimal("0.25")),
        "breakers.max_drawdown_pct": (Decimal(0), Decimal(10), Decimal(0)),
    }
