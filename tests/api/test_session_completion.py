"""A backtest session that completes ends its trading day as a broker does.

Its ``day`` (and ``opg``/``cls``) orders expire at the completion, journaled,
so a restart of the server brings them back expired; ``gtc`` orders keep
working, and ``GET /v1/sessions/{id}`` says what was left open: those orders
and the positions still held.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import IDEAL, Api

# The session ends at 10:00 New York on 2012-01-04, before that day's bar closes: the
# 3rd's bar is its last.
END_MIDDAY = "2012-01-04T15:00:00Z"


def _order(api: Api, session: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"symbol": "AAPL", "side": "buy", "qty": "10", "type": "market", **fields}
    account = session["default_account_id"]
    response = api.trading("POST", session["id"], account, "/orders", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _status(api: Api, session: dict[str, Any], order_id: str) -> str:
    account = session["default_account_id"]
    response = api.trading("GET", session["id"], account, f"/orders/{order_id}")
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def _read(api: Api, session: dict[str, Any]) -> dict[str, Any]:
    response = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _advance(api: Api, session: dict[str, Any], target: str) -> dict[str, Any]:
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": target}, auth=api.alice
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_completion_expires_day_orders_keeps_gtc_and_says_what_was_left_open(api: Api) -> None:
    # The default models: orders reach the venue 30 to 70 ms after they are sent.
    session = api.create_session(endTime=END_MIDDAY)
    assert _read(api, session)["left_open"] is None  # it has not ended
    bought = _order(api, session)
    gtc = _order(api, session, type="limit", limit_price="100.00", time_in_force="gtc")
    # Sent 10 ms before the 3rd's close, this day limit reaches the venue after it: it
    # belongs to the 4th's trading session, which the session ends inside of.
    _advance(api, session, "2012-01-03T20:59:59.990Z")
    late_day = _order(api, session, type="limit", limit_price="100.00", time_in_force="day")
    assert _advance(api, session, END_MIDDAY)["isCompleted"] is True

    def check() -> None:
        assert _status(api, session, bought["id"]) == "filled"
        assert _status(api, session, late_day["id"]) == "expired"  # at the completion
        assert _status(api, session, gtc["id"]) == "accepted"
        view = _read(api, session)
        assert view["status"] == "completed"
        left = view["left_open"]
        assert [(o["id"], o["time_in_force"]) for o in left["orders"]] == [(gtc["id"], "gtc")]
        assert left["positions"] == [
            {"account_id": session["default_account_id"], "symbol": "AAPL", "qty": "10"}
        ]

    check()
    api.restart()  # the journal replays the expiry at the completion
    check()


def test_day_limit_sent_after_the_open_expires_at_that_days_close(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    _advance(api, session, "2012-01-03T15:00:00Z")  # 10:00 New York
    day = _order(api, session, type="limit", limit_price="100.00", time_in_force="day")
    _advance(api, session, "2012-01-03T21:00:00Z")  # the 3rd's close
    assert _status(api, session, day["id"]) == "expired"
    assert _read(api, session)["left_open"] is None  # the session goes on
