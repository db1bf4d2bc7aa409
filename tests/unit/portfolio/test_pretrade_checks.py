"""Pre-trade checks: what an account may not do is rejected, visibly, as an event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperbroker.data.bar import Bar
from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus, RejectReason
from paperbroker.model.events import AdvanceRequested, OrderFilled, OrderRejected, OrderSubmitted
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.strategy.base import Strategy
from paperbroker.venue import PerShareCommission, VenueConfig

BUY, SELL = OrderSide.BUY, OrderSide.SELL
CASH, MARGIN = AccountType.CASH, AccountType.MARGIN
FLAT = (100.00, 100.50, 99.00, 100.00)  # every bar opens and closes at 100.00


def kernel_after_first_bar(build: Any, **kwargs: Any) -> Kernel:
    """A kernel over 4 flat bars, run to the close of bar 0 (mark 100.00)."""
    series = build.series([FLAT] * 4, instrument=kwargs.pop("instrument", None))
    kernel = build.kernel(series, **kwargs)
    kernel.run_until(int(series.ts[0]))
    return kernel


def run_to_end(kernel: Kernel) -> None:
    kernel.run_until(int(kernel.feed.ts[-1]))


class _SellShortOnFirstBar(Strategy):
    def __init__(self) -> None:
        super().__init__()
        self.updates: list[tuple[str, OrderStatus]] = []
        self.order: Order | None = None

    def on_bar(self, bar: Bar) -> None:
        if self.order is None:
            self.order = self.ctx.sell(bar.symbol, 10)

    def on_order(self, order: Order) -> None:
        self.updates.append((order.id, order.status))


def test_cash_account_short_sale_rejected_with_event_and_on_order(build: Any) -> None:
    series = build.series([FLAT] * 3)
    strategy = _SellShortOnFirstBar()
    kernel = build.kernel(series, cash=10_000, account_type=CASH, strategy=strategy)
    run_to_end(kernel)

    order = strategy.order
    assert order is not None
    assert order.status is OrderStatus.REJECTED
    assert [type(e) for e in kernel.events] == [AdvanceRequested, OrderSubmitted, OrderRejected]
    rejected = kernel.events[-1]
    assert isinstance(rejected, OrderRejected)
    assert rejected.reason is RejectReason.SHORT_NOT_ALLOWED
    assert "cash account" in rejected.message
    assert rejected.ts == int(series.ts[0])
    assert strategy.updates == [(order.id, OrderStatus.REJECTED)]
    assert kernel.position("XYZ").qty == 0
    assert kernel.open_orders() == []


def test_cash_account_selling_held_position_accepted_but_not_more(build: Any) -> None:
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=CASH)
    kernel.submit_order("XYZ", BUY, 50)
    kernel.run_until(int(kernel.feed.ts[1]))  # filled at 100.00
    assert kernel.position("XYZ").qty == 50

    assert kernel.submit_order("XYZ", SELL, 51).status is OrderStatus.REJECTED
    # Working sells count: 30 + 30 would sell 60 of 50 held.
    first = kernel.submit_order("XYZ", SELL, 30, limit="150.00", tif="gtc")
    second = kernel.submit_order("XYZ", SELL, 30, limit="150.00", tif="gtc")
    assert (first.status, second.status) == (OrderStatus.ACCEPTED, OrderStatus.REJECTED)
    assert kernel.submit_order("XYZ", SELL, 20).status is OrderStatus.ACCEPTED


def test_cash_account_insufficient_buying_power_rejected(build: Any) -> None:
    # Mark 100.00, cash 10 000: 100 shares cost 10 000 (fits), 101 cost 10 100 (does not).
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=CASH)
    too_big = kernel.submit_order("XYZ", BUY, 101)
    assert too_big.status is OrderStatus.REJECTED
    rejected = kernel.events[-1]
    assert isinstance(rejected, OrderRejected)
    assert rejected.reason is RejectReason.INSUFFICIENT_BUYING_POWER
    assert "10100.00" in rejected.message
    assert "10000.00" in rejected.message
    assert kernel.submit_order("XYZ", BUY, 100).status is OrderStatus.ACCEPTED


def test_buying_power_check_includes_commission(build: Any) -> None:
    # 0.01/share, min 1.00: 100 shares cost 10 000 + 1.00 > 10 000; 99 cost 9 900 + 1.00.
    config = VenueConfig(commission=PerShareCommission("0.01", minimum="1"))
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=CASH, config=config)
    assert kernel.submit_order("XYZ", BUY, 100).status is OrderStatus.REJECTED
    assert kernel.submit_order("XYZ", BUY, 99).status is OrderStatus.ACCEPTED


def test_working_buy_orders_reserve_buying_power(build: Any) -> None:
    # 60 @ 99.00 reserves 5 940 of 10 000; 50 @ 99.00 (4 950) no longer fits in 4 060.
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=CASH)
    first = kernel.submit_order("XYZ", BUY, 60, limit="99.00", tif="gtc")
    second = kernel.submit_order("XYZ", BUY, 50, limit="99.00", tif="gtc")
    third = kernel.submit_order("XYZ", BUY, 41, limit="99.00", tif="gtc")  # 4 059 fits
    assert [o.status for o in (first, second, third)] == [
        OrderStatus.ACCEPTED,
        OrderStatus.REJECTED,
        OrderStatus.ACCEPTED,
    ]


def test_margin_account_leverage_2_allows_shorts_and_double_exposure(build: Any) -> None:
    # Equity 10 000, leverage 2: up to 20 000 of exposure, i.e. 200 shares at 100.00.
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=MARGIN, leverage=2)
    assert kernel.submit_order("XYZ", BUY, 201).status is OrderStatus.REJECTED
    assert kernel.submit_order("XYZ", SELL, 201).status is OrderStatus.REJECTED
    assert kernel.submit_order("XYZ", SELL, 200).status is OrderStatus.ACCEPTED


def test_margin_account_leverage_2_long_fill_uses_all_buying_power(build: Any) -> None:
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=MARGIN, leverage=2)
    assert kernel.submit_order("XYZ", BUY, 200).status is OrderStatus.ACCEPTED
    kernel.run_until(int(kernel.feed.ts[1]))  # 200 filled at the open 100.00
    portfolio = kernel.portfolio
    # cash 10 000 - 20 000 = -10 000; 200 * 100 = 20 000 of exposure; equity 10 000.
    assert portfolio.cash == Decimal("-10000.00")
    assert portfolio.gross_exposure() == Decimal("20000.00")
    assert portfolio.equity == Decimal("10000.00")
    assert portfolio.buying_power == 0
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.REJECTED
    assert kernel.submit_order("XYZ", SELL, 200).status is OrderStatus.ACCEPTED  # reducing


def test_margin_account_short_of_unshortable_instrument_rejected(build: Any) -> None:
    instrument = Instrument("XYZ", shortable=False)
    kernel = kernel_after_first_bar(build, account_type=MARGIN, instrument=instrument)
    order = kernel.submit_order("XYZ", SELL, 1)
    assert order.status is OrderStatus.REJECTED
    rejected = kernel.events[-1]
    assert isinstance(rejected, OrderRejected)
    assert rejected.reason is RejectReason.SHORT_NOT_ALLOWED
    assert "not shortable" in rejected.message


def test_market_order_before_any_bar_rejected_as_unpriced(build: Any) -> None:
    series = build.series([FLAT] * 2)
    kernel = build.kernel(series)
    order = kernel.submit_order("XYZ", BUY, 1)
    assert order.status is OrderStatus.REJECTED
    rejected = kernel.events[-1]
    assert isinstance(rejected, OrderRejected)
    assert rejected.reason is RejectReason.INVALID_ORDER
    # A limit order brings its own price and may wait for the first bar.
    assert kernel.submit_order("XYZ", BUY, 1, limit="99.00").status is OrderStatus.ACCEPTED


def test_rejected_order_never_fills(build: Any) -> None:
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=CASH)
    kernel.submit_order("XYZ", BUY, 1000)
    run_to_end(kernel)
    assert not any(isinstance(e, OrderFilled) for e in kernel.events)
    assert kernel.portfolio.cash == 10_000


def test_margin_account_working_short_sales_reserve_buying_power(build: Any) -> None:
    # Leverage 2 on 10 000: 20 000 of exposure.  The first short of 200 @ 100.00 uses it
    # all; a second one would double it, so it must be rejected like the buy side is.
    kernel = kernel_after_first_bar(build, cash=10_000, account_type=MARGIN, leverage=2)
    first = kernel.submit_order("XYZ", SELL, 200, limit="100.00", tif="gtc")
    second = kernel.submit_order("XYZ", SELL, 200, limit="100.00", tif="gtc")
    assert first.status is OrderStatus.ACCEPTED
    assert second.status is OrderStatus.REJECTED


def test_margin_account_covering_buys_beyond_short_are_checked(build: Any) -> None:
    # Margin, leverage 1, equity 1 000: short 10 @ 100.00 uses all buying power (0 left).
    kernel = kernel_after_first_bar(build, cash=1_000, account_type=MARGIN)
    kernel.submit_order("XYZ", SELL, 10)
    kernel.run_until(int(kernel.feed.ts[1]))
    assert kernel.portfolio.buying_power == 0
    # One buy of 10 covers the short.  A second buy of 10 would open a new long of
    # 10 * 99.50 = 995 with no buying power left: it must be rejected.
    cover = kernel.submit_order("XYZ", BUY, 10, limit="99.50", tif="gtc")
    extra = kernel.submit_order("XYZ", BUY, 10, limit="99.50", tif="gtc")
    assert cover.status is OrderStatus.ACCEPTED
    assert extra.status is OrderStatus.REJECTED
