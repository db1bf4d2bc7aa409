"""HTTP Basic authentication: every route wants a valid, unrevoked key; failures are 401 JSON."""

from __future__ import annotations

import base64

import pytest
from tests.api.conftest import Api


def assert_unauthorized(response_status: int, body: dict[str, object], headers: dict[str, str]):
    assert response_status == 401
    assert body["code"] == 40110000
    assert isinstance(body["message"], str)
    assert headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("path", ["/v1/sessions", "/v1/assets"])
def test_api_without_credentials_is_401_with_challenge(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert_unauthorized(response.status_code, response.json(), dict(response.headers))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b"PKAAAAAAAAAAAAAAAA:secret").decode(),
        "Basic " + base64.b64encode(b"not a key id:secret").decode(),
        "Basic " + base64.b64encode(b"\x00\xff:\x00").decode(),
        "Basic " + base64.b64encode(b"PKAAAAAAAAAAAAAAAA:" + b"s" * 10_000).decode(),
    ],
)
def test_api_with_malformed_or_unknown_credentials_is_401(api: Api, authorization: str) -> None:
    response = api.client.get("/v1/sessions", headers={"Authorization": authorization})
    assert_unauthorized(response.status_code, response.json(), dict(response.headers))


def test_api_with_wrong_secret_is_401(api: Api) -> None:
    key_id, secret = api.alice
    wrong = secret[:-1] + ("x" if secret[-1] != "x" else "y")  # never the secret itself
    response = api.client.get("/v1/sessions", auth=(key_id, wrong))
    assert_unauthorized(response.status_code, response.json(), dict(response.headers))


def test_api_with_revoked_key_is_401_from_the_next_request_on(api: Api) -> None:
    assert api.client.get("/v1/sessions", auth=api.bob).status_code == 200
    api.keys.revoke(api.bob[0])
    response = api.client.get("/v1/sessions", auth=api.bob)
    assert_unauthorized(response.status_code, response.json(), dict(response.headers))


def test_api_unauthenticated_is_401_before_validation(api: Api) -> None:
    response = api.client.post("/v1/sessions", json={"startTime": 5})
    assert response.status_code == 401
    response = api.client.post("/v1/accounts")  # no X-Session-Id either
    assert response.status_code == 401


def test_api_with_valid_key_is_served(api: Api) -> None:
    response = api.client.get("/v1/sessions", auth=api.alice)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("secret_ok", [True, False])
def test_a_key_refused_in_the_apca_headers_is_not_challenged_to_use_basic(
    api: Api, secret_ok: bool
) -> None:
    """A browser answers a ``Basic`` challenge to a page's request with its own sign-in
    dialog: the dashboard's requests (APCA headers) get a challenge to send them again."""
    key_id, secret = api.alice
    if secret_ok:
        api.keys.revoke(key_id)  # a right secret, of a revoked key
    response = api.client.get(
        "/v1/sessions",
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret if secret_ok else "x"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == 40110000
    assert response.headers["www-authenticate"] == 'APCA-API-KEY-ID realm="paperbroker"'
