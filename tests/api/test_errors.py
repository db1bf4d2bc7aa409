"""Every error is JSON ``{"code", "message"}`` with the status in the code; none is a 500."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tests.api.conftest import END, START, Api


def error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == status * 100_000 + 10_000
    assert isinstance(body["message"], str)
    assert body["message"]
    message: str = body["message"]
    return message


def post_raw(api: Api, path: str, content: bytes | str, **headers: str) -> Any:
    return api.client.post(
        path,
        content=content,
        headers={"Content-Type": "application/json", **headers},
        auth=api.alice,
    )


def test_unknown_route_is_404_json(api: Api) -> None:
    assert "/v1/nope" in error(api.client.get("/v1/nope", auth=api.alice), 404)
    # Outside the API, a browser's GET is the dashboard's (tests/api/test_dashboard_serving.py).
    assert "/nope" in error(api.client.get("/nope", headers={"Accept": "application/json"}), 404)
    assert "/nope" in error(api.client.post("/nope"), 404)


def test_trailing_slash_is_404_not_a_redirect(api: Api) -> None:
    error(api.client.get("/v1/sessions/", auth=api.alice, follow_redirects=False), 404)


def test_wrong_method_is_405_json_with_allow(api: Api) -> None:
    response = api.client.put("/v1/sessions", auth=api.alice)
    assert "PUT" in error(response, 405)
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize("body", ["{bad", '{"startTime": ', "[[[[", "\xff"])
def test_malformed_json_is_400(api: Api, body: str) -> None:
    assert "JSON" in error(post_raw(api, "/v1/sessions", body), 400)


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_400(api: Api, body: str) -> None:
    assert "JSON object" in error(post_raw(api, "/v1/sessions", body), 400)


def test_deeply_nested_json_is_400(api: Api) -> None:
    error(post_raw(api, "/v1/sessions", "[" * 50_000), 400)


def test_body_without_json_content_type_is_400(api: Api) -> None:
    response = api.client.post("/v1/sessions", data={"startTime": START}, auth=api.alice)
    assert "application/json" in error(response, 400)


def test_oversized_body_is_413_json(api: Api) -> None:
    body = '{"startTime": "' + "x" * 100_000 + '"}'
    error(post_raw(api, "/v1/sessions", body), 413)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"endTime": END}, "startTime is required"),
        ({"startTime": "2012-01-03", "endTime": END}, "startTime"),
        ({"startTime": "2012-01-03T14:30:00", "endTime": END}, "startTime"),
        ({"startTime": 1325601000, "endTime": END}, "startTime"),
        ({"startTime": "1960-01-01T00:00:00Z", "endTime": END}, "startTime"),
        ({"startTime": "9999-01-01T00:00:00Z", "endTime": END}, "startTime"),
        ({"startTime": END, "endTime": START}, "endTime must be after startTime"),
        ({"startTime": START, "endTime": END, "initialCash": "abc"}, "initialCash"),
        ({"startTime": START, "endTime": END, "initialCash": -1}, "initialCash"),
        ({"startTime": START, "endTime": END, "initialCash": "NaN"}, "initialCash"),
        ({"startTime": START, "endTime": END, "initialCash": "1e400"}, "initialCash"),
        ({"startTime": START, "endTime": END, "initialCash": True}, "initialCash"),
        ({"startTime": START, "endTime": END, "name": ""}, "name"),
        ({"startTime": START, "endTime": END, "name": "a\x00b"}, "name"),
        ({"startTime": START, "endTime": END, "name": 5}, "name"),
        ({"startTime": START, "endTime": END, "colour": "red"}, "colour"),
    ],
)
def test_invalid_session_fields_are_422_naming_the_field(
    api: Api, body: dict[str, Any], named: str
) -> None:
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert named in error(response, 422)


def test_missing_session_header_is_422_naming_it(api: Api) -> None:
    assert "X-Session-Id" in error(api.client.post("/v1/accounts", auth=api.alice), 422)


def test_ids_that_cannot_exist_are_404(api: Api) -> None:
    for path in ("/v1/sessions/nope", "/v1/sessions/%00", "/v1/sessions/" + "9" * 300):
        error(api.client.get(path, auth=api.alice), 404)
    response = api.client.post("/v1/accounts", headers={"X-Session-Id": "nope"}, auth=api.alice)
    error(response, 404)


def test_unknown_session_is_404(api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert missing in error(api.client.get(f"/v1/sessions/{missing}", auth=api.alice), 404)


def test_unexpected_exception_is_logged_500_json(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("disk on fire")

    api.app.add_api_route("/boom", explode)
    with caplog.at_level(logging.ERROR, logger="paperbroker.api"):
        message = error(api.client.get("/boom"), 500)
    assert "fire" not in message
    assert any("GET /boom" in r.getMessage() and r.exc_info for r in caplog.records)


def test_an_unsupported_method_is_405_naming_every_method_of_the_path(api: Api) -> None:
    for method, path, allowed in [
        ("OPTIONS", "/v1/sessions", "GET, POST"),  # two routes share the path
        ("PUT", "/v1/sessions", "GET, POST"),
        ("OPTIONS", "/api/paper-trading/sessions/pause-all", "POST"),  # not /sessions/{id}'s GET
    ]:
        response = api.client.request(method, path, auth=api.alice)
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == allowed, (method, path)
        assert response.json()["code"] == 40510000
