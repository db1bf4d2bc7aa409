"""The risk layer's decisions reach the activity feed and ``/ws`` through the journal.

A denial is a warning (``OrderDenied``), a breaker's trip an error
(``BreakerTripped``: the session takes no new entries), a risk command and
the audit trail's ``RiskAction`` are information.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.api.conftest import IDEAL, Api
from tests.api.test_ws import Trader, listening, next_of, serving
from tests.compat.conftest import LiveServer


def test_denials_trips_and_actions_are_activity_with_their_severity(api: Api) -> None:
    session = api.create_session(
        execution=IDEAL,
        risk={"limits": {"max_order_qty": "5"}, "breakers": {"daily_loss": "1000"}},
    )
    account = session["default_account_id"]
    denied = api.trading(
        "POST", session["id"], account, "/orders",
        json={"symbol": "AAPL", "side": "buy", "qty": "6", "type": "market"},
    )  # fmt: skip
    assert denied.status_code == 422
    response = api.client.post(
        f"/v1/sessions/{session['id']}/emergency",
        json={"action": "kill", "reason": "drill"}, auth=api.alice,
    )  # fmt: skip
    assert response.status_code == 200

    feed = api.client.get("/api/activity", auth=api.alice).json()
    kinds = {item["type"]: item for item in feed}
    denial = kinds["OrderDenied"]
    assert denial["severity"] == "warning"
    assert denial["message"].startswith(f"order {denied.json()['order_id'][:8]} ")
    assert denial["message"].endswith("denied by limits.max_order_qty (limit 5, value 6)")
    assert kinds["BreakerTripped"]["severity"] == "error"
    assert kinds["BreakerTripped"]["message"].startswith("breaker kill_switch tripped")
    assert kinds["RiskCommanded"]["message"] == "risk: kill (drill)"
    assert kinds["RiskAction"]["severity"] == "info"
    warnings = api.client.get("/api/activity", params={"severity": "error"}, auth=api.alice)
    assert [item["type"] for item in warnings.json()] == ["BreakerTripped"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serving(tmp_path_factory)


def test_a_denial_and_a_trip_are_streamed_on_ws(server: LiveServer) -> None:
    trader = Trader(server, risk={"limits": {"max_order_qty": "5"}})
    with listening(server, trader.key, topics=["orders", "sessions"], session_id=trader.id) as ws:
        response = trader._http.post(
            f"/v1/trading/accounts/{trader.session['default_account_id']}/orders",
            json={"symbol": "AAPL", "side": "buy", "qty": "6", "type": "market"},
            headers={"X-Session-Id": trader.id},
        )
        assert response.status_code == 422
        submitted = next_of(ws, "event")
        assert submitted["kind"] == "OrderSubmitted"
        denied = next_of(ws, "event")
        assert (denied["kind"], denied["topic"]) == ("OrderDenied", "orders")
        assert denied["data"]["rule"] == "limits.max_order_qty"
        trader._http.post(f"/v1/sessions/{trader.id}/emergency", json={"action": "kill"})
        kinds = [next_of(ws, "event")["kind"] for _ in range(2)]
        assert kinds == ["RiskCommanded", "BreakerTripped"]
    trader.close()
