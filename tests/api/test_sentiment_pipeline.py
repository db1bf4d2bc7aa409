"""A pipeline with a sentiment agent: a negative headline blocks an entry the same
strategy takes without it (data → sentiment + strategy → risk → execution)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import END, IDEAL, Api

NEGATIVE = "Apple supplier warns of weak demand and costly production delays"  # VADER -0.6369


def agents() -> list[dict[str, Any]]:
    return [
        {"type": "data", "name": "data", "symbols": ["AAPL"]},
        {"type": "sentiment", "name": "sentiment"},
        {
            "type": "strategy", "name": "momentum", "symbols": ["AAPL"],
            "config": {"strategy": "sentiment_momentum",
                       "params": {"require_sentiment": False}},
        },
        {"type": "risk", "name": "risk"},
        {"type": "execution", "name": "execution"},
    ]  # fmt: skip


def buys_after_the_quarter(api: Api, headline: str | None) -> list[dict[str, Any]]:
    session = api.create_session(agents=agents(), execution=IDEAL)
    if headline is not None:
        body = {"symbols": ["AAPL"], "headline": headline, "source": "test wire"}
        posted = api.client.post(f"/v1/sessions/{session['id']}/news", json=body, auth=api.alice)
        assert posted.status_code == 201, posted.text
    advanced = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": END}, auth=api.alice
    )
    assert advanced.status_code == 200, advanced.text
    orders = api.client.get(
        f"/v1/trading/accounts/{session['default_account_id']}/orders?status=all",
        headers={"X-Session-Id": session["id"]}, auth=api.alice,
    ).json()  # fmt: skip
    return [o for o in orders if o["side"] == "buy"]


def test_a_negative_headline_blocks_the_entry_momentum_takes_without_it(api: Api) -> None:
    without = buys_after_the_quarter(api, None)
    assert without, "momentum enters AAPL in the first quarter of 2012 without news"
    assert without[0]["status"] == "filled"
    assert buys_after_the_quarter(api, NEGATIVE) == []
    sentiment = next(
        a for a in api.client.get("/api/agents", auth=api.alice).json()
        if a["name"] == "sentiment" and a["metrics"].get("headlines")
    )  # fmt: skip
    assert sentiment["metrics"]["headlines"] == 1
    assert sentiment["metrics"]["published"] == 1


def test_the_sentiment_agent_is_wired_between_news_and_the_strategy(api: Api) -> None:
    session = api.create_session(agents=agents(), execution=IDEAL)
    graph = api.client.get(f"/v1/sessions/{session['id']}/pipeline", auth=api.alice).json()
    edges = {(e["source"], e["target"], e["topic"]) for e in graph["edges"]}
    assert ("data", "sentiment", "news") in edges
    assert ("sentiment", "momentum", "sentiment") in edges
    assert ("data", "momentum", "bars") in edges
