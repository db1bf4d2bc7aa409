"""Choosing the session: keys bound to an account, and the /sessions/{id} prefix."""

from __future__ import annotations

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot, make_bot
from typer.testing import CliRunner

from paperbroker.cli import app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """This module's server runs on a SQLite file and on PostgreSQL."""
    backend: str = request.param
    return backend


def test_a_bound_key_is_listed_without_its_secret(bot: Bot) -> None:
    response = bot.v1("GET", f"/v1/sessions/{bot.session_id}/keys")
    assert response.status_code == 200
    (listed,) = response.json()
    assert listed["key_id"] == bot.key[0]
    assert listed["secret"] is None
    assert listed["account_id"] == bot.account_id


def test_an_unbound_key_on_plain_v2_is_told_how_to_bind(bot: Bot) -> None:
    response = httpx2.get(
        f"{bot.server.url}/v2/orders",
        headers={"APCA-API-KEY-ID": bot.owner[0], "APCA-API-SECRET-KEY": bot.owner[1]},
    )
    assert response.status_code == 403
    assert response.json()["code"] == 40310000
    assert "not bound" in response.json()["message"]


def test_the_cli_binds_a_key_to_a_chosen_account(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    second = bot.v1("POST", "/v1/accounts", headers={"X-Session-Id": bot.session_id}).json()
    url = bot.server.database
    monkeypatch.setenv(
        "PAPERBROKER_DATABASE_URL", url if isinstance(url, str) else url.render_as_string(False)
    )
    result = CliRunner().invoke(
        app, ["keys", "create", "--session", bot.session_id, "--account", second["id"]]
    )
    assert result.exit_code == 0, result.output
    key_id, secret = result.stdout.strip().splitlines()[0].split(":")
    bot.advance(targetTime="2012-01-03T21:00:00Z")
    order = bot.trading(key=(key_id, secret)).submit_order(
        MarketOrderRequest(symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    # The order is in the second account, not in the default one.
    in_second = bot.v1(
        "GET", f"/v1/trading/accounts/{second['id']}/orders",
        headers={"X-Session-Id": bot.session_id},
    ).json()  # fmt: skip
    assert [o["id"] for o in in_second] == [str(getattr(order, "id", ""))]
    assert bot.trading().get_orders() == []

    unknown = CliRunner().invoke(
        app, ["keys", "create", "--session", bot.session_id, "--account", "nope"]
    )
    assert unknown.exit_code == 2
    assert "has no account 'nope'" in unknown.output


def test_a_key_bound_elsewhere_and_a_strangers_session_are_404(bot: Bot) -> None:
    other = make_bot(bot.server)
    bot.advance(targetTime="2012-01-03T21:00:00Z")
    mine = bot.trading().submit_order(
        MarketOrderRequest(symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    strangers = [
        other.trading(),  # bound to another session
        TradingClient(*bot.key, url_override=f"{bot.server.url}/sessions/{other.session_id}"),
        TradingClient(*bot.owner, url_override=f"{bot.server.url}/sessions/{other.session_id}"),
    ]
    for client in strangers[1:]:
        with pytest.raises(APIError) as error:
            client.get_orders()
        assert (error.value.status_code, error.value.code) == (404, 40410000)
    with pytest.raises(APIError) as error:
        strangers[0].get_order_by_id(str(getattr(mine, "id", "")))
    assert (error.value.status_code, error.value.code) == (404, 40410000)


def test_deleting_the_session_deletes_its_bound_keys(bot: Bot) -> None:
    response = bot.v1("DELETE", f"/v1/sessions/{bot.session_id}")
    assert response.status_code == 204
    with pytest.raises(APIError) as error:
        bot.trading().get_orders()
    assert (error.value.status_code, error.value.code) == (401, 40110000)


def test_v2_takes_basic_auth_too_and_never_redirects(bot: Bot) -> None:
    basic = httpx2.get(f"{bot.server.url}/v2/orders", auth=bot.key)
    assert basic.status_code == 200
    assert basic.json() == []
    slash = httpx2.get(f"{bot.server.url}/v2/orders/", auth=bot.key, follow_redirects=False)
    assert slash.status_code == 404  # not a 307 the client would refuse to follow
    assert slash.json()["code"] == 40410000
    wrong = httpx2.get(
        f"{bot.server.url}/v2/orders",
        headers={"APCA-API-KEY-ID": bot.key[0], "APCA-API-SECRET-KEY": "wrong"},
    )
    assert (wrong.status_code, wrong.json()["code"]) == (401, 40110000)
