"""Broker reports in any order, any number of times: each fill is applied once.

A live session hears of a fill from the stream, from a catch-up, or both, in
any interleaving with the order's acknowledgement. Whatever the sequence,
the order's filled quantity and the position are the sum of the distinct
fills, each is one ``OrderFilled``, and a replay of the reports the session
kept (the news) rebuilds the very same events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.broker.venue import BrokerVenue, apply_reports, replay_report
from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId, OrderId
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import BrokerReported, OrderFilled
from paperbroker.model.order import Order

SERIES = synthetic_bars("SYN", n=20, start=datetime(2024, 1, 2, 15, tzinfo=UTC), seed=3)
QTY = Decimal(10)


def kernel() -> Kernel:
    account = Account(AccountId("live"), Decimal(1_000_000))
    clock = SimClock(int(SERIES.ts[0]) - SERIES.duration_ns)
    built = Kernel(HistoricalFeed([SERIES]), account, BrokerVenue.factory("alpaca"), clock)
    built.run_until(int(SERIES.ts[2]))
    return built


def submitted(k: Kernel) -> Order:
    order = k.submit_order("SYN", OrderSide.BUY, QTY)
    assert order.status is OrderStatus.ACCEPTED
    return order


fills = st.lists(st.integers(1, 4), min_size=1, max_size=4).filter(lambda q: sum(q) <= QTY)


@settings(max_examples=150, deadline=None)
@given(qtys=fills, data=st.data())
def test_any_interleaving_and_repetition_of_reports_applies_each_fill_once(
    qtys: list[int], data: st.DataObject
) -> None:
    live = kernel()
    order = submitted(live)
    oid = OrderId(order.id)
    distinct = [
        BrokerReported(0, oid, "fill", "B-1", f"exec-{i}", Decimal(q), Decimal(100 + i))
        for i, q in enumerate(qtys)
    ]
    base = [BrokerReported(0, oid, "accepted", "B-1"), *distinct]
    repeats = data.draw(st.lists(st.sampled_from(base), max_size=8))
    heard = data.draw(st.permutations(base + repeats))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(heard)), max_size=4)))
    news = 0
    for start, stop in zip([0, *cuts], [*cuts, len(heard)], strict=True):
        news += apply_reports(live, heard[start:stop])

    filled = [e for e in live.events if isinstance(e, OrderFilled)]
    assert len(filled) == len(qtys)
    # Each fill once, and the acknowledgement unless a fill (which names the
    # broker's order too) came first.
    first = next(r.update for r in heard if r.update in ("accepted", "fill"))
    assert news == len(qtys) + (first == "accepted")
    assert news == sum(isinstance(e, BrokerReported) for e in live.events)
    total = Decimal(sum(qtys))
    assert order.filled_qty == total
    assert live.books().positions["SYN"].qty == total
    assert order.status is (OrderStatus.FILLED if total == QTY else OrderStatus.PARTIALLY_FILLED)
    assert live.venue.outbox == {}  # the acknowledgement answered the submission

    # What was kept (the news) replays to the same events.
    replayed = kernel()
    submitted(replayed)
    start = len(replayed.events)
    for event in live.events[start:]:
        if isinstance(event, BrokerReported):
            replayed.events.append(event)
            replay_report(replayed.venue, event)
    assert replayed.events == live.events
