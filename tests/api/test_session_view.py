"""What a session's view shows a dashboard: its strategy, symbols, exposure and the
wall-clock span of its current run, on /v1 and on the paper surface."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.api.conftest import IDEAL, Api

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["aapl"]}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def read(api: Api, session_id: str) -> dict[str, Any]:
    session: dict[str, Any] = ok(api.client.get(f"/v1/sessions/{session_id}", auth=api.alice))
    return session


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text[:26] + "+00:00")


def test_the_strategy_with_its_effective_parameters_and_its_symbols(api: Api) -> None:
    session = api.create_session(execution=IDEAL, strategy=SMA)
    assert session["strategy"] == {
        "name": "sma_crossover",
        "params": {"fast": 2, "slow": 5, "allocation": None, "buffer": 0.0},
    }
    assert session["symbols"] == ["AAPL"]
    by_hand = api.create_session(execution=IDEAL)
    assert by_hand["strategy"] is None
    assert by_hand["symbols"] == ["AAPL", "GOOG", "IBM", "MSFT"]
    listed = {s["id"]: s for s in ok(api.client.get("/v1/sessions", auth=api.alice))}
    assert listed[session["id"]]["strategy"] == session["strategy"]
    assert listed[by_hand["id"]]["symbols"] == by_hand["symbols"]


def test_exposure_is_the_gross_value_of_the_open_positions(api: Api) -> None:
    session = api.create_session(execution=IDEAL, account={"type": "margin"})
    assert session["exposure"] == "0"
    book = (session["id"], session["default_account_id"])
    for order in (
        {"symbol": "AAPL", "side": "buy", "qty": 5, "type": "market"},
        {"symbol": "MSFT", "side": "sell", "qty": 3, "type": "market"},
    ):
        assert api.trading("POST", *book, "/orders", json=order).status_code == 200
    other = (session["id"], api.create_account(session["id"])["id"])
    order = {"symbol": "IBM", "side": "buy", "qty": 2, "type": "market"}
    assert api.trading("POST", *other, "/orders", json=order).status_code == 200
    ok(api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice))
    values = [
        abs(Decimal(p["market_value"]))
        for account in (book, other)
        for p in ok(api.trading("GET", *account, "/positions"))
    ]
    assert len(values) == 3
    assert Decimal(read(api, session["id"])["exposure"]) == sum(values)
    for symbol in ("AAPL", "MSFT"):
        assert api.trading("DELETE", *book, f"/positions/{symbol}").status_code == 200
    assert api.trading("DELETE", *other, "/positions/IBM").status_code == 200
    ok(api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice))
    assert read(api, session["id"])["exposure"] == "0"


def test_the_current_run_starts_when_it_plays_and_ends_when_it_pauses(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    assert (session["started_at"], session["ended_at"]) == (None, None)
    playing = ok(api.client.post(f"/v1/sessions/{session['id']}/time/play", auth=api.alice))
    assert playing["started_at"] is not None
    assert playing["ended_at"] is None
    paused = ok(api.client.post(f"/v1/sessions/{session['id']}/time/pause", auth=api.alice))
    assert paused["started_at"] == playing["started_at"]
    assert moment(paused["ended_at"]) >= moment(paused["started_at"])
    again = ok(api.client.post(f"/v1/sessions/{session['id']}/time/play", auth=api.alice))
    assert moment(again["started_at"]) >= moment(paused["ended_at"])
    assert again["ended_at"] is None
    stopped = ok(api.client.post(f"/v1/sessions/{session['id']}/stop", auth=api.alice))
    assert stopped["started_at"] == again["started_at"]
    assert stopped["ended_at"] is not None
    # The span is read from the journal's commit times: a restart shows the same.
    api.restart()
    assert {k: read(api, session["id"])[k] for k in ("started_at", "ended_at")} == {
        "started_at": stopped["started_at"],
        "ended_at": stopped["ended_at"],
    }


def test_a_paper_session_shows_its_strategy_symbols_and_run(api: Api) -> None:
    body = {
        "symbols": ["AAA", "BBB"],
        "feed": {"type": "synthetic", "seed": 3, "interval_seconds": 0.05},
        "execution": IDEAL,
        "strategy": {"name": "sma_crossover", "params": {"fast": 2, "slow": 4}},
    }
    response = api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice)
    assert response.status_code == 201, response.text
    paper = response.json()
    assert paper["symbols"] == ["AAA", "BBB"]
    assert paper["strategy"]["name"] == "sma_crossover"
    assert paper["strategy"]["params"]["slow"] == 4
    assert paper["started_at"] is not None
    assert paper["ended_at"] is None
    assert read(api, paper["id"])["symbols"] == ["AAA", "BBB"]
    stopped = api.client.post(
        f"/api/paper-trading/sessions/{paper['id']}/stop", auth=api.alice
    ).json()
    assert stopped["ended_at"] is not None
