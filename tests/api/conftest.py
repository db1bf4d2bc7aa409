"""Fixtures for the API tests: the real application over a real service and database.

Each test gets a migrated SQLite file database of its own, real API keys and
the real session service on the bundled market data, behind FastAPI's test
client (which runs the application's lifespan).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography.fernet import Fernet, MultiFernet
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import URL
from tests.store.backends import (
    find_postgres,
    migrated_schema,
    migrated_sqlite,
    temporary_database,
)

from paperbroker.api import create_app
from paperbroker.api.app import WARM_UP_DELAY
from paperbroker.broker.credentials import CredentialStore
from paperbroker.services.sessions import SessionService
from paperbroker.session import MarketData
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

# Inside the bundled daily data: 2012-01-03 09:30 New York to 2012-03-30 17:00.
START = "2012-01-03T14:30:00Z"
END = "2012-03-30T21:00:00Z"
Auth = tuple[str, str]


@cache
def market() -> MarketData:
    return MarketData.bundled()


#: The server's secret key in the API tests (the same across a restart).
SECRET_KEYS = MultiFernet([Fernet(Fernet.generate_key())])

#: The execution of sessions whose tests assert exact fills: every order fills in
#: full at the rule's price, at once, for free.
IDEAL = {"preset": "ideal"}


class Server:
    """The application over a service and key store on ``database``, behind a test client."""

    def __init__(
        self,
        database: URL | str,
        *,
        restore: bool = False,
        log_dir: Path | None = None,
        news_dir: Path | None = None,
        warm_up_delay: float = WARM_UP_DELAY,
    ) -> None:
        self.log_dir = log_dir
        self.news_dir = news_dir
        self.engine = create_engine_for(database)
        migrate(self.engine)
        factory = session_factory(self.engine)
        self.keys = ApiKeys(factory)
        # No checkpoint at shutdown: a restart here replays each journal whole, which is
        # what the tests that restart check (docs/recovery.md; checkpoints have their own).
        self.service = SessionService(
            factory=factory, market=market(), log_dir=log_dir, news_dir=news_dir,
            checkpoint_at_shutdown=False,
        )  # fmt: skip
        self.service.credentials = CredentialStore(factory, SECRET_KEYS)
        # With ``restore``, as ``paperbroker serve`` starts: sessions are restored in the
        # background once the application runs, and a request waits for its session.
        self.app = create_app(self.service, self.keys, restore=restore, warm_up_delay=warm_up_delay)
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.client.__enter__()  # runs the lifespan

    def close(self) -> None:
        try:
            self.client.__exit__(None, None, None)
        finally:
            self.service.shutdown()
            self.engine.dispose()


@dataclass
class Api:
    """The application, its key store, and a client per key."""

    server: Server
    database: URL | str
    alice: Auth
    bob: Auth

    @property
    def app(self) -> FastAPI:
        return self.server.app

    @property
    def client(self) -> TestClient:
        return self.server.client

    @property
    def keys(self) -> ApiKeys:
        return self.server.keys

    def restart(self) -> None:
        """Stop this server and start a new one on the same database (sessions restored)."""
        self.server.close()
        self.server = Server(
            self.database,
            restore=True,
            log_dir=self.server.log_dir,
            news_dir=self.server.news_dir,
        )

    def create_session(self, auth: Auth | None = None, **fields: Any) -> dict[str, Any]:
        body = {"startTime": START, "endTime": END, **fields}
        response = self.client.post("/v1/sessions", json=body, auth=auth or self.alice)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def create_account(self, session_id: str, auth: Auth | None = None) -> dict[str, Any]:
        response = self.client.post(
            "/v1/accounts", headers={"X-Session-Id": session_id}, auth=auth or self.alice
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def trading(
        self,
        method: str,
        session_id: str,
        account_id: str,
        path: str,
        auth: Auth | None = None,
        **kwargs: Any,
    ) -> httpx2.Response:
        return self.client.request(
            method,
            f"/v1/trading/accounts/{account_id}{path}",
            headers={"X-Session-Id": session_id},
            auth=auth or self.alice,
            **kwargs,
        )


@pytest.fixture(scope="session")
def api_postgres() -> Iterator[URL]:
    """A PostgreSQL database of this test process's own, dropped at the end."""
    with temporary_database(find_postgres()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def api_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL | str]:
    """Every API test runs on a SQLite file and on PostgreSQL, each as a fresh migration
    leaves it."""
    if request.param == "sqlite":
        yield migrated_sqlite(tmp_path / "api.db")
        return
    with migrated_schema(request.getfixturevalue("api_postgres")) as url:
        yield url


@pytest.fixture
def api(api_database: URL | str, tmp_path: Path) -> Iterator[Api]:
    server = Server(api_database, log_dir=tmp_path / "agent-logs", news_dir=tmp_path / "news")
    alice, bob = server.keys.create("alice"), server.keys.create("bob")
    api = Api(server, api_database, alice, bob)
    try:
        yield api
    finally:
        api.server.close()
