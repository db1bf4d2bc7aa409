"""The broker in these tests: a second paperbroker server, which speaks Alpaca's Trading API.

Each test gets a backtest session on it, a key bound to the session's
default account, and an :class:`~paperbroker.broker.alpaca.AlpacaBroker`
with that key at the server's address. The test moves the broker's clock
(:meth:`Broker.advance`), so a market order fills at the next bar's open
(the bundled daily AAPL bars: 2012-01-03's open, once the clock passes 09:30).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from tests.compat.conftest import Bot, LiveServer, make_bot

from paperbroker.broker.alpaca import AlpacaBroker

#: One minute past the broker session's start: a market order sent before fills.
FIRST_FILL = "2012-01-03T14:31:00Z"
SECOND_DAY = "2012-01-04T14:31:00Z"


class Broker:
    """A broker account on the broker server: its session, its key, an adapter."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        key_id, secret = bot.key
        self.adapter = AlpacaBroker(
            key_id, secret, endpoint="custom", base_url=bot.server.url,
            connect_timeout=2.0, read_timeout=10.0,
        )  # fmt: skip

    def advance(self, target: str) -> None:
        self.bot.advance(targetTime=target)

    def orders(self) -> list[dict[str, object]]:
        """Every order of the account, as the broker's ``GET /v2/orders`` lists them."""
        key_id, secret = self.bot.key
        answer = httpx2.get(
            f"{self.bot.server.url}/v2/orders",
            params={"status": "all", "limit": 500},
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
        )
        assert answer.status_code == 200, answer.text
        found: list[dict[str, object]] = answer.json()
        return found


@pytest.fixture(scope="module")
def broker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("broker") / "broker.db"
    server = LiveServer(f"sqlite:///{path}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def broker(broker_server: LiveServer) -> Iterator[Broker]:
    made = Broker(make_bot(broker_server))
    try:
        yield made
    finally:
        made.adapter.close()
