"""/api/live-trading through the real application, trading at a real broker: a second
paperbroker server, which speaks Alpaca's API (tests/broker/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from tests.api.conftest import SECRET_KEYS, Api, Server
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL, Broker
from tests.compat.conftest import free_port
from tests.waiting import wait_for

from paperbroker.broker.alpaca import AlpacaBroker
from paperbroker.broker.credentials import BrokerCredentials, CredentialStore
from paperbroker.broker.settings import BrokerSettings
from paperbroker.store.journal import Journal

FAST = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}

# The broker server and a broker account on it.
broker_server = brokers.broker_server
broker = brokers.broker


def credential(api: Api, broker: Broker, auth: Any = None) -> str:
    key_id, secret = broker.bot.key
    response = api.client.post(
        "/v1/broker-credentials",
        json={"label": "broker", "key_id": key_id, "secret_key": secret},
        auth=auth or api.alice,
    )
    assert response.status_code == 201, response.text
    made: str = response.json()["id"]
    return made


def body(broker: Broker, credential_id: str, **fields: Any) -> dict[str, Any]:
    settings = {"endpoint": "custom", "base_url": broker.bot.server.url,
                "credentials_id": credential_id}  # fmt: skip
    return {"symbols": ["AAPL"], "feed": FAST, "broker": settings, **fields}


def create(api: Api, payload: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post("/api/live-trading/sessions", json=payload, auth=api.alice)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def position(api: Api, session: dict[str, Any]) -> str | None:
    response = api.trading("GET", session["id"], session["default_account_id"], "/positions")
    held = [p["qty"] for p in response.json() if p["symbol"] == "AAPL"]
    return held[0] if held else None


def buy(api: Api, session: dict[str, Any], qty: int) -> dict[str, Any]:
    order = {"symbol": "AAPL", "side": "buy", "qty": qty, "type": "market"}
    # Taken once the feed's first bar gives the session a price to check the order by.
    response = wait_for(
        lambda: (r := api.trading("POST", session["id"], session["default_account_id"],
                                  "/orders", json=order)).status_code == 200 and r,
        "an order the session takes",
    )  # fmt: skip
    made: dict[str, Any] = response.json()
    return made


def test_a_live_session_trades_at_its_broker_and_shows_it(api: Api, broker: Broker) -> None:
    made = create(api, body(broker, credential(api, broker), name="at the broker"))
    assert (made["type"], made["state"], made["real_money"]) == ("live", "running", False)
    assert made["broker"] == {
        "type": "alpaca", "endpoint": "custom", "base_url": broker.bot.server.url,
        "credentials_id": made["broker"]["credentials_id"],
        "reconcile": {"policy": "adopt", "interval_seconds": 60},
    }  # fmt: skip
    account = broker.adapter.account()
    assert made["initial_cash"] == format(account.cash, "f")  # read from the broker
    order = buy(api, made, 3)
    wait_for(lambda: [o for o in broker.orders() if o["client_order_id"] == order["id"]],
             "the order at the broker")  # fmt: skip
    broker.advance(FIRST_FILL)
    wait_for(lambda: position(api, made) == "3", "the broker's fill in the session")

    listed = api.client.get("/api/live-trading/sessions", auth=api.alice).json()
    assert [s["id"] for s in listed] == [made["id"]]
    assert api.client.get("/api/live-trading/sessions", auth=api.bob).json() == []
    one = api.client.get(f"/api/live-trading/sessions/{made['id']}", auth=api.alice).json()
    assert (one["broker"], one["real_money"]) == (made["broker"], False)
    assert api.client.get(f"/v1/sessions/{made['id']}", auth=api.alice).json()["type"] == "live"
    paper = api.client.get(f"/api/paper-trading/sessions/{made['id']}", auth=api.alice)
    assert paper.status_code == 404  # a live session is not a paper one

    killed = api.client.post(f"/v1/sessions/{made['id']}/kill", auth=api.alice)
    assert killed.status_code == 200, killed.text
    live = api.server.service._live[made["id"]]
    assert live.link is None  # the broker link stopped with the session


def test_a_real_money_endpoint_needs_its_confirmation(api: Api, broker: Broker) -> None:
    credential_id = credential(api, broker)
    payload = body(broker, credential_id)
    payload["broker"] = {"endpoint": "live", "credentials_id": credential_id}
    refused = api.client.post("/api/live-trading/sessions", json=payload, auth=api.alice)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "confirm_real_money"
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []

    # Alpaca's live endpoint is this test's broker server (no real money moves here).
    def at_the_test_broker(settings: BrokerSettings, key: BrokerCredentials) -> AlpacaBroker:
        assert settings.real_money
        return AlpacaBroker(key.key_id, key.secret_key, endpoint="custom",
                            base_url=broker.bot.server.url)  # fmt: skip

    api.server.service.brokers = at_the_test_broker
    made = create(api, {**payload, "confirm_real_money": True})
    assert made["real_money"] is True
    assert made["broker"]["endpoint"] == "live"
    assert made["broker"]["reconcile"]["policy"] == "halt"  # real money halts by default
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["real_money"] for s in listed] == [True]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"broker": {"endpoint": "custom", "credentials_id": "server"}}, "broker.base_url"),
        ({"broker": {"endpoint": "paper", "credentials_id": "server"}}, "broker.credentials_id"),
        ({"broker": {"endpoint": "live", "credentials_id": "server",
                     "reconcile": {"interval_seconds": 1}}},
         "broker.reconcile.interval_seconds"),
        ({"broker": None}, None),
        ({"symbols": []}, None),
        ({"confirm_real_money": "yes please"}, None),
    ],
)  # fmt: skip
def test_bad_live_sessions_are_422_naming_the_field(
    api: Api, broker: Broker, change: dict[str, Any], field: str | None
) -> None:
    response = api.client.post(
        "/api/live-trading/sessions", json={**body(broker, "server"), **change}, auth=api.alice
    )
    assert response.status_code == 422, response.text
    if field is not None:
        assert response.json()["field"] == field
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []


def test_another_keys_credential_is_not_the_callers(api: Api, broker: Broker) -> None:
    theirs = credential(api, broker, auth=api.bob)
    response = api.client.post(
        "/api/live-trading/sessions", json=body(broker, theirs), auth=api.alice
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "broker.credentials_id"
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []


def test_a_credential_the_broker_refuses_is_422_and_creates_nothing(
    api: Api, broker: Broker
) -> None:
    made = api.client.post(
        "/v1/broker-credentials",
        json={"label": "wrong", "key_id": broker.bot.key[0], "secret_key": "not-the-secret"},
        auth=api.alice,
    ).json()
    response = api.client.post(
        "/api/live-trading/sessions", json=body(broker, made["id"]), auth=api.alice
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "broker.credentials_id"
    assert "not-the-secret" not in response.text
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []


def test_an_unreachable_broker_is_503_and_creates_nothing(api: Api, broker: Broker) -> None:
    payload = body(broker, credential(api, broker))
    payload["broker"]["base_url"] = f"http://127.0.0.1:{free_port()}"
    response = api.client.post("/api/live-trading/sessions", json=payload, auth=api.alice)
    assert response.status_code == 503, response.text
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []


def test_a_credential_is_not_deleted_while_a_live_session_trades_with_it(
    api: Api, broker: Broker
) -> None:
    credential_id = credential(api, broker)
    made = create(api, body(broker, credential_id))
    refused = api.client.delete(f"/v1/broker-credentials/{credential_id}", auth=api.alice)
    assert refused.status_code == 409, refused.text
    assert made["id"] in refused.json()["message"]
    api.client.post(f"/v1/sessions/{made['id']}/kill", auth=api.alice)
    gone = api.client.delete(f"/v1/broker-credentials/{credential_id}", auth=api.alice)
    assert gone.status_code == 204


def test_a_live_session_trades_on_after_a_restart(api: Api, broker: Broker) -> None:
    made = create(api, body(broker, credential(api, broker)))
    order = buy(api, made, 2)
    wait_for(lambda: [o for o in broker.orders() if o["client_order_id"] == order["id"]],
             "the order at the broker")  # fmt: skip
    api.restart()  # the broker fills while the server is away
    broker.advance(FIRST_FILL)
    wait_for(lambda: position(api, made) == "2", "the fill, caught up after the restart")
    again = api.client.get(f"/api/live-trading/sessions/{made['id']}", auth=api.alice).json()
    assert again["state"] == "running"
    assert api.server.service._live[made["id"]].link is not None


def test_a_live_session_is_not_restarted(api: Api, broker: Broker) -> None:
    made = create(api, body(broker, credential(api, broker)))
    response = api.client.post(f"/v1/sessions/{made['id']}/restart", auth=api.alice)
    assert response.status_code == 409, response.text


def test_a_live_session_whose_credential_no_longer_opens_fails_with_the_reason(
    api: Api, broker: Broker
) -> None:
    made = create(api, body(broker, credential(api, broker)))
    api.server.close()
    # The server comes back with another secret key: the credential does not open.
    api.server = Server(api.database)
    api.server.service.credentials = CredentialStore(
        api.server.service.factory, MultiFernet([Fernet(Fernet.generate_key())])
    )
    again = api.client.get(f"/api/live-trading/sessions/{made['id']}", auth=api.alice).json()
    assert again["state"] == "error"
    assert api.server.service._live[made["id"]].link is None
    changes = [e.payload for e in Journal(api.server.service.factory).read(made["id"])
               if e.kind == "SessionStateChanged"]  # fmt: skip
    assert "the broker link did not start" in changes[-1]
    assert "cannot be decrypted" in changes[-1]


def test_the_servers_own_keys_are_the_server_credential(api: Api, broker: Broker) -> None:
    service = api.server.service
    service.credentials = CredentialStore(
        service.factory, SECRET_KEYS, server=BrokerCredentials(*broker.bot.key)
    )
    made = create(api, body(broker, "server"))
    assert (made["broker"]["credentials_id"], made["state"]) == ("server", "running")
    assert api.client.get("/v1/broker-credentials", auth=api.alice).json() == []
    bob = api.client.post("/api/live-trading/sessions", json=body(broker, "server"), auth=api.bob)
    assert bob.status_code == 201, bob.text  # any key may trade with the server's
