"""No sequence of orders closes more than the position plus what the account may short.

Random sequences of market and limit buys and sells, OCO sells, bracket
entries (buys, and sells where the account may short), ``close_position``
by percentage or quantity (through the service's own :func:`close_quantity`),
cancels, replacements and advances, on cash and margin accounts, with and
without ``no_shorting``, over a shortable or an unshortable asset, with
whole or partial fills, through a real :class:`Kernel` over random bars.
Every sell is classed when it starts to work (accepted, or released as an
exit): *closing* if the position was long then, else *opening*.  Then, after
every fill:

- the closing sells have sold no more than was bought (what a long position
  held): a sell placed against a long position never turns it short, however
  its exits, brackets and partial fills interleave;
- the position is never below minus what the opening sells sold, and an
  account that may not short never holds a short position at all;
- an opening sell was accepted only where the account may short.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import AccountRules
from paperbroker.model.enums import AccountType, OrderSide
from paperbroker.model.events import Event, OrderAccepted, OrderFilled, OrderReleased
from paperbroker.model.instrument import Instrument
from paperbroker.services.session_config import close_quantity
from paperbroker.venue import VenueConfig, VolumeParticipation

BUY, SELL = OrderSide.BUY, OrderSide.SELL
ZERO = Decimal(0)

prices = st.integers(min_value=90, max_value=110)
quantities = st.integers(min_value=1, max_value=40)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.sampled_from([BUY, SELL]), quantities, st.none() | prices),
        st.tuples(st.just("oco"), quantities, st.integers(101, 110), st.integers(90, 99)),
        st.tuples(
            st.just("bracket"),
            st.sampled_from([BUY, SELL]),
            quantities,
            st.integers(1, 10),
            st.integers(1, 10),
        ),
        st.tuples(st.just("close"), st.none() | st.integers(1, 100), st.none() | quantities),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("replace"), st.integers(min_value=0, max_value=50), quantities),
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=3)),
    ),
    min_size=1,
    max_size=40,
)
#: Closes of a choppy market: limits and stops around 100 trade now and then.
closes = st.lists(st.integers(min_value=92, max_value=108), min_size=16, max_size=16)


class Ledger:
    """Sells classed as they start to work, and what each class has sold."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.closing: set[str] = set()
        self.opening: set[str] = set()
        self.bought = ZERO
        self.closed = ZERO  # sold by closing sells
        self.shorted = ZERO  # sold by opening sells
        kernel.subscribe(self.on_event)

    def on_event(self, event: Event) -> None:
        kernel = self.kernel
        if isinstance(event, OrderAccepted | OrderReleased):
            order = kernel.orders[event.order_id]
            if order.side is SELL:
                long = kernel.position("XYZ").qty > 0
                (self.closing if long else self.opening).add(order.id)
        elif isinstance(event, OrderFilled):
            fill = event.fill
            if fill.side is BUY:
                self.bought += fill.qty
            elif fill.order_id in self.closing:
                self.closed += fill.qty
            else:
                assert fill.order_id in self.opening, f"{fill.order_id} sold unclassed"
                self.shorted += fill.qty
            self.check()

    def check(self) -> None:
        position = self.kernel.position("XYZ").qty
        assert position == self.bought - self.closed - self.shorted
        assert self.closed <= self.bought, "sells against a long position oversold it"
        assert position >= -self.shorted


def run(
    build: Any, plan: list[Any], bars: list[int], account: dict[str, Any], start: int
) -> Ledger:
    """Buy ``start`` shares (filled at bar 1), then follow ``plan``."""
    rows = [(c, c + 2, c - 2, c, 1_000) for c in bars]
    instrument = Instrument.equity("XYZ", shortable=account["shortable"])
    series = build.series(rows, instrument=instrument)
    config = VenueConfig(fill_quantity=VolumeParticipation("0.01")) if account["partial"] else None
    kernel: Kernel = build.kernel(
        series, cash=50_000, account_type=account["type"], config=config,
        leverage=2 if account["type"] is AccountType.MARGIN else 1,
    )  # fmt: skip
    if account["no_shorting"]:
        kernel.configure_account("test", AccountRules(no_shorting=True))
    ledger = Ledger(kernel)
    bar = 0
    kernel.run_until(int(series.ts[0]))
    for step in [("order", BUY, start, None), ("advance", 1), *plan]:
        with contextlib.suppress(InvalidRequest, Conflict):  # a malformed or late request
            bar = act(kernel, step, bar)
    kernel.run_until(int(series.ts[-1]))  # what still works meets the last bars
    may_short = account["type"] is AccountType.MARGIN and account["shortable"]
    if not may_short or account["no_shorting"]:
        assert not ledger.opening, "an account that may not short took an opening sell"
    return ledger


def act(kernel: Kernel, step: tuple[Any, ...], bar: int) -> int:
    kind = step[0]
    if kind == "order":
        _, side, qty, limit = step
        kernel.submit_order("XYZ", side, qty, limit=limit, tif="gtc")
    elif kind == "oco":
        _, qty, profit, loss = step
        kernel.submit_order(
            "XYZ", SELL, qty, limit=profit, tif="gtc", order_class="oco", stop_loss=loss
        )
    elif kind == "bracket":
        _, side, qty, up, down = step
        profit, loss = (100 + up, 100 - down) if side is BUY else (100 - down, 100 + up)
        kernel.submit_order(
            "XYZ", side, qty, tif="gtc", order_class="bracket", take_profit=profit,
            stop_loss=loss,
        )  # fmt: skip
    elif kind == "close":
        _, percentage, qty = step
        held = kernel.position("XYZ").qty
        if held:
            amount = close_quantity(
                abs(held),
                None if percentage is not None else (None if qty is None else Decimal(qty)),
                None if percentage is None else Decimal(percentage),
                kernel.instruments[0],
            )
            kernel.submit_order("XYZ", SELL if held > 0 else BUY, amount)
    elif kind == "cancel":
        working = [o for o in kernel.orders.values() if o.is_open]
        if working:
            kernel.cancel_order(working[step[1] % len(working)].id)
    elif kind == "replace":
        working = kernel.open_orders()
        if working:
            kernel.replace_order(working[step[1] % len(working)].id, qty=step[2])
    else:
        bar = min(bar + step[1], len(kernel.feed.ts) - 1)
        kernel.run_until(int(kernel.feed.ts[bar]))
    return bar


accounts = st.fixed_dictionaries(
    {
        "type": st.sampled_from([AccountType.CASH, AccountType.MARGIN]),
        "shortable": st.booleans(),
        "no_shorting": st.booleans(),
        "partial": st.booleans(),
    }
)


@settings(max_examples=300, deadline=None)
@given(plan=steps, bars=closes, account=accounts, start=quantities)
def test_no_sequence_of_orders_closes_more_than_the_position_and_the_shorts_allowed(
    build: Any, plan: list[Any], bars: list[int], account: dict[str, Any], start: int
) -> None:
    ledger = run(build, plan, bars, account, start)
    ledger.check()
