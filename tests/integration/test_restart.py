"""kill -9 the server while a client trades and advances time; nothing acknowledged is lost.

Each round starts the real server on the same database, runs a client that
submits orders and advances the clock, kills the server with SIGKILL at a
random moment, restarts it and checks the client's own record: every
acknowledged order is there, no order is filled beyond its quantity, every
position equals the sum of its orders' fills (a duplicated fill would break
it), and the clock stands at or after the last acknowledged time.  Twenty
rounds on SQLite and twenty on PostgreSQL.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from decimal import Decimal

from bench.server_process import ServerProcess, call

ROUNDS = 20


class Client:
    """Submits orders and advances the clock, remembering only what was acknowledged."""

    def __init__(self, server: ServerProcess, session: str, account: str, seed: int) -> None:
        self.server = server
        self.session = session
        self.account = account
        self.random = random.Random(seed)
        self.acked_orders: set[str] = set()
        self.acked_time = ""
        self.stop = threading.Event()

    def run(self) -> None:
        counter = 0
        while not self.stop.is_set():
            counter += 1
            try:
                if self.random.random() < 0.3:
                    status, body = call(
                        self.server, "POST", f"/v1/sessions/{self.session}/time/advance",
                        {"duration": 24 * 60}, timeout=5,
                    )  # fmt: skip
                    if status == 200:
                        self.acked_time = max(self.acked_time, body["currentTime"])
                else:
                    side = self.random.choice(["buy", "buy", "sell"])
                    status, body = call(
                        self.server, "POST", f"/v1/trading/accounts/{self.account}/orders",
                        {"symbol": self.random.choice(["AAPL", "MSFT", "IBM"]), "side": side,
                         "qty": str(self.random.randint(1, 5)), "type": "market",
                         "client_order_id": f"c-{self.random.random()}-{counter}"},
                        session=self.session, timeout=5,
                    )  # fmt: skip
                    if status == 200:
                        self.acked_orders.add(body["id"])
            except (OSError, http.client.HTTPException):
                # The server died under us (maybe mid-answer): what was in flight
                # was not acknowledged.
                return


def check(server: ServerProcess, client: Client) -> None:
    status, orders = call(
        server, "GET", f"/v1/trading/accounts/{client.account}/orders?status=all",
        session=client.session,
    )  # fmt: skip
    assert status == 200
    assert client.acked_orders <= {order["id"] for order in orders}, "an acknowledged order is lost"
    expected: dict[str, Decimal] = {}
    for order in orders:
        filled = Decimal(order["filled_qty"])
        assert filled <= Decimal(order["qty"]), f"order {order['id']} is overfilled"
        sign = 1 if order["side"] == "buy" else -1
        expected[order["symbol"]] = expected.get(order["symbol"], Decimal(0)) + sign * filled
    status, positions = call(
        server, "GET", f"/v1/trading/accounts/{client.account}/positions", session=client.session
    )
    assert status == 200
    held = {p["symbol"]: Decimal(p["qty"]) for p in positions}
    assert held == {s: q for s, q in expected.items() if q}, "positions != sum of fills"
    status, session = call(server, "GET", f"/v1/sessions/{client.session}")
    assert status == 200
    assert session["current_time"] >= client.acked_time, "the clock went back"
    assert session["playback_state"] == "paused"


def test_kill_9_at_random_moments_loses_nothing_acknowledged(database_url: str) -> None:
    server = ServerProcess(database_url)
    server.start()
    status, session = call(
        server, "POST", "/v1/sessions",
        {"startTime": "2005-01-03T14:30:00Z", "endTime": "2012-12-31T21:00:00Z",
         "initialCash": "10000000"},
    )  # fmt: skip
    assert status == 201
    status, account = call(server, "POST", "/v1/accounts", {}, session=session["id"])
    assert status == 200
    client = Client(server, session["id"], account["id"], seed=0)
    chooser = random.Random(7)
    try:
        for round_number in range(ROUNDS):
            client.random.seed(round_number)
            worker = threading.Thread(target=client.run)
            worker.start()
            time.sleep(chooser.uniform(0.05, 0.6))
            server.kill()  # mid-request, most of the time
            client.stop.set()
            worker.join(timeout=10)
            client.stop.clear()
            server.start()
            check(server, client)
        assert len(client.acked_orders) > ROUNDS  # the rounds did real work
    finally:
        server.stop()
