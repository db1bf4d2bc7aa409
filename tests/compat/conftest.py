"""Fixtures for the Alpaca compatibility tests: a real server on loopback, the real client.

One uvicorn server per test module serves the real application (over a
SQLite file database, and over PostgreSQL for the modules that ask for
``alpaca_backend`` ``postgresql``); each test gets a fresh session and a key
bound to its default account, and builds unmodified ``alpaca-py`` clients
pointed at the server.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.trading.client import TradingClient
from cryptography.fernet import MultiFernet
from sqlalchemy import URL
from tests.api.conftest import END, IDEAL, START
from tests.api.conftest import market as bundled_market
from tests.store.backends import find_postgres, temporary_database, temporary_schema

from paperbroker.api import create_app
from paperbroker.broker.credentials import CredentialStore
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.services.events import EventSettings
from paperbroker.services.sessions import SessionService
from paperbroker.session.market import MarketData
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

Auth = tuple[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """The application behind uvicorn on 127.0.0.1, in a thread, over ``database``.

    ``log_dir`` is where sessions' agents log; ``event_settings`` tune ``/ws``;
    ``market`` is the data (the bundled samples by default); ``secret_keys`` the
    server's key for broker credentials (none by default); ``uvicorn_options``
    go to uvicorn (``ws_ping_interval``, say).
    """

    def __init__(
        self,
        database: URL | str,
        *,
        log_dir: Path | None = None,
        event_settings: EventSettings | None = None,
        market: MarketData | None = None,
        secret_keys: MultiFernet | None = None,
        **uvicorn_options: Any,
    ) -> None:
        self.database = database
        self.engine = create_engine_for(database)
        migrate(self.engine)
        factory = session_factory(self.engine)
        self.keys = ApiKeys(factory)
        # No checkpoint at shutdown: a restart replays each journal whole (see tests/api).
        self.service = SessionService(
            factory=factory, market=market or bundled_market(), log_dir=log_dir,
            checkpoint_at_shutdown=False,
        )  # fmt: skip
        if secret_keys is not None:  # before the sessions' restore opens credentials
            self.service.credentials = CredentialStore(factory, secret_keys)
        self.port = free_port()
        # As ``paperbroker serve`` starts: sessions restored in the background.
        self.app = create_app(self.service, self.keys, event_settings=event_settings, restore=True)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="on",
            **uvicorn_options,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.service.shutdown()
        self.engine.dispose()


@dataclass
class Bot:
    """A session, its owner's key, and a key bound to its default account."""

    server: LiveServer
    owner: Auth
    key: Auth
    session: dict[str, Any]

    @property
    def session_id(self) -> str:
        return str(self.session["id"])

    @property
    def account_id(self) -> str:
        return str(self.session["default_account_id"])

    def v1(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        """A /v1 call with the owner's key (to drive the clock, read the session)."""
        return httpx2.request(method, self.server.url + path, auth=self.owner, **kwargs)

    def advance(self, **body: Any) -> dict[str, Any]:
        response = self.v1("POST", f"/v1/sessions/{self.session_id}/time/advance", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def trading(self, *, prefixed: bool = False, key: Auth | None = None) -> TradingClient:
        """``TradingClient`` with the bound key, or (``prefixed``) the owner's on the prefix."""
        if prefixed:
            key_id, secret = key or self.owner
            url = f"{self.server.url}/sessions/{self.session_id}"
        else:
            key_id, secret = key or self.key
            url = self.server.url
        return TradingClient(key_id, secret, paper=True, url_override=url)

    def data(self, *, key: Auth | None = None) -> StockHistoricalDataClient:
        key_id, secret = key or self.key
        return StockHistoricalDataClient(key_id, secret, url_override=self.server.url)


@pytest.fixture(scope="module")
def alpaca_postgres() -> Iterator[URL]:
    with temporary_database(find_postgres()) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """The database of the module's server; a module may override it with both."""
    backend: str = request.param
    return backend


@pytest.fixture(scope="module")
def live_server(
    alpaca_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    if alpaca_backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("alpaca") / "server.db"
        server = LiveServer(f"sqlite:///{path}")
        try:
            yield server
        finally:
            server.close()
        return
    with temporary_schema(request.getfixturevalue("alpaca_postgres")) as url:
        server = LiveServer(url)
        try:
            yield server
        finally:
            server.close()


def make_bot(server: LiveServer, **session: Any) -> Bot:
    """A new owner key, a session of it (ideal execution unless given) and a bound key."""
    owner = server.keys.create("owner")
    body = {"startTime": START, "endTime": END, "execution": IDEAL, **session}
    response = httpx2.post(f"{server.url}/v1/sessions", json=body, auth=owner)
    assert response.status_code == 201, response.text
    created = response.json()
    response = httpx2.post(
        f"{server.url}/v1/sessions/{created['id']}/keys", json={"label": "bot"}, auth=owner
    )
    assert response.status_code == 201, response.text
    bound = response.json()
    return Bot(server, owner, (bound["key_id"], bound["secret"]), created)


@pytest.fixture
def bot(live_server: LiveServer) -> Bot:
    return make_bot(live_server)


@pytest.fixture(scope="module")
def minutes() -> BarSeries:
    """SYN: 600 consecutive minutes from 09:30 New York on 2012-01-03, the sessions' start."""
    first_close = datetime(2012, 1, 3, 14, 31, tzinfo=UTC)
    return synthetic_bars("SYN", n=600, start=first_close, seed=7)


@pytest.fixture(scope="module")
def minute_server(
    minutes: BarSeries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A live server whose market also holds the minute bars of SYN."""
    bundled = bundled_market()
    series = {a.symbol: bundled.series(a.symbol) for a in bundled.assets()}
    data = MarketData({**{k: v for k, v in series.items() if v is not None}, "SYN": minutes})
    server = LiveServer(
        f"sqlite:///{tmp_path_factory.mktemp('minutes') / 'server.db'}", market=data
    )
    try:
        yield server
    finally:
        server.close()
