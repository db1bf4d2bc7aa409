"""The broker's process dies under a live session's stream and comes back: every fill
reaches the session exactly once.

The broker is a second ``paperbroker serve`` in a process of its own (an account
there: a backtest session whose clock the test moves), reached through a relay
the test can cut; the trading server is a real ``paperbroker serve`` too. Twice
the broker is killed (``SIGKILL``) and started again on its database:

1. while its stream carries the fills of three orders: whatever the stream
   delivered before the broker died is applied, the rest is caught up through
   REST when the stream reconnects;
2. then, while the session cannot reach it (the relay cut), it fills three
   more orders: no stream carries them, and the REST catch-up of the
   reconnection finds every one.

Each time the session's books become the broker's by its own catch-up: the
session holds one fill per broker fill, each order filled as far as at the
broker, the broker's position, and every reconciliation of the session found
nothing to adopt (a fill the catch-up missed would be one it adopts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from bench.server_process import ServerProcess
from tests.broker.proxy import Relay
from tests.reliability.crash_rig import (
    DEADLINE,
    Trading,
    account_at,
    at_broker,
    sent,
    settle,
)
from tests.waiting import wait_for


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[ServerProcess]:
    """The broker: a ``paperbroker serve`` process on a SQLite file of its own."""
    folder = tmp_path / "broker"
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'broker.db'}", env={"PAPERBROKER_DATA_DIR": str(folder / "data")},
        log_dir=folder / "logs",
    )  # fmt: skip
    server.start()
    try:
        yield server
    finally:
        server.stop()


def exactly_once(trading: Trading) -> None:
    """The session holds each of the broker's fills once, and the broker's books."""
    at_broker_fills = trading.account.fills()
    ours = trading.fills()
    assert len(ours) == len(at_broker_fills)
    by_order = Counter[str]()
    for fill in ours:
        by_order[fill["order_id"]] += 1
    broker_orders = {str(o["client_order_id"]): o for o in trading.account.orders()}
    broker_by_order = Counter[str]()
    for fill in at_broker_fills:
        (local,) = [i for i, o in broker_orders.items() if o["id"] == fill["order_id"]]
        broker_by_order[local] += 1
    assert by_order == broker_by_order
    for order_id, order in sent(trading.orders()).items():
        assert Decimal(order["filled_qty"]) == Decimal(broker_orders[order_id]["filled_qty"])
    assert trading.positions() == trading.account.positions()
    assert [r for r in trading.reconciliations() if r["outcome"] != "clean"] == []


def bought(trading: Trading, *quantities: int) -> list[str]:
    """Market buys the session acknowledges, once they are at the broker."""
    orders = [trading.buy(qty) for qty in quantities]
    taken = [order for order in orders if order is not None]
    assert len(taken) == len(quantities)
    wait_for(at_broker(trading, taken), "the orders at the broker", DEADLINE)
    return taken


def reconnections(trading: Trading) -> int:
    return sum(r["trigger"] == "reconnect" for r in trading.reconciliations())


def test_a_broker_killed_mid_stream_and_restarted_leaves_every_fill_applied_once(
    broker: ServerProcess, database_url: str, tmp_path: Path
) -> None:
    account = account_at(broker)
    relay = Relay(broker.port)
    trading = Trading(database_url, tmp_path / "trading", account)
    trading.start()
    try:
        trading.open_session(base_url=relay.url)
        wait_for(lambda: trading.buy(1), "a first order the session takes", DEADLINE)
        settle(trading)
        exactly_once(trading)

        # 1. The broker dies while its stream carries fills.
        orders = bought(trading, 1, 2, 3)
        account.fill_everything()
        broker.kill()
        broker.start()
        wait_for(lambda: reconnections(trading) >= 1, "the stream reconnected", DEADLINE)
        settle(trading)
        exactly_once(trading)

        # 2. Down again; back, and filling while the session cannot reach it.
        orders = bought(trading, 3, 2, 1)
        relay.cut()
        broker.kill()
        broker.start()
        account.fill_everything()  # no stream tells the session
        assert all(trading.orders()[o]["status"] != "filled" for o in orders)
        relay.resume()
        wait_for(lambda: reconnections(trading) >= 2, "the stream reconnected", DEADLINE)
        settle(trading)
        exactly_once(trading)
        assert len(trading.account.fills()) == 7
    finally:
        relay.close()
        trading.stop()
