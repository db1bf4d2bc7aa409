"""A pipeline with a sentiment agent: a negative headline blocks an entry the same
strategy takes without it (data → sentiment + strategy → risk → execution)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import END, IDEAL, START, Api

from paperbroker.news import load_sample_news, parse_rfc3339

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


def sentiment_strategy(api: Api, news: str | None) -> dict[str, Any]:
    choice: dict[str, Any] = {"name": "sentiment_momentum", "symbols": ["AAPL"]}
    if news is not None:
        choice["news"] = news
    return api.client.post(
        "/v1/sessions",
        json={"startTime": START, "endTime": END, "strategy": choice, "execution": IDEAL},
        auth=api.alice,
    ).json()  # fmt: skip


def run_to_end(api: Api, session: dict[str, Any]) -> list[dict[str, Any]]:
    advanced = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": END}, auth=api.alice
    )
    assert advanced.status_code == 200, advanced.text
    orders: list[dict[str, Any]] = api.client.get(
        f"/v1/trading/accounts/{session['default_account_id']}/orders?status=all",
        headers={"X-Session-Id": session["id"]}, auth=api.alice,
    ).json()  # fmt: skip
    return orders


def agent_named(api: Api, session_id: str, name: str) -> dict[str, Any]:
    return next(
        a for a in api.client.get("/api/agents", auth=api.alice).json()
        if a["session_id"] == session_id and a["name"] == name
    )  # fmt: skip


def test_a_sentiment_strategy_gets_a_sentiment_agent_and_trades_on_the_sample_news(
    api: Api,
) -> None:
    quiet = sentiment_strategy(api, None)
    graph = api.client.get(f"/v1/sessions/{quiet['id']}/pipeline", auth=api.alice).json()
    assert [n["type"] for n in graph["nodes"]] == [
        "data", "sentiment", "strategy", "risk", "execution",
    ]  # fmt: skip
    assert run_to_end(api, quiet) == []  # no news, no score: it never enters

    informed = sentiment_strategy(api, "sample")
    buys = [o for o in run_to_end(api, informed) if o["side"] == "buy"]
    assert buys
    assert buys[0]["status"] == "filled"
    aapl_until_end = [
        item for item in load_sample_news()
        if "AAPL" in item.symbols and item.ts <= parse_rfc3339(END)
    ]  # fmt: skip
    sentiment = agent_named(api, informed["id"], "sentiment")
    assert sentiment["metrics"]["headlines"] == len(aapl_until_end)
    assert agent_named(api, informed["id"], "data")["config"] == {"news": "sample"}


def test_a_news_file_in_the_news_directory_is_replayed(api: Api) -> None:
    news_dir = api.server.news_dir
    assert news_dir is not None
    news_dir.mkdir(parents=True, exist_ok=True)
    (news_dir / "wire.jsonl").write_text(
        '{"time": "2012-01-04T15:00:00Z", "symbols": ["AAPL"], '
        f'"headline": "{NEGATIVE}"}}\n'
        '{"time": "2012-12-04T15:00:00Z", "symbols": ["AAPL"], "headline": "After the end"}\n'
    )
    session = sentiment_strategy(api, "wire.jsonl")
    assert run_to_end(api, session) == []  # the only score heard is negative
    assert agent_named(api, session["id"], "sentiment")["metrics"]["headlines"] == 1


@pytest.mark.parametrize(
    "news", ["../secret.jsonl", "/etc/passwd", "..", "a/b.jsonl", "missing.jsonl", "link.jsonl"]
)
def test_a_news_name_outside_the_news_directory_is_a_422_that_leaks_nothing(
    api: Api, news: str
) -> None:
    news_dir = api.server.news_dir
    assert news_dir is not None
    news_dir.mkdir(parents=True, exist_ok=True)
    secret = news_dir.parent / "secret.jsonl"
    secret.write_text(
        '{"time": "2012-01-04T15:00:00Z", "symbols": ["AAPL"], "headline": "SECRET"}\n'
    )
    (news_dir / "link.jsonl").unlink(missing_ok=True)
    (news_dir / "link.jsonl").symlink_to(secret)
    before = api.client.get("/v1/sessions", auth=api.alice).json()
    response = api.client.post(
        "/v1/sessions",
        json={"startTime": START, "endTime": END, "execution": IDEAL,
              "strategy": {"name": "sma_crossover", "news": news}},
        auth=api.alice,
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.json()["code"] == 42210000
    assert "SECRET" not in response.text
    assert api.client.get("/v1/sessions", auth=api.alice).json() == before  # nothing left


@pytest.mark.parametrize("where", ["strategy", "agents"])
def test_a_session_never_loads_a_strategy_from_a_file(api: Api, where: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = tmp_path / "evil.py"
    source.write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "from paperbroker import Strategy\nclass Evil(Strategy):\n    pass\n"
    )
    spec = f"{source}:Evil"
    body: dict[str, Any] = {"startTime": START, "endTime": END}
    if where == "strategy":
        body["strategy"] = {"name": spec}
    else:
        pipeline = agents()
        pipeline[2]["config"] = {"strategy": spec}
        body["agents"] = pipeline
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert "by name only" in response.json()["message"]
    assert not marker.exists()
