"""Watchlists through the unmodified alpaca-py TradingClient, on SQLite and PostgreSQL.

A watchlist belongs to one account of one session; it survives a restart of
the server and goes with its session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.models import Watchlist
from alpaca.trading.requests import CreateWatchlistRequest, UpdateWatchlistRequest
from sqlalchemy import URL, func, select
from tests.compat.conftest import Bot, LiveServer, make_bot
from tests.store.backends import temporary_schema

from paperbroker.store.db import session_factory
from paperbroker.store.tables import WatchlistRow


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """This module's server runs on a SQLite file and on PostgreSQL."""
    backend: str = request.param
    return backend


def symbols_of(watchlist: Any) -> list[str]:
    assert isinstance(watchlist, Watchlist)
    return [asset.symbol for asset in watchlist.assets or []]


def headers(bot: Bot) -> dict[str, str]:
    return {"APCA-API-KEY-ID": bot.key[0], "APCA-API-SECRET-KEY": bot.key[1]}


def call(bot: Bot, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    return httpx2.request(method, bot.server.url + path, headers=headers(bot), **kwargs)


def test_create_read_update_and_delete_with_alpaca_py(bot: Bot) -> None:
    trading = bot.trading()
    request = CreateWatchlistRequest(name="tech", symbols=["aapl", "MSFT"])
    created = trading.create_watchlist(request)
    assert isinstance(created, Watchlist)
    assert (created.name, symbols_of(created), created.account_id) == (
        "tech", ["AAPL", "MSFT"], UUID(bot.account_id),
    )  # fmt: skip
    assert created.created_at == created.updated_at  # the session's time
    assert [w.id for w in trading.get_watchlists() if isinstance(w, Watchlist)] == [created.id]

    added = trading.add_asset_to_watchlist_by_id(created.id, "IBM")
    assert symbols_of(added) == ["AAPL", "MSFT", "IBM"]
    removed = trading.remove_asset_from_watchlist_by_id(created.id, "MSFT")
    assert symbols_of(removed) == ["AAPL", "IBM"]
    renamed = trading.update_watchlist_by_id(
        created.id, UpdateWatchlistRequest(name="mine", symbols=["GOOG"])
    )
    assert isinstance(renamed, Watchlist)
    assert (renamed.name, symbols_of(renamed)) == ("mine", ["GOOG"])
    again = trading.get_watchlist_by_id(created.id)
    assert isinstance(again, Watchlist)
    assert (again.name, symbols_of(again)) == ("mine", ["GOOG"])
    assert again.assets is not None
    assert renamed.assets is not None
    assert again.assets[0].id == renamed.assets[0].id

    trading.delete_watchlist_by_id(created.id)
    assert trading.get_watchlists() == []
    with pytest.raises(APIError) as gone:
        trading.get_watchlist_by_id(created.id)
    assert (gone.value.status_code, gone.value.code) == (404, 40410000)


def test_the_by_name_routes(bot: Bot) -> None:
    made = call(bot, "POST", "/v2/watchlists", json={"name": "core", "symbols": ["AAPL"]})
    assert made.status_code == 200, made.text
    read = call(bot, "GET", "/v2/watchlists:by_name", params={"name": "core"})
    assert read.json() == made.json()
    added = call(bot, "POST", "/v2/watchlists:by_name", params={"name": "core"},
                 json={"symbol": "MSFT"})  # fmt: skip
    assert [a["symbol"] for a in added.json()["assets"]] == ["AAPL", "MSFT"]
    put = call(bot, "PUT", "/v2/watchlists:by_name", params={"name": "core"},
               json={"name": "renamed"})  # fmt: skip
    assert (put.json()["name"], len(put.json()["assets"])) == ("renamed", 2)
    assert call(bot, "GET", "/v2/watchlists:by_name", params={"name": "core"}).status_code == 404
    deleted = call(bot, "DELETE", "/v2/watchlists:by_name", params={"name": "renamed"})
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert call(bot, "GET", "/v2/watchlists").json() == []


def test_refusals_are_alpaca_errors(bot: Bot) -> None:
    trading = bot.trading()
    first = trading.create_watchlist(CreateWatchlistRequest(name="one", symbols=["AAPL"]))
    assert isinstance(first, Watchlist)
    for body, words in (
        ({"name": "one", "symbols": []}, "already has a watchlist named 'one'"),
        ({"name": "x", "symbols": ["ZZZZ"]}, "symbols: asset not found for ZZZZ"),
        ({"name": "x", "symbols": ["EURUSD"]}, "symbols: asset not found for EURUSD"),
        ({"name": "x", "symbols": ["AAPL", "aapl"]}, "AAPL given more than once"),
        ({"name": "", "symbols": []}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "x", "color": "red"}, "color"),
    ):
        response = call(bot, "POST", "/v2/watchlists", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == 42210000
        assert words in response.json()["message"], response.text
    path = f"/v2/watchlists/{first.id}"
    for method, url, body in (
        ("POST", path, {"symbol": "AAPL"}),  # already held
        ("POST", path, {"symbol": "NOPE"}),
        ("PUT", path, {}),  # neither name nor symbols
    ):
        assert call(bot, method, url, json=body).status_code == 422
    assert call(bot, "DELETE", f"{path}/MSFT").status_code == 404  # not in it
    for name in ("a\x00b", "x" * 65, ""):  # a NUL never reaches the database
        response = call(bot, "GET", "/v2/watchlists:by_name", params={"name": name})
        assert response.status_code == 422, response.text
    for missing in (f"/v2/watchlists/{uuid4()}", "/v2/watchlists/not-an-id"):
        assert call(bot, "GET", missing).status_code == 404
        assert call(bot, "DELETE", missing).status_code == 404


def test_another_account_sees_none_of_them(live_server: LiveServer, bot: Bot) -> None:
    bot.trading().create_watchlist(CreateWatchlistRequest(name="private", symbols=["AAPL"]))
    [mine] = call(bot, "GET", "/v2/watchlists").json()
    other = make_bot(live_server)
    assert call(other, "GET", "/v2/watchlists").json() == []
    assert call(other, "GET", f"/v2/watchlists/{mine['id']}").status_code == 404
    assert call(other, "DELETE", f"/v2/watchlists/{mine['id']}").status_code == 404
    # The owner's key on the session's prefix sees the default account's.
    prefixed = bot.trading(prefixed=True).get_watchlists()
    assert [w.name for w in prefixed if isinstance(w, Watchlist)] == ["private"]


@pytest.fixture
def own_database(
    alpaca_backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[URL | str]:
    """A database of the test's own, to stop and start a server on."""
    if alpaca_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restart.db'}"
        return
    with temporary_schema(request.getfixturevalue("alpaca_postgres")) as url:
        yield url


def test_watchlists_survive_a_restart_and_go_with_their_session(own_database: URL | str) -> None:
    server = LiveServer(own_database)
    try:
        bot = make_bot(server)
        made = bot.trading().create_watchlist(
            CreateWatchlistRequest(name="kept", symbols=["IBM", "AAPL"])
        )
        assert isinstance(made, Watchlist)
    finally:
        server.close()
    server = LiveServer(own_database)
    try:
        bot.server = server
        kept = bot.trading().get_watchlist_by_id(made.id)
        assert isinstance(kept, Watchlist)
        assert (kept.name, symbols_of(kept), kept.created_at) == (
            "kept", ["IBM", "AAPL"], made.created_at,
        )  # fmt: skip
        response = bot.v1("DELETE", f"/v1/sessions/{bot.session_id}")
        assert response.status_code == 204, response.text
        with session_factory(server.engine)() as session:
            assert session.scalar(select(func.count()).select_from(WatchlistRow)) == 0
    finally:
        server.close()
