"""Safeguards: protective orders at the venue, kept in step with each position.

A margin account with 100 000 trades XYZ on daily bars; a market order sent
at a close fills at the next day's open.  Stop 5 % below and take-profit 10 %
above the average entry: bought at 100.00, the stop is 95.00 and the limit
110.00; 10 more bought at 108.00 make the average 104.00, the stop
104 × 0.95 = 98.80 and the limit 104 × 1.10 = 114.40.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, OrderStatus, OrderType
from paperbroker.model.events import OrderDenied, OrderFilled, RiskAdjusted
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.risk.safeguards import on_tick, price_tick
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.50, 100.00)
AT_108 = (108.00, 108.50, 107.50, 108.00)
PROTECT = {"safeguards": {"stop_loss_pct": 5, "take_profit_pct": 10}}


def protected(build: Any, rows: list[Any], settings: dict[str, Any] | None = None) -> Any:
    series = build.series(rows)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read(PROTECT if settings is None else settings))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(int(series.ts[1]))
    return kernel, series


def shown(orders: list[Order]) -> list[tuple[str, str, OrderType, Decimal, Any]]:
    return [
        (o.client_order_id.split("-")[1], o.side.value, o.order_type, o.qty,
         o.trail_percent if o.is_trailing else o.stop_price or o.limit_price)
        for o in orders
    ]  # fmt: skip


def test_a_fill_places_a_stop_and_a_take_profit_that_cancel_each_other(build: Any) -> None:
    kernel, _ = protected(build, [FLAT] * 4)
    working = kernel.open_orders()
    assert shown(working) == [
        ("sl", "sell", OrderType.STOP, Decimal(10), Decimal("95.00")),
        ("tp", "sell", OrderType.LIMIT, Decimal(10), Decimal("110.00")),
    ]
    stop, profit = working
    assert kernel._links.siblings(stop.id) == (profit.id,)
    assert all(o.client_order_id.startswith("risk-") for o in working)
    assert kernel.risk.snapshot().protective == {"XYZ": (stop.id, profit.id)}
    adjusted = [e for e in kernel.events if isinstance(e, RiskAdjusted)]
    assert [(e.what, e.value) for e in adjusted] == [("safeguard", "XYZ 10")]


def test_a_growing_position_gets_new_orders_for_all_of_it(build: Any) -> None:
    kernel, series = protected(build, [FLAT, FLAT, AT_108, AT_108, AT_108])
    first = kernel.open_orders()
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(int(series.ts[2]))
    assert [o.status for o in first] == [OrderStatus.CANCELED] * 2
    assert shown(kernel.open_orders()) == [
        ("sl", "sell", OrderType.STOP, Decimal(20), Decimal("98.80")),
        ("tp", "sell", OrderType.LIMIT, Decimal(20), Decimal("114.40")),
    ]


def test_a_flat_position_has_no_protective_orders(build: Any) -> None:
    kernel, series = protected(build, [FLAT] * 4)
    protective = kernel.open_orders()
    sell = kernel.submit_order("XYZ", SELL, 10)  # the stop's shares do not hold it back
    assert sell.status is OrderStatus.ACCEPTED
    kernel.run_until(int(series.ts[2]))
    assert kernel.position("XYZ").qty == 0
    assert kernel.open_orders() == []
    assert [o.status for o in protective] == [OrderStatus.CANCELED] * 2
    assert kernel.risk.snapshot().protective == {}


def test_the_stop_filling_closes_the_position(build: Any) -> None:
    kernel, series = protected(build, [FLAT, FLAT, (100.00, 100.50, 94.00, 95.00), FLAT])
    stop, profit = kernel.open_orders()
    kernel.run_until(int(series.ts[2]))
    assert stop.status is OrderStatus.FILLED
    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    (fill,) = [f for f in fills if f.order_id == stop.id]
    assert fill.price == Decimal("95.00")
    assert profit.status is OrderStatus.CANCELED
    assert kernel.position("XYZ").qty == 0
    assert kernel.open_orders() == []


def test_a_trailing_stop(build: Any) -> None:
    kernel, _ = protected(build, [FLAT] * 3, {"safeguards": {"trailing_stop_pct": 5}})
    assert shown(kernel.open_orders()) == [
        ("trail", "sell", OrderType.TRAILING_STOP, Decimal(10), Decimal(5))
    ]


def test_a_short_is_protected_above(build: Any) -> None:
    series = build.series([FLAT] * 3)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read(PROTECT))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", SELL, 10)
    kernel.run_until(int(series.ts[1]))
    assert shown(kernel.open_orders()) == [
        ("sl", "buy", OrderType.STOP, Decimal(10), Decimal("105.00")),
        ("tp", "buy", OrderType.LIMIT, Decimal(10), Decimal("90.00")),
    ]


def test_protective_orders_are_not_counted_nor_denied(build: Any) -> None:
    settings = {**PROTECT, "limits": {"max_open_orders": 1, "max_order_qty": 10}}
    kernel, series = protected(build, [FLAT] * 4, settings)
    assert len(kernel.open_orders()) == 2  # placed although max_open_orders is 1
    assert kernel.submit_order("XYZ", BUY, 10).status is OrderStatus.ACCEPTED
    kernel.run_until(int(series.ts[2]))
    assert shown(kernel.open_orders())[0][3] == Decimal(20)  # over max_order_qty 10
    first = kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    assert first.status is OrderStatus.ACCEPTED
    second = kernel.submit_order("XYZ", BUY, 1, limit="90.00")
    denial = next(e for e in kernel.events if isinstance(e, OrderDenied))
    assert (denial.order_id, denial.rule, denial.value) == (
        second.id, "limits.max_open_orders", "2",
    )  # fmt: skip


def test_turning_safeguards_on_protects_what_is_held_and_off_removes_it(build: Any) -> None:
    kernel, _ = protected(build, [FLAT] * 3, {})
    assert kernel.open_orders() == []
    placed = kernel.risk_command("configure", {"settings": PROTECT})
    assert placed.submitted == tuple(o.id for o in kernel.open_orders())
    assert len(placed.submitted) == 2
    removed = kernel.risk_command(
        "configure", {"settings": {"safeguards": {"stop_loss_pct": None, "take_profit_pct": None}}}
    )
    assert removed.canceled == placed.submitted
    assert kernel.open_orders() == []


def test_a_position_held_too_long_is_closed(build: Any) -> None:
    """Minute bars at 100.00 from 09:31: bought by the 09:32 bar (the fill is stamped with
    its close, 09:32); held 5 minutes at the 09:37 close, when a market order closes it
    at the open of the 09:38 bar, which opens that moment."""
    series = build.series([FLAT] * 10, freq="minute")
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"safeguards": {"max_holding_minutes": 5}}))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(int(series.ts[1]))
    opened = kernel.risk.snapshot().opened_at["XYZ"]
    assert opened == int(series.ts[1])  # 09:32
    kernel.run_until(int(series.ts[5]))  # 09:36: 4 minutes
    assert kernel.open_orders() == []
    kernel.run_until(int(series.ts[6]))  # 09:37: 5 minutes
    (event,) = [e for e in kernel.events if isinstance(e, RiskAdjusted)]
    assert (event.ts, event.what, event.value) == (int(series.ts[6]), "max_holding", "XYZ")
    (close,) = [o for o in kernel.orders.values() if o.client_order_id.startswith("risk-close")]
    assert (close.side, close.qty, close.status) == (SELL, Decimal(10), OrderStatus.FILLED)
    assert kernel.position("XYZ").qty == 0
    assert kernel.risk.snapshot().opened_at == {}


def test_a_fractional_position_is_guarded_in_whole_lots(build: Any) -> None:
    series = build.series([FLAT] * 3, instrument=Instrument.equity("XYZ", fractionable=True))
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"safeguards": {"stop_loss_pct": 5}}))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, "10.5")
    kernel.run_until(int(series.ts[1]))
    assert shown(kernel.open_orders()) == [
        ("sl", "sell", OrderType.STOP, Decimal(10), Decimal("95.00"))
    ]


def test_a_client_id_a_client_took_first_is_skipped(build: Any) -> None:
    series = build.series([FLAT] * 3)
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read(PROTECT))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 10, client_order_id="risk-sl-XYZ-1")
    kernel.run_until(int(series.ts[1]))
    ids = [o.client_order_id for o in kernel.open_orders()]
    assert ids == ["risk-sl-XYZ-2", "risk-tp-XYZ-3"]


def test_an_order_the_instrument_cannot_take_is_left_out(build: Any) -> None:
    """A trailing stop of 100 % is no order; the stop beside it is placed."""
    settings = {"safeguards": {"stop_loss_pct": 5, "trailing_stop_pct": 100}}
    kernel, _ = protected(build, [FLAT] * 3, settings)
    assert shown(kernel.open_orders()) == [
        ("sl", "sell", OrderType.STOP, Decimal(10), Decimal("95.00"))
    ]


def test_protective_prices_of_an_equity_are_whole_cents_above_a_dollar() -> None:
    # An average entry of 409.4551 on a 0.0001 grid: a 5 % stop is 388.982345, placed
    # at 388.98 (down, away from the price); a 10 % take profit 450.40061 at 450.41.
    fine = Instrument.equity("AAPL", tick_size="0.0001")
    assert price_tick(fine, Decimal("409.4551")) == Decimal("0.01")
    assert on_tick(Decimal("388.982345"), Decimal("0.01"), ROUND_FLOOR) == Decimal("388.98")
    assert on_tick(Decimal("450.40061"), Decimal("0.01"), ROUND_CEILING) == Decimal("450.41")
    # Below a dollar the instrument's own tick; a currency pair keeps its pips.
    assert price_tick(fine, Decimal("0.5123")) == Decimal("0.0001")
    assert price_tick(Instrument.fx("EURUSD"), Decimal("1.3")) == Decimal("0.00001")
