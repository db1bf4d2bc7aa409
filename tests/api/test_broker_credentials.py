"""/v1/broker-credentials through the real application: added, listed, deleted, never shown."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, select
from tests.api.conftest import Api, Server

from paperbroker.broker.credentials import CredentialStore
from paperbroker.store.tables import BrokerCredentialRow

SECRET = "SENTINEL-api-credential-8d2e"
BODY = {"label": "alpaca paper", "key_id": "PKTESTKEY1234ABCD", "secret_key": SECRET}


def add(api: Api, auth: Any = None, **fields: Any) -> dict[str, Any]:
    response = api.client.post(
        "/v1/broker-credentials", json={**BODY, **fields}, auth=auth or api.alice
    )
    assert response.status_code == 201, response.text
    assert SECRET not in response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_credential_is_shown_by_its_hint_and_never_its_secret(api: Api) -> None:
    made = add(api)
    assert set(made) == {"id", "label", "broker", "key_hint", "created_at"}
    assert (made["label"], made["broker"], made["key_hint"]) == ("alpaca paper", "alpaca", "ABCD")
    listed = api.client.get("/v1/broker-credentials", auth=api.alice)
    assert listed.status_code == 200
    assert listed.json() == [made]
    assert SECRET not in listed.text
    assert "PKTESTKEY1234ABCD" not in listed.text
    engine = create_engine(api.database)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(BrokerCredentialRow.__table__)).one()
    finally:
        engine.dispose()
    assert SECRET.encode() not in row.ciphertext
    assert api.server.service.credentials.open(api.alice[0], made["id"]).secret_key == SECRET


def test_credentials_are_each_owners_own(api: Api) -> None:
    made = add(api)
    assert api.client.get("/v1/broker-credentials", auth=api.bob).json() == []
    gone = api.client.delete(f"/v1/broker-credentials/{made['id']}", auth=api.bob)
    assert gone.status_code == 404
    assert (
        api.client.delete(f"/v1/broker-credentials/{made['id']}", auth=api.alice).status_code == 204
    )
    assert api.client.get("/v1/broker-credentials", auth=api.alice).json() == []
    again = api.client.delete(f"/v1/broker-credentials/{made['id']}", auth=api.alice)
    assert again.status_code == 404


def test_a_key_bound_to_a_session_may_not_touch_credentials(api: Api) -> None:
    session = api.create_session()
    bound = api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice).json()
    key = (bound["key_id"], bound["secret"])
    made = add(api)
    for method, path, body in (
        ("POST", "/v1/broker-credentials", BODY),
        ("GET", "/v1/broker-credentials", None),
        ("DELETE", f"/v1/broker-credentials/{made['id']}", None),
    ):
        response = api.client.request(method, path, json=body, auth=key)
        assert response.status_code == 403, (method, path, response.text)
    assert len(api.client.get("/v1/broker-credentials", auth=api.alice).json()) == 1


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"label": ""}, "label"),
        ({"broker": "ibkr"}, "broker"),
        ({"key_id": "has space"}, "key_id"),
        ({"secret_key": ""}, "secret_key"),
        ({"secret_key": SECRET + "\n"}, "secret_key"),
        ({"secret_key": SECRET + "x" * 300}, "secret_key"),
        ({"secret_key": 5}, "secret_key"),
        ({"extra": SECRET}, "extra"),
    ],
)
def test_bad_credentials_are_422_naming_the_field_never_the_secret(
    api: Api, fields: dict[str, Any], named: str
) -> None:
    response = api.client.post("/v1/broker-credentials", json={**BODY, **fields}, auth=api.alice)
    assert response.status_code == 422, response.text
    assert named in response.json()["message"]
    assert SECRET not in response.text
    assert api.client.get("/v1/broker-credentials", auth=api.alice).json() == []


def test_a_server_without_a_secret_key_keeps_no_credentials(api: Api) -> None:
    server: Server = api.server
    server.service.credentials = CredentialStore(server.service.factory, None)
    response = api.client.post("/v1/broker-credentials", json=BODY, auth=api.alice)
    assert response.status_code == 409, response.text
    assert "no secret key" in response.json()["message"]
    assert api.client.get("/v1/broker-credentials", auth=api.alice).json() == []
