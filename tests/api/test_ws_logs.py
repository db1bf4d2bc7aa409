"""/ws ``logs``: one agent's log file, tailed line by line; the seq is the line number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from tests.api.test_ws import Trader, listening, next_of, serving
from tests.compat.conftest import LiveServer

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serving(tmp_path_factory)


def agent(trader: Trader, name: str) -> dict[str, Any]:
    response = httpx2.get(f"{trader.server.url}/api/agents", auth=trader.key)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = next(a for a in response.json() if a["name"] == name)
    return found


def command(trader: Trader, agent_id: str, action: str) -> None:
    response = httpx2.post(f"{trader.server.url}/api/agents/{agent_id}/{action}", auth=trader.key)
    assert response.status_code == 200, response.text


def test_the_logs_topic_tails_one_agents_new_lines(server: LiveServer) -> None:
    trader = Trader(server, strategy=SMA)
    strategy, risk = agent(trader, "strategy"), agent(trader, "risk")
    stream = f"log:{strategy['id']}"
    with listening(server, trader.key, topics=["logs"], agent_id=strategy["id"]) as ws:
        head = ws.subscribed["streams"][stream]  # type: ignore[attr-defined]
        assert head >= 1  # it logged its start
        command(trader, strategy["id"], "stop")
        command(trader, risk["id"], "stop")  # another agent's log: not this stream
        command(trader, strategy["id"], "start")
        stopped, started = next_of(ws, "event"), next_of(ws, "event")
    assert [(e["stream"], e["seq"], e["topic"], e["kind"]) for e in (stopped, started)] == [
        (stream, head + 1, "logs", "LogLine"),
        (stream, head + 2, "logs", "LogLine"),
    ]
    assert stopped["data"]["line"].endswith(" INFO stopped")
    assert (stopped["data"]["level"], stopped["data"]["agent_id"]) == ("INFO", strategy["id"])
    assert started["data"]["line"].endswith(" INFO running")
    assert stopped["time"].endswith("Z")
    # Resumed from a line number: the lines after it, then new ones as they come.
    with listening(
        server, trader.key, topics=["logs"], agent_id=strategy["id"], last_seq={stream: head}
    ) as ws:
        again = [next_of(ws, "event")["data"]["line"] for _ in range(2)]
        command(trader, strategy["id"], "stop")
        latest = next_of(ws, "event")
    assert again == [stopped["data"]["line"], started["data"]["line"]]
    assert latest["seq"] == head + 3
    trader.close()


def test_another_keys_agent_and_a_bad_agent_id_are_not_found(server: LiveServer) -> None:
    owner, stranger = Trader(server, strategy=SMA), Trader(server)
    strategy = agent(owner, "strategy")
    with listening(server, stranger.key, topics=["orders"]) as ws:
        for agent_id in (strategy["id"], "../../etc/passwd", "0" * 36):
            ws.send(json.dumps({"action": "subscribe", "topics": ["logs"], "agent_id": agent_id}))
            error = next_of(ws, "error")
            assert error["code"] == 40410000, error
            assert "not found" in error["message"]
        ws.send(json.dumps({"action": "ping"}))  # still open, still following its orders
        assert next_of(ws, "pong")
    owner.close()
    stranger.close()
