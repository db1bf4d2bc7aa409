"""Every pre-trade rule, one row each, through a real kernel.

The market is flat: XYZ opens and closes at 100.00 each day (high 100.50,
low 99.50, volume 1 000 000), so an order's value is qty × 100.00 unless it
names a limit price.  The account is a margin account with 1 000 000 of cash
and leverage 1, so every order here fits the buying power: a refusal can only
be the risk layer's.  Each row states the settings, the position held before
(bought through the kernel, filled at 100.00), the order, and the decision
worked out by hand: ``None`` (accepted) or the denial's (rule, limit, value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus, RejectReason
from paperbroker.model.events import OrderDenied
from paperbroker.model.order import Order
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.50, 100.00)


@dataclass(frozen=True)
class Row:
    name: str
    settings: dict[str, Any]
    side: OrderSide
    qty: str
    held: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    before: int = 0  # working limit orders (buys at 90.00) placed first
    expected: tuple[str, str, str] | None = None


ROWS = [
    # limits.max_position_qty: |position after| = |0 + 101| = 101 > 100.
    Row("position qty over", {"limits": {"max_position_qty": 100}}, BUY, "101",
        expected=("limits.max_position_qty", "100", "101")),
    Row("position qty at the limit", {"limits": {"max_position_qty": 100}}, BUY, "100"),
    # 80 held + 30 = 110 > 100.
    Row("position qty grows over", {"limits": {"max_position_qty": 100}}, BUY, "30", held=80,
        expected=("limits.max_position_qty", "100", "110")),
    # 80 held − 200 = −120: a flip is no exit; |−120| > 100.
    Row("position qty flips over", {"limits": {"max_position_qty": 100}}, SELL, "200", held=80,
        expected=("limits.max_position_qty", "100", "120")),
    # 150 held (over the limit set after): selling 50 only reduces it.
    Row("position qty exit", {"limits": {"max_position_qty": 100}}, SELL, "50", held=150),
    # limits.max_position_value: 101 × 100.00 = 10 100 > 10 000.
    Row("position value over", {"limits": {"max_position_value": 10000}}, BUY, "101",
        expected=("limits.max_position_value", "10000", "10100")),
    # valued at the limit price: 100 × 101.00 = 10 100.
    Row("position value at the limit price", {"limits": {"max_position_value": 10000}}, BUY,
        "100", options={"limit": "101.00"},
        expected=("limits.max_position_value", "10000", "10100")),
    Row("position value at the limit", {"limits": {"max_position_value": 10000}}, BUY, "100"),
    # limits.max_gross_exposure: (300 + 201) × 100 = 50 100 > 50 000.
    Row("gross exposure over", {"limits": {"max_gross_exposure": 50000}}, BUY, "201", held=300,
        expected=("limits.max_gross_exposure", "50000", "50100")),
    Row("gross exposure at the limit", {"limits": {"max_gross_exposure": 50000}}, BUY, "200",
        held=300),
    # limits.max_net_exposure: |−201 × 100| = 20 100 > 20 000.
    Row("net exposure over", {"limits": {"max_net_exposure": 20000}}, SELL, "201",
        expected=("limits.max_net_exposure", "20000", "20100")),
    # limits.max_gross_exposure_pct: 5 001 × 100 / 1 000 000 × 100 = 50.01 % > 50 %.
    Row("gross exposure pct over", {"limits": {"max_gross_exposure_pct": 50}}, BUY, "5001",
        expected=("limits.max_gross_exposure_pct", "50", "50.01")),
    # limits.max_net_exposure_pct: |−1 001 × 100| / 1 000 000 = 10.01 % > 10 %.
    Row("net exposure pct over", {"limits": {"max_net_exposure_pct": 10}}, SELL, "1001",
        expected=("limits.max_net_exposure_pct", "10", "10.01")),
    # limits.max_order_qty applies to exits too: 20 > 10.
    Row("order qty over", {"limits": {"max_order_qty": 10}}, BUY, "11",
        expected=("limits.max_order_qty", "10", "11")),
    Row("order qty on an exit", {"limits": {"max_order_qty": 10}}, SELL, "20", held=50,
        expected=("limits.max_order_qty", "10", "20")),
    # limits.max_order_value: 11 × 100.00 = 1 100 > 1 000; 10 × 100.00 = 1 000 is allowed.
    Row("order value over", {"limits": {"max_order_value": 1000}}, BUY, "11",
        options={"limit": "100.00"}, expected=("limits.max_order_value", "1000", "1100")),
    Row("order value at the limit", {"limits": {"max_order_value": 1000}}, BUY, "10"),
    # limits.max_open_orders: 2 work, a third would be 3 > 2.
    Row("open orders over", {"limits": {"max_open_orders": 2}}, BUY, "1", before=2,
        options={"limit": "90.00"}, expected=("limits.max_open_orders", "2", "3")),
    Row("open orders under", {"limits": {"max_open_orders": 2}}, BUY, "1", before=1,
        options={"limit": "90.00"}),
    Row("open orders on an exit", {"limits": {"max_open_orders": 2}}, SELL, "1", held=5,
        before=2, expected=("limits.max_open_orders", "2", "3")),
    # limits.max_orders_per_minute: 2 taken this minute, a third would be 3 > 2.
    Row("orders per minute over", {"limits": {"max_orders_per_minute": 2}}, BUY, "1", before=2,
        options={"limit": "90.00"}, expected=("limits.max_orders_per_minute", "2", "3")),
    # limits.min_bar_volume: the last bar traded 1 000 000 < 2 000 000.
    Row("bar volume under", {"limits": {"min_bar_volume": 2000000}}, BUY, "1",
        expected=("limits.min_bar_volume", "2000000", "1000000")),
    # limits.max_volume_share_pct: 15 000 / 1 000 000 × 100 = 1.50 % > 1 %.
    Row("volume share over", {"limits": {"max_volume_share_pct": 1}}, BUY, "15000",
        expected=("limits.max_volume_share_pct", "1", "1.50")),
    Row("volume share at the limit", {"limits": {"max_volume_share_pct": 1}}, BUY, "10000"),
    # limits.sector_max_pct (XYZ is Information Technology; a limit may name it
    # "technology"): 1 001 × 100 / 1 000 000 = 10.01 % > 10 %.
    Row("sector over", {"limits": {"sector_max_pct": {"technology": 10}}}, BUY, "1001",
        expected=("limits.sector_max_pct", "10", "10.01")),
    Row("sector of another", {"limits": {"sector_max_pct": {"Energy": 10}}}, BUY, "1001"),
    # hours.regular_hours_only: the order comes at 16:00, as the market closes.
    Row("closed market", {"hours": {"regular_hours_only": True}}, BUY, "1",
        expected=("hours.regular_hours_only", "regular session", "2024-01-03 16:00")),
    # ... and for exits too.
    Row("closed market exit", {"hours": {"regular_hours_only": True}}, SELL, "1", held=5,
        expected=("hours.regular_hours_only", "regular session", "2024-01-03 16:00")),
    # hours.window: 16:00 is outside 10:00-15:00 exchange time; an exit is let out.
    Row("outside the window", {"hours": {"start": "10:00", "end": "15:00"}}, BUY, "1",
        expected=("hours.window", "10:00-15:00", "16:00")),
    Row("window exit", {"hours": {"start": "10:00", "end": "15:00"}}, SELL, "1", held=5),
    # hours.blackouts: 2024-01-03 16:00 New York is 21:00 UTC, inside 20:00-22:00 UTC.
    Row("blackout", {"hours": {"blackouts": [{"start": "2024-01-03T20:00:00Z",
                                              "end": "2024-01-03T22:00:00Z",
                                              "reason": "FOMC"}]}}, BUY, "1",
        expected=("hours.blackouts", "2024-01-03T20:00:00+00:00/2024-01-03T22:00:00+00:00",
                  "2024-01-03T21:00:00Z")),
    Row("after a blackout", {"hours": {"blackouts": [{"start": "2024-01-03T19:00:00Z",
                                                    "end": "2024-01-03T21:00:00Z"}]}},
        BUY, "1"),
    # symbols.*
    Row("not enabled", {"symbols": {"enabled": ["ABC", "DEF"]}}, BUY, "1",
        expected=("symbols.enabled", "ABC,DEF", "XYZ")),
    Row("enabled", {"symbols": {"enabled": ["XYZ"]}}, BUY, "1"),
    Row("disabled", {"symbols": {"disabled": ["XYZ"]}}, BUY, "1",
        expected=("symbols.disabled", "XYZ", "XYZ")),
    Row("disabled exit", {"symbols": {"disabled": ["XYZ"]}}, SELL, "5", held=5),
    # 0 − 3 = −3: a new short.
    Row("no short", {"symbols": {"allow_short": False}}, SELL, "3",
        expected=("symbols.allow_short", "false", "-3")),
    # 2 held − 3 = −1: a flip to short is no exit.
    Row("no short flip", {"symbols": {"allow_short": False}}, SELL, "3", held=2,
        expected=("symbols.allow_short", "false", "-1")),
]  # fmt: skip


def sectors(symbol: str) -> str | None:
    return {"XYZ": "Information Technology"}.get(symbol)


@pytest.fixture
def market(build: Any) -> Any:
    return build.series([FLAT] * 6)


def prepared(build: Any, series: Any, held: int) -> Kernel:
    """A kernel at the second close (2024-01-03 16:00) holding ``held`` XYZ, no rules yet."""
    kernel: Kernel = build.kernel(series)
    kernel.risk.sector_of = sectors
    kernel.run_until(int(series.ts[0]))
    if held:
        kernel.submit_order("XYZ", BUY, held)
    kernel.run_until(int(series.ts[1]))
    assert kernel.position("XYZ").qty == held
    return kernel


def denial_of(kernel: Kernel, order: Order) -> OrderDenied:
    return next(e for e in kernel.events if isinstance(e, OrderDenied) and e.order_id == order.id)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_rule(build: Any, market: Any, row: Row) -> None:
    kernel = prepared(build, market, row.held)
    kernel.risk.configure(RiskSettings.read(row.settings))
    for _ in range(row.before):
        assert kernel.submit_order("XYZ", BUY, 1, limit="90.00").status is OrderStatus.ACCEPTED
    order = kernel.submit_order("XYZ", row.side, row.qty, **row.options)
    if row.expected is None:
        assert order.status is OrderStatus.ACCEPTED, order.reject_message
        assert not any(isinstance(e, OrderDenied) for e in kernel.events)
        return
    assert order.status is OrderStatus.REJECTED
    assert order.reject_reason is RejectReason.RISK_DENIED
    event = denial_of(kernel, order)
    assert (event.rule, event.limit, event.value) == row.expected
    assert event.message == order.reject_message
    assert kernel.risk.snapshot().denials[-1].symbol == "XYZ"


def test_every_rule_of_the_schema_has_a_row() -> None:
    """Each pre-trade rule the settings can set is denied by at least one row."""
    denied = {r.expected[0] for r in ROWS if r.expected is not None}
    rules = set(
        RiskSettings.read(
            {
                "limits": {
                    "max_position_qty": 1, "max_position_value": 1, "max_gross_exposure": 1,
                    "max_net_exposure": 1, "max_gross_exposure_pct": 1,
                    "max_net_exposure_pct": 1, "max_order_qty": 1, "max_order_value": 1,
                    "max_open_orders": 1, "max_orders_per_minute": 1, "min_bar_volume": 1,
                    "max_volume_share_pct": 1, "sector_max_pct": {"Technology": 1},
                },
                "hours": {"regular_hours_only": True, "start": "10:00",
                          "blackouts": [{"start": "2024-01-01T00:00:00Z",
                                         "end": "2024-01-02T00:00:00Z"}]},
                "symbols": {"enabled": ["XYZ"], "disabled": ["ABC"], "allow_short": False},
            }
        ).active_rules()
    )  # fmt: skip
    assert rules == denied


def test_a_holiday_is_closed_by_the_exchange_calendar(build: Any) -> None:
    """2012-12-25 is a Tuesday but no trading day: noon that day is denied; 2012-12-24
    (an early close at 13:00) is open at 12:00 and closed at 13:30."""
    days = [date(2012, 12, 21), date(2012, 12, 24), date(2012, 12, 26)]
    series = build.series([FLAT] * 3, ts=[build.ny_ns(d) for d in days])
    kernel: Kernel = build.kernel(series)
    kernel.risk.configure(RiskSettings.read({"hours": {"regular_hours_only": True}}))
    kernel.run_until(build.ny_ns(date(2012, 12, 24), 12))
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.ACCEPTED
    kernel.run_until(build.ny_ns(date(2012, 12, 24), 13, 30))
    late = kernel.submit_order("XYZ", BUY, 1)
    assert denial_of(kernel, late).value == "2012-12-24 13:30"
    kernel.run_until(build.ny_ns(date(2012, 12, 25), 12))
    order = kernel.submit_order("XYZ", BUY, 1)
    event = denial_of(kernel, order)
    assert (event.rule, event.value) == ("hours.regular_hours_only", "2012-12-25 12:00")


def test_the_window_is_the_exchange_s_local_time(build: Any) -> None:
    """Minute bars from 09:31 New York: at 09:59 the window 10:00-15:00 is shut, at 10:00
    it is open."""
    series = build.series([FLAT] * 40, freq="minute")
    kernel: Kernel = build.kernel(series)
    kernel.risk.configure(RiskSettings.read({"hours": {"start": "10:00", "end": "15:00"}}))
    kernel.run_until(int(series.ts[28]))  # 09:59
    early = kernel.submit_order("XYZ", BUY, 1)
    assert denial_of(kernel, early).value == "09:59"
    kernel.run_until(int(series.ts[29]))  # 10:00
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.ACCEPTED


def test_the_minute_window_slides_with_session_time(build: Any) -> None:
    """Two orders at 09:31 fill the minute; at 10:31 (60 s later) the first has left it."""
    series = build.series([FLAT] * 3, freq="minute")
    kernel: Kernel = build.kernel(series)
    kernel.risk.configure(RiskSettings.read({"limits": {"max_orders_per_minute": 2}}))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    kernel.run_until(int(series.ts[0]) + 30 * 10**9)
    kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    kernel.run_until(int(series.ts[1]))  # 60 s after the first: it no longer counts
    assert kernel.submit_order("XYZ", BUY, 1, limit="90.00").status is OrderStatus.ACCEPTED
    third = kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    assert denial_of(kernel, third).value == "3"


def test_no_rules_check_nothing(build: Any, market: Any) -> None:
    kernel = prepared(build, market, 0)
    assert (kernel.risk.active, kernel.risk.bar_work, kernel.risk.on_fills) == (False,) * 3
    assert kernel.submit_order("XYZ", BUY, 9000).status is OrderStatus.ACCEPTED


def test_a_denied_bracket_cancels_its_held_legs(build: Any, market: Any) -> None:
    kernel = prepared(build, market, 0)
    kernel.risk.configure(RiskSettings.read({"limits": {"max_order_qty": 5}}))
    entry = kernel.submit_order(
        "XYZ", BUY, 10, limit="100.00", order_class="bracket", take_profit="110.00",
        stop_loss="90.00",
    )  # fmt: skip
    assert entry.status is OrderStatus.REJECTED
    legs = [kernel.orders[leg] for leg in entry.legs]
    assert [leg.status for leg in legs] == [OrderStatus.CANCELED, OrderStatus.CANCELED]
