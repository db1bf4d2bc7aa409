"""kill -9 the server under three paper sessions; each comes back in its state and trades on.

On the real ``paperbroker serve``, on SQLite and on PostgreSQL: three paper
sessions on synthetic feeds (a bar every 0.1 to 0.2 s) with SMA pipelines,
on the default ``equities_realistic`` venue (partial fills, 50 ± 20 ms of
latency, so orders are in flight when the server dies):

- ``running`` trades on its bars, and a client thread submits orders by
  hand, remembering each one the server acknowledged; its risk agent's
  limit was changed by a command;
- ``paused`` was paused (its prices keep coming, trading halts) and its
  strategy agent stopped;
- ``stopped`` was stopped: its orders canceled, its positions closed.

Two rounds: the client trades, the server is killed with SIGKILL at a random
moment, restarted on the same database, and checked:

- each session is in its state again; every agent is as it was (the
  commanded ones too); the ended session's books and agents did not move;
- ``running`` trades on: its feed is connected again, new bars arrive, its
  strategy places new orders and new fills come;
- ``paused`` still refuses orders (409) while its prices keep coming;
  ``stopped`` refuses them too and its feed stays silent;
- every acknowledged order exists, none is filled beyond its quantity, and
  every session's positions equal the sum of its orders' fills.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.server_process import ServerProcess, call
from tests.waiting import wait_for

ROUNDS = 2
SYMBOLS = ["AAA", "BBB"]
SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 4, "allocation": 0.05}}
LIMIT = {"max_order_qty": "4000", "allow_short": False}  # the risk agent's commanded config


class Paper:
    """One paper session on the server, read and steered through ``/api/paper-trading``."""

    def __init__(self, server: ServerProcess, name: str, seed: int, interval: float) -> None:
        self.server = server
        self.name = name
        session = self.ok(
            "POST", "/api/paper-trading/sessions",
            {"name": name, "symbols": SYMBOLS, "strategy": SMA, "initial_cash": "1000000",
             "feed": {"type": "synthetic", "seed": seed, "interval_seconds": interval}},
        )  # fmt: skip
        assert session["state"] == "running"
        self.id: str = session["id"]

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = call(self.server, method, path, body, timeout=30)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def read(self) -> dict[str, Any]:
        session: dict[str, Any] = self.ok("GET", f"/api/paper-trading/sessions/{self.id}")
        return session

    def orders(self) -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = self.ok("GET", f"/api/paper-trading/{self.id}/orders")
        return orders

    def positions(self) -> dict[str, Decimal]:
        held = self.ok("GET", f"/api/paper-trading/{self.id}/positions")
        return {p["symbol"]: Decimal(p["qty"]) for p in held}

    def order(self, **fields: Any) -> tuple[int, Any]:
        body = {"symbol": "AAA", "side": "buy", "qty": "1", "type": "market", **fields}
        return call(self.server, "POST", f"/api/paper-trading/{self.id}/orders", body, timeout=5)

    def verb(self, name: str) -> dict[str, Any]:
        session: dict[str, Any] = self.ok("POST", f"/api/paper-trading/sessions/{self.id}/{name}")
        return session

    def agents(self) -> list[dict[str, Any]]:
        return [a for a in self.ok("GET", "/api/agents") if a["session_id"] == self.id]

    def agent(self, name: str) -> dict[str, Any]:
        return next(a for a in self.agents() if a["name"] == name)

    def fills(self) -> int:
        return int(self.read()["execution_quality"]["fills"])


class Client:
    """Submits market orders by hand to one session, remembering those acknowledged."""

    def __init__(self, session: Paper, seed: int) -> None:
        self.session = session
        self.random = random.Random(seed)
        self.acked: set[str] = set()
        self.refused = 0
        self.stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, round_number: int) -> None:
        self.stop.clear()
        self._thread = threading.Thread(target=self._run, args=(round_number,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        self.stop.set()
        assert self._thread is not None
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()

    def _run(self, round_number: int) -> None:
        counter = 0
        while not self.stop.is_set():
            counter += 1
            try:
                status, body = self.session.order(
                    symbol=self.random.choice(SYMBOLS),
                    side=self.random.choice(["buy", "buy", "sell"]),
                    qty=str(self.random.randint(1, 20)),
                    client_order_id=f"hand-{round_number}-{counter}",
                )
            except (OSError, http.client.HTTPException):
                return  # the server died under us: what was in flight was not acknowledged
            if status == 200:
                self.acked.add(body["id"])
            else:  # a sell of what the account does not hold: refused, and journaled
                assert status in (403, 422), (status, body)
                self.refused += 1
            time.sleep(0.02)


def check_books(session: Paper) -> list[dict[str, Any]]:
    """No order filled beyond its quantity; the positions are the sum of the fills.

    A running session fills between two reads, so the orders are read between
    two reads of the positions, until both reads agree."""
    for _attempt in range(20):
        before = session.positions()
        orders = session.orders()
        if session.positions() != before:
            continue  # a fill came in between
        expected: dict[str, Decimal] = {}
        for order in orders:
            filled = Decimal(order["filled_qty"])
            assert filled <= Decimal(order["qty"]), f"order {order['id']} is overfilled"
            sign = 1 if order["side"] == "buy" else -1
            expected[order["symbol"]] = expected.get(order["symbol"], Decimal(0)) + sign * filled
        assert before == {s: q for s, q in expected.items() if q}, (
            f"{session.name}: positions != the sum of the fills"
        )
        return orders
    raise AssertionError(f"{session.name}: the positions never held still for a read")


def check_trades_on(running: Paper, orders: list[dict[str, Any]]) -> None:
    """After a restart the running session's feed is back, and bars, orders and fills come."""
    after = running.read()
    fills, placed = running.fills(), {o["id"] for o in orders}
    wait_for(lambda: running.read()["feed"]["connected"], "the feed to reconnect")
    wait_for(lambda: running.read()["feed"]["bars"] >= 5, "new bars after the restart")
    wait_for(lambda: running.fills() > fills, "new fills after the restart")
    wait_for(
        lambda: any(
            o["id"] not in placed and not o["client_order_id"].startswith("hand-")
            for o in running.orders()
        ),
        "the strategy's next order after the restart",
    )
    again = running.read()
    assert again["current_time"] > after["current_time"]
    assert again["feed"]["reconnects"] == 0  # a new feed, not a reconnect
    assert again["feed"]["stale"] is False


def settled(session: Paper) -> dict[str, Any]:
    """What must not move in an ended session: its books, orders and agents."""
    read = session.read()
    return {
        "state": read["state"],
        "current_time": read["current_time"],
        "execution_quality": read["execution_quality"],
        "orders": session.orders(),
        "positions": session.positions(),
        "agents": session.agents(),
    }


def commanded(agents: list[dict[str, Any]]) -> dict[str, tuple[str, Any]]:
    """Each agent's status and configuration, by name."""
    return {a["name"]: (a["status"], a["config"]) for a in agents}


def test_kill_9_under_paper_sessions_restores_each_in_its_state(
    database_url: str, tmp_path: Path
) -> None:
    server = ServerProcess(database_url, env={"PAPERBROKER_DATA_DIR": str(tmp_path / "data")})
    server.start()
    try:
        running = Paper(server, "running", seed=1, interval=0.1)
        paused = Paper(server, "paused", seed=2, interval=0.15)
        stopped = Paper(server, "stopped", seed=3, interval=0.2)
        wait_for(lambda: any(o["status"] == "filled" for o in stopped.orders()),
                 "the strategy's first fill")  # fmt: skip
        assert stopped.verb("stop")["state"] in ("stopping", "stopped")
        wait_for(lambda: stopped.read()["state"] == "stopped", "the stop")
        assert paused.verb("pause")["state"] == "paused"
        risk = running.agent("risk")
        assert running.ok("PATCH", f"/api/agents/{risk['id']}/config", LIMIT)["config"] == {
            **risk["config"], **LIMIT,
        }  # fmt: skip
        strategy = paused.agent("strategy")
        assert paused.ok("POST", f"/api/agents/{strategy['id']}/stop")["status"] == "stopped"

        agents = {s.name: commanded(s.agents()) for s in (running, paused, stopped)}
        assert agents["running"]["risk"] == ("running", {**risk["config"], **LIMIT})
        assert agents["paused"]["strategy"][0] == "stopped"
        ended = settled(stopped)
        client = Client(running, seed=0)
        chooser = random.Random(7)
        for round_number in range(ROUNDS):
            client.start(round_number)
            time.sleep(chooser.uniform(1.0, 2.0))
            paused_bars, paused_agents = paused.read()["feed"]["bars"], paused.agents()
            server.kill()  # mid-request, most of the time
            client.join()
            server.start()

            # Each session in its state, its agents as they were commanded.
            assert [s.read()["state"] for s in (running, paused, stopped)] == [
                "running", "paused", "stopped",
            ], server.output  # fmt: skip
            for session in (running, paused, stopped):
                assert commanded(session.agents()) == agents[session.name], session.name
            assert paused.agents() == paused_agents  # it hears nothing: its agents stand still
            assert settled(stopped) == ended

            # Nothing acknowledged is lost, nothing filled twice.
            orders = check_books(running)
            assert client.acked <= {o["id"] for o in orders}, "an acknowledged order is lost"
            check_books(paused)
            check_books(stopped)

            # The running session trades on: its feed is back, bars, orders and fills come.
            check_trades_on(running, orders)

            # The paused one: prices keep coming, orders are refused.
            wait_for(lambda: paused.read()["feed"]["bars"] >= 3, "the paused session's prices")
            status, refused = paused.order()
            assert status == 409, refused
            assert "paused" in refused["message"]
            assert paused.read()["state"] == "paused"
            assert paused_bars > 0

            # The stopped one: no orders, and no feed (``settled`` above: its clock stands).
            status, refused = stopped.order()
            assert status == 409, refused
            assert stopped.read()["feed"] is None  # an ended session's feed is not started
        assert len(client.acked) >= 10 * ROUNDS, "the client did real work"
        check_books(running)
        assert "could not be restored" not in "".join(server.output)
    finally:
        server.stop()
