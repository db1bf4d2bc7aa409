"""A journal's orders replay through one type, ``OrderTerms``, into the same events.

``fixtures/orders_journal.jsonl`` is the journal (kind, schema version,
payload) of a bare kernel's session written before ``OrderTerms`` carried an
order's terms: market, limit, stop-limit, notional, ``ioc``, ``opg`` and
``cls`` orders, a bracket, an OCO with a stop-limit loss, an OTO, a trailing
stop, a replacement and a cancel, on the seeded ``equities_realistic`` venue.
Running each command it records again (``replay_order`` reads an
``OrderSubmitted`` back as ``OrderTerms.of(event)``) must submit every order
again to the byte. The fills in between are the venue's business: they
follow the fill rules of the version that replays (an order now meets a bar
in progress at its arrival), which is why the orders, not every event, are
compared.
"""

from __future__ import annotations

import json
import typing
from decimal import Decimal
from pathlib import Path

import numpy as np

from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.data.series import BarSeries
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.engine.order_entry import OrderTerms, TermOptions
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.codec import decode_event, encode_event
from paperbroker.model.enums import AccountType, OrderSide
from paperbroker.model.events import AdvanceRequested, CancelRequested, OrderSubmitted
from paperbroker.model.instrument import Instrument
from paperbroker.session.spec import replay_order
from paperbroker.venue.execution import preset

JOURNAL = Path(__file__).parent / "fixtures" / "orders_journal.jsonl"
DAY = 390 * 60 * 10**9
TS = (
    np.array(
        [1704229200, 1704315600, 1704402000, 1704488400, 1704747600, 1704834000], dtype=np.int64
    )
    * 10**9
)


def fresh_kernel() -> Kernel:
    """The kernel the journal was written on: six daily XYZ bars, a 2x margin account."""
    bars = BarSeries(
        Instrument.equity("XYZ"), TS,
        open=np.array([100.0, 100.0, 103.0, 105.0, 101.0, 99.0]),
        high=np.array([101.0, 104.0, 106.0, 105.5, 102.0, 100.5]),
        low=np.array([99.0, 99.5, 102.0, 100.0, 98.0, 97.5]),
        close=np.array([100.0, 103.0, 105.0, 101.0, 99.5, 100.0]),
        volume=np.full(6, 1e6), duration_ns=DAY,
    )  # fmt: skip
    account = Account(
        AccountId("demo"), Decimal(100_000), AccountConfig(AccountType.MARGIN, Decimal(2))
    )
    venue = preset("equities_realistic", seed=3).venue_config()
    return Kernel(HistoricalFeed([bars]), account, venue, SimClock(int(TS[0]) - DAY))


def test_a_journal_written_before_order_terms_submits_the_same_orders_to_the_byte() -> None:
    stored = [tuple(json.loads(line)) for line in JOURNAL.read_text().splitlines()]
    kernel = fresh_kernel()
    for kind, version, payload in stored:
        event = decode_event(kind, version, payload)
        if isinstance(event, OrderSubmitted):
            replay_order(kernel, event)
        elif isinstance(event, CancelRequested):
            kernel.cancel_order(event.order_id)
        elif isinstance(event, AdvanceRequested):
            kernel.run_until(event.until)
    commands = {"OrderSubmitted", "CancelRequested", "AdvanceRequested"}
    replayed = [tuple(encode_event(e)) for e in kernel.events]
    assert [e for e in replayed if e[0] in commands] == [e for e in stored if e[0] in commands]
    assert sum(e[0] == "OrderSubmitted" for e in stored) >= 10
    kinds = {kind for kind, _, _ in stored}
    assert {"OrderFilled", "OrderReplaced", "OrderReleased", "OrderSized"} <= kinds


def test_order_terms_of_a_submitted_order_are_the_terms_it_was_asked_with() -> None:
    kernel = fresh_kernel()
    kernel.run_until(int(TS[0]))
    asked = [
        OrderTerms("XYZ", OrderSide.BUY, Decimal(10), client_order_id="a"),
        OrderTerms("XYZ", OrderSide.BUY, notional=Decimal("1000.50"), client_order_id="n"),
        OrderTerms(
            "XYZ",
            OrderSide.BUY,
            Decimal(20),
            order_class="bracket",
            take_profit=Decimal("105.50"),
            stop_loss=Decimal("98.00"),
            client_order_id="b",
        ),
        OrderTerms(
            "XYZ",
            OrderSide.SELL,
            Decimal(5),
            tif="gtc",
            trail_percent=Decimal(2),
            client_order_id="c",
        ),
    ]
    for terms in asked:
        order = kernel.submit(terms)
        submitted = next(
            e for e in kernel.events if isinstance(e, OrderSubmitted) and e.order_id == order.id
        )
        again = OrderTerms.of(submitted)
        assert (again.symbol, again.side, again.client_order_id) == (
            terms.symbol, terms.side, terms.client_order_id,
        )  # fmt: skip
        assert (again.qty, again.notional, again.take_profit, again.trail_percent) == (
            terms.qty, terms.notional, terms.take_profit, terms.trail_percent,
        )  # fmt: skip
        assert again.order_class == terms.order_class


def test_keyword_options_name_every_term_after_symbol_side_and_qty() -> None:
    fields = list(OrderTerms._fields)
    assert fields[:3] == ["symbol", "side", "qty"]
    assert list(typing.get_type_hints(TermOptions)) == fields[3:]
