"""Crash rounds: a trading server killed at each named crash point, restarted, checked.

The trading server is a real ``paperbroker serve`` with a live session whose
broker is a second paperbroker server (an account there: a backtest session
whose clock the test moves, so orders fill). In each round the server runs
armed (``PAPERBROKER_CRASH_AT=<point>:<n>``, ``n`` drawn from the round's
seed), a client trades through its API until the point kills it, and the
server starts again unarmed. Then, once the broker has filled every order:

- **no acknowledged order is lost**: every order the client got a 2xx for is
  in the restarted server's books;
- **no broker order is duplicated**: the broker (``/v2/orders?status=all``)
  holds at most one order per ``client_order_id``, and one for every order
  of the session;
- **the books are the broker's**: the session's position (quantity and
  average price) is the broker's, each order filled as far as its broker
  order, without a reconciliation having to adopt anything;
- **a checkpoint cut mid-write is not stored**: the session written has the
  checkpoints it had before and came back from the newest of them;
- SQLite's ``PRAGMA integrity_check`` is ``ok``.

``PAPERBROKER_CRASH_ROUNDS`` is the number of rounds per crash point and
database (default 2, what ``make test`` runs); docs/recovery.md gives the
command of a full run and its result.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.broker import conftest as brokers
from tests.compat.conftest import LiveServer, make_bot
from tests.reliability.crash_rig import DEADLINE, Account, Trading, at_broker, sent, settle
from tests.waiting import wait_for

from paperbroker.core.crashpoints import POINTS

#: Rounds per crash point and database.
ROUNDS = int(os.environ.get("PAPERBROKER_CRASH_ROUNDS", "2"))

broker_server = brokers.broker_server


@pytest.fixture
def trading(database_url: str, broker_server: LiveServer, tmp_path: Path) -> Iterator[Trading]:
    """A trading server with a live session at a fresh broker account, holding a first
    filled order."""
    account = Account.of(make_bot(broker_server))
    made = Trading(database_url, tmp_path, account)
    made.start()
    try:
        made.open_session()
        wait_for(lambda: made.buy(1), "a first order the session takes", DEADLINE)
        settle(made)
        yield made
    finally:
        made.stop()


def place(trading: Trading, rng: random.Random, most: int) -> list[str]:
    """Buy up to ``most`` times, one after the other, until the server stops answering;
    the ids of the orders it acknowledged."""
    acked: list[str] = []
    for _ in range(most):
        order = trading.buy(rng.randint(1, 2))
        if order is None:
            break
        acked.append(order)
    return acked


@dataclass
class Crashed:
    """What an armed run left: the orders acknowledged, and for a checkpoint's write the
    session written and its checkpoints before (newest first, (id, seq))."""

    acked: list[str]
    written: str | None = None
    checkpoints: list[tuple[int, int]] = field(default_factory=list)


def crash(point: str, trading: Trading, rng: random.Random) -> Crashed:
    """One armed run: trade until ``point`` kills the server."""
    if point in ("after-journal-before-send", "after-send-before-ack"):
        nth = rng.randint(1, 3)
        trading.start(crash_at=f"{point}:{nth}")
        crashed = Crashed(place(trading, rng, nth + 2))  # the n-th order sent kills it
    elif point == "while-fills-stream":
        nth = rng.randint(1, 3)
        trading.start(crash_at=f"{point}:{nth}")
        crashed = Crashed(place(trading, rng, 3))
        assert len(crashed.acked) == 3, "the server refused an order before any crash"
        wait_for(at_broker(trading, crashed.acked), "the orders at the broker", DEADLINE)
        trading.account.fill_everything()  # the n-th fill on the stream kills it
    else:
        assert point == "mid-checkpoint-write"
        trading.start(crash_at=point)
        crashed = Crashed(place(trading, rng, rng.randint(1, 3)), trading.id)
        if rng.random() < 0.5:  # or while they are on their way to the broker
            wait_for(at_broker(trading, crashed.acked), "the orders at the broker", DEADLINE)
        crashed.checkpoints = trading.checkpoints(trading.id)[0]
        answer = trading.checkpoint(trading.id)
        assert answer is None, f"the checkpoint was written (or refused): {answer}"
    trading.wait_dead(point)
    return crashed


def check_checkpoints(trading: Trading, crashed: Crashed, where: str) -> None:
    """The checkpoint whose write was cut is not there; the session came back from the
    newest one before it."""
    if crashed.written is None:
        return
    written = crashed.written

    def restored() -> Any:
        return trading.checkpoints(written)[1]

    restore = wait_for(restored, "the written session's restore", DEADLINE)
    listed, _ = trading.checkpoints(written)
    assert listed == crashed.checkpoints, f"{where}: a checkpoint cut mid-write is stored"
    newest = crashed.checkpoints[0][1] if crashed.checkpoints else None
    assert (restore["checkpoint_seq"], restore["skipped"]) == (newest, 0), where


def check(trading: Trading, acked: list[str], where: str) -> None:
    everything = trading.orders()
    lost = [order for order in acked if order not in everything]
    assert lost == [], f"{where}: acknowledged orders lost: {lost}"
    ours = sent(everything)
    assert set(acked) <= set(ours), f"{where}: acknowledged orders rejected"
    assert trading.account.duplicates() == {}, f"{where}: duplicate broker orders"
    at_broker = {str(o["client_order_id"]): o for o in trading.account.orders()}
    assert set(at_broker) == set(ours), f"{where}: the broker's orders are not the session's"
    assert {o["status"] for o in ours.values()} == {"filled"}, where
    (qty, _price) = trading.positions()["AAPL"]
    assert qty == sum(Decimal(o["filled_qty"]) for o in ours.values()), where
    adopted = [r for r in trading.reconciliations() if r["outcome"] != "clean"]
    assert adopted == [], f"{where}: reconciliation had to step in: {adopted}"
    assert trading.integrity() == "ok", where


@pytest.mark.parametrize("point", POINTS)
def test_a_server_killed_at_a_crash_point_loses_no_acknowledged_order_and_duplicates_none(
    point: str, trading: Trading, record_property: Callable[[str, object], None]
) -> None:
    acknowledged = 0
    for number in range(ROUNDS):
        rng = random.Random(f"{point}/{number}")
        where = f"round {number + 1} of {ROUNDS} at {point} (seed {point}/{number})"
        trading.stop()
        crashed = crash(point, trading, rng)
        trading.start()  # unarmed
        check_checkpoints(trading, crashed, where)
        settle(trading)
        check(trading, crashed.acked, where)
        acknowledged += len(crashed.acked)
    assert acknowledged > 0  # the rounds had something to lose
    # What a run did (in --junitxml's report): rounds, orders acknowledged, broker orders.
    record_property("rounds", ROUNDS)
    record_property("acknowledged", acknowledged)
    record_property("broker_orders", len(trading.account.orders()))
