"""One rule for symbol case: symbols are upper case, and ``aapl`` is taken as ``AAPL``
wherever a client writes one (as Alpaca's API does): order bodies, paths, paper
sessions' and strategies' symbols, explicit pipelines, headlines."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import IDEAL, Api

from paperbroker.agents.pipeline import standard_pipeline


def test_an_order_for_aapl_is_an_order_for_AAPL(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    account = session["default_account_id"]
    order = {"symbol": "aapl", "qty": "2", "side": "buy", "type": "market"}
    placed = api.trading("POST", session["id"], account, "/orders", json=order)
    assert placed.status_code == 200, placed.text
    assert placed.json()["symbol"] == "AAPL"
    api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"duration": 1440}, auth=api.alice
    )
    position = api.trading("GET", session["id"], account, "/positions/aapl")
    assert position.status_code == 200, position.text
    assert (position.json()["symbol"], position.json()["qty"]) == ("AAPL", "2")
    assert api.trading("GET", session["id"], account, "/positions/Aapl").json() == position.json()


def test_a_malformed_symbol_is_still_refused_naming_it(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    order = {"symbol": "aa pl", "qty": "1", "side": "buy", "type": "market"}
    refused = api.trading(
        "POST", session["id"], session["default_account_id"], "/orders", json=order
    )
    assert refused.status_code == 422
    assert "symbol" in refused.json()["message"]


def held_symbols(api: Api, session: dict[str, Any]) -> list[str]:
    """What the session's pipeline bought, a few days in."""
    moved = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"duration": 5 * 1440}, auth=api.alice
    )
    assert moved.status_code == 200, moved.text
    positions = api.trading("GET", session["id"], session["default_account_id"], "/positions")
    return sorted(p["symbol"] for p in positions.json())


def test_a_strategy_trades_the_upper_case_symbols_it_is_given(api: Api) -> None:
    strategy = {"name": "buy_and_hold", "symbols": ["aapl", "msft"]}
    session = api.create_session(strategy=strategy, execution=IDEAL)
    assert held_symbols(api, session) == ["AAPL", "MSFT"]


def test_an_explicit_pipeline_trades_the_upper_case_symbols_it_is_given(api: Api) -> None:
    agents = standard_pipeline("buy_and_hold", {}, ["ibm"], strategy_files=False)
    assert agents[0]["symbols"] == ["ibm"]
    session = api.create_session(agents=agents, execution=IDEAL)
    assert held_symbols(api, session) == ["IBM"]


def test_a_paper_session_on_lower_case_symbols_trades_the_upper_case_ones(api: Api) -> None:
    body = {"symbols": ["aapl"], "feed": {"type": "synthetic", "interval_seconds": 60}}
    created = api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice)
    assert created.status_code == 201, created.text
    assert created.json()["symbols"] == ["AAPL"]
    api.client.post(f"/api/paper-trading/sessions/{created.json()['id']}/stop", auth=api.alice)
