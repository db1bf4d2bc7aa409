"""Generated malformed requests against every operation: never a 5xx, always a JSON error.

Bodies mix the operation's own field names with random JSON values (and a few
random names); path ids and the session header are real ids, random text or
the ids of nothing. Requests that happen to be valid may succeed; nothing may
fail on the server's side.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.api.conftest import Api

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["1e999", "NaN", "-0", "2012-01-03T14:30:00Z", "9999-12-31T23:59:59Z",
                       "AAPL", "market", "limit", "buy", "sell", "0.000000001", "1_0"])
)  # fmt: skip
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
#: A refused order's error also names the order (and a risk denial, its rule); an invalid
#: field may be named.
REFUSAL_FIELDS = {"code", "message", "order_id", "reject_reason", "rule", "limit", "value",
                  "field"}  # fmt: skip
ID_TEXT = st.text(alphabet=string.printable.strip(), min_size=1, max_size=40).filter(
    lambda s: "/" not in s and "?" not in s and "#" not in s and s not in (".", "..")
)


def fields_of(api: Api, operation: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if "$ref" in s)
    ref = schema.get("$ref", "")
    if not ref:
        return []
    component = api.app.openapi()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return list(component.get("properties", {}))


def test_generated_malformed_requests_never_get_a_5xx(api: Api) -> None:
    session = api.create_session()
    account = api.create_account(session["id"])
    bound = api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice).json()
    real = {
        "sessionId": session["id"],
        "accountId": account["id"],
        "orderId": "00000000-0000-4000-8000-000000000000",
        "order_id": "00000000-0000-4000-8000-000000000000",
        "symbol": "AAPL",
        "symbol_or_asset_id": "AAPL",
        "keyId": bound["key_id"],
        "name": "sma_crossover",
        "activity_type": "FILL",
        "agent_id": "00000000-0000-4000-8000-000000000000",
        "watchlist_id": "00000000-0000-4000-8000-000000000000",
        "credentialId": "00000000-0000-4000-8000-000000000000",
        "runId": "00000000-0000-4000-8000-000000000000",
        "templateId": "builtin:moderate",
        "sweepId": "00000000-0000-4000-8000-000000000000",
        "idx": 0,
        "X-Session-Id": session["id"],
    }
    # The /v2 routes answer a key bound to the session; the others its owner's.
    callers = [api.alice, (bound["key_id"], bound["secret"])]
    operations = [
        (path, method.upper(), operation)
        for path, item in api.app.openapi()["paths"].items()
        for method, operation in item.items()
    ]

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        path, method, operation = data.draw(st.sampled_from(operations))
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] != "query"]
        values = {n: data.draw(st.just(real[n]) | ID_TEXT, label=n) for n in names}
        url = path.format(**{n: v for n, v in values.items() if n != "X-Session-Id"})
        headers = {"X-Session-Id": values["X-Session-Id"]} if "X-Session-Id" in values else {}
        if data.draw(st.booleans(), label="omit header"):
            headers = {}
        keys = [*fields_of(api, operation), "extra"]
        body = data.draw(
            st.dictionaries(st.sampled_from(keys), JSON, max_size=len(keys)) | JSON, label="body"
        )
        params = {"status": data.draw(JSON_SCALARS.map(str), label="status")}
        auth = data.draw(st.sampled_from(callers), label="key")
        response = api.client.request(
            method, url, headers=headers, json=body, params=params, auth=auth
        )
        assert response.status_code < 500, f"{method} {url} {body!r}: {response.text}"
        if response.status_code >= 400:
            # A refused order's error also names the rejected order.
            assert {"code", "message"} <= set(response.json()) <= REFUSAL_FIELDS

    check()


#: Not plain decimal numbers, or no money: each is refused wherever money or a quantity goes.
NOT_AMOUNTS = ['" 1 "', '"\u0661"', '" 1"', '"1 "', '"1_000"', '"1e3"', '"+1"', "0", '"0"',
               "1e-400", '"0.0"', "-1", "true", '"NaN"']  # fmt: skip


def test_money_and_quantities_are_plain_decimal_numbers_on_every_surface(api: Api) -> None:
    session = api.create_session()
    account = session["default_account_id"]
    bound = api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice).json()
    bot = (bound["key_id"], bound["secret"])
    order = '{"symbol": "AAPL", "side": "buy", "type": "market", "qty": %s}'
    window = (
        f'"startTime": "{session["simulation_start"]}", "endTime": "{session["simulation_end"]}"'
    )
    places = [  # (method, path, body template, key, headers, field)
        ("POST", "/v1/sessions", "{" + window + ', "initialCash": %s}', api.alice, {},
         "initialCash"),
        ("POST", "/v1/accounts", '{"initialCash": %s}', api.alice, {"X-Session-Id": session["id"]},
         "initialCash"),
        ("POST", f"/v1/trading/accounts/{account}/orders", order, api.alice,
         {"X-Session-Id": session["id"]}, "qty"),
        ("POST", "/v2/orders", order, bot, {}, "qty"),
        ("POST", "/api/paper-trading/sessions", '{"symbols": ["AAPL"], "initial_cash": %s}',
         api.alice, {}, "initial_cash"),
    ]  # fmt: skip
    for method, path, template, key, headers, field in places:
        for value in NOT_AMOUNTS:
            response = api.client.request(
                method, path, content=template % value, auth=key,
                headers={**headers, "Content-Type": "application/json"},
            )  # fmt: skip
            assert response.status_code == 422, f"{path} {value}: {response.text}"
            assert field in response.json()["message"], response.text
    # What the schema says is what is checked: a pattern of ASCII digits, and numbers.
    properties = api.app.openapi()["components"]["schemas"]["SessionCreate"]["properties"]
    text, number = properties["initialCash"]["anyOf"]
    assert text["pattern"].startswith("^")
    assert "[0-9]" in text["pattern"]
    assert number == {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10**12,
                      "multipleOf": 1e-10}  # fmt: skip
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["id"] for s in listed] == [session["id"]]  # no session opened without money
