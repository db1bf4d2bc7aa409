"""A/B tests and multi-strategy sessions through the real application, on SQLite and
PostgreSQL: the arms' own accounts and fills, the bootstrap comparisons, the
attribution of a shared account, and the bodies refused."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import Api
from tests.waiting import wait_for

#: Two years of the bundled daily bars: enough crossings for every arm to trade.
START = "2011-01-03T14:30:00Z"
END = "2012-12-31T21:00:00Z"
SYMBOLS = ["AAPL", "MSFT", "IBM"]
FAST = {"name": "sma_crossover", "params": {"fast": 5, "slow": 20}, "symbols": SYMBOLS}
SLOW = {"name": "sma_crossover", "params": {"fast": 10, "slow": 30}, "symbols": SYMBOLS}


def create(api: Api, **fields: Any) -> dict[str, Any]:
    return api.create_session(startTime=START, endTime=END, **fields)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def run_to_end(api: Api, session_id: str) -> None:
    ok(api.client.post(f"/v1/sessions/{session_id}/time/advance", json={"targetTime": END},
                       auth=api.alice))  # fmt: skip


def fills(api: Api, session_id: str, account_id: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = ok(
        api.client.get(
            f"/v1/trading/accounts/{account_id}/orders",
            params={"status": "all"},
            headers={"X-Session-Id": session_id},
            auth=api.alice,
        )
    )
    return orders


def test_an_ab_test_runs_each_arm_on_its_own_account_and_compares_them(api: Api) -> None:
    session = create(api, strategies=[FAST, SLOW], execution={"preset": "ideal"})
    sid = session["id"]
    run_to_end(api, sid)
    report = ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice))
    assert report["mode"] == "ab"
    a, b = report["arms"]
    assert (a["label"], b["label"]) == ("a", "b")
    assert a["params"] == {"fast": 5, "slow": 20}
    assert b["params"] == {"fast": 10, "slow": 30}
    assert a["weight"] == b["weight"] == "0.5"
    assert len({a["account_id"], b["account_id"], session["default_account_id"]}) == 3
    # Each arm's account opened with half the cash; each arm's orders are on its account only.
    for arm in (a, b):
        assert Decimal(arm["metrics"]["initial_cash"]) == 50000
        orders = fills(api, sid, arm["account_id"])
        assert orders, "each arm traded"
        assert all(o["client_order_id"].startswith(f"{arm['label']}:") for o in orders)
        assert arm["equity"][-1]["v"] == arm["metrics"]["final_equity"]
    assert fills(api, sid, session["default_account_id"]) == []
    (comparison,) = report["comparisons"]
    assert (comparison["a"], comparison["b"]) == ("a", "b")
    assert comparison["resamples"] == 2000
    assert comparison["confidence"] == "0.95"
    for key in ("sharpe_diff", "return_diff"):
        interval = {k: Decimal(v) for k, v in comparison[key].items()}
        assert interval["low"] <= interval["estimate"] <= interval["high"]
    # The same seed gives the same intervals; a narrower confidence a narrower one.
    again = ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice))
    assert again["comparisons"] == report["comparisons"]
    narrow = ok(
        api.client.get(f"/v1/sessions/{sid}/arms", params={"confidence": 0.8}, auth=api.alice)
    )["comparisons"][0]["return_diff"]
    wide = comparison["return_diff"]
    assert Decimal(narrow["high"]) - Decimal(narrow["low"]) <= Decimal(wide["high"]) - Decimal(
        wide["low"]
    )
    # The attribution of an A/B is each arm's account's P&L.
    rows = ok(api.client.get(f"/v1/sessions/{sid}/attribution", auth=api.alice))["items"]
    assert [r["label"] for r in rows] == ["a", "b"]
    for row, arm in zip(rows, (a, b), strict=True):
        assert Decimal(row["pnl"]) == Decimal(arm["metrics"]["final_equity"]) - 50000
    # The session's summary is the whole session's: both arms' books as one.
    summary = ok(api.client.get(f"/v1/sessions/{sid}/summary", auth=api.alice))
    finals = [Decimal(arm["metrics"]["final_equity"]) for arm in (a, b)]
    assert Decimal(summary["initial_equity"]) == 100000
    assert Decimal(summary["final_equity"]) == sum(finals)
    assert Decimal(summary["pnl"]) == sum(finals) - 100000
    assert Decimal(summary["metrics"]["initial_cash"]) == 100000
    assert summary["trades"] == sum(arm["metrics"]["num_trades"] for arm in (a, b))
    # It all comes back the same from the journal.
    api.restart()
    assert ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice)) == report


def test_a_shared_session_attributes_the_account_pnl_to_its_strategies_exactly(
    api: Api,
) -> None:
    session = create(
        api,
        strategies=[FAST, {**SLOW, "label": "slow", "weight": "0.3"}],
        mode="shared",
        initialCash="100000",
    )
    sid = session["id"]
    run_to_end(api, sid)
    report = ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice))
    assert report["mode"] == "shared"
    assert report["comparisons"] == []
    assert [arm["weight"] for arm in report["arms"]] == ["0.7", "0.3"]
    assert {arm["account_id"] for arm in report["arms"]} == {session["default_account_id"]}
    rows = ok(api.client.get(f"/v1/sessions/{sid}/attribution", auth=api.alice))["items"]
    assert [r["label"] for r in rows] == ["a", "slow"]
    assert all(r["fills"] > 0 and r["orders"] > 0 for r in rows)
    account = ok(
        api.client.get(
            f"/v1/trading/accounts/{session['default_account_id']}/account",
            headers={"X-Session-Id": sid},
            auth=api.alice,
        )
    )
    total = sum((Decimal(r["pnl"]) for r in rows), Decimal(0))
    assert total == Decimal(account["equity"]) - Decimal(100000)
    for row in rows:
        assert Decimal(row["pnl"]) == (
            Decimal(row["realized_pnl"]) + Decimal(row["unrealized_pnl"]) - Decimal(row["fees"])
        )


def test_a_shared_session_with_equal_risk_weights_moves_them(api: Api) -> None:
    session = create(
        api,
        strategies=[{**FAST, "symbols": ["AAPL"]}, {**SLOW, "symbols": ["IBM"]}],
        mode="shared",
        allocation="equal_risk",
    )
    sid = session["id"]
    run_to_end(api, sid)
    arms = ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice))["arms"]
    weights = [Decimal(arm["weight"]) for arm in arms]
    assert weights[0] != weights[1]
    assert sum(weights) <= 1
    assert sum(weights) > Decimal("0.999999")


def test_a_single_strategy_session_has_one_attribution_row_and_no_arms(api: Api) -> None:
    session = create(api, strategy=FAST)
    sid = session["id"]
    run_to_end(api, sid)
    response = api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice)
    assert response.status_code == 404
    assert "not a multi-strategy session" in response.json()["message"]
    (row,) = ok(api.client.get(f"/v1/sessions/{sid}/attribution", auth=api.alice))["items"]
    assert row["strategy"] == "sma_crossover"
    assert row["label"] == "strategy"
    manual = create(
        api,
    )
    response = api.client.get(f"/v1/sessions/{manual['id']}/attribution", auth=api.alice)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"strategies": [FAST, SLOW], "strategy": FAST}, "only one of them"),
        ({"strategies": [FAST]}, "at least 2"),
        ({"strategies": [FAST] * 9}, "at most 8"),
        ({"strategies": [{**FAST, "weight": "0.7"}, {**SLOW, "weight": "0.6"}]}, "at most 1"),
        ({"strategies": [{**FAST, "weight": "1"}, SLOW]}, "leave nothing"),
        ({"strategies": [{**FAST, "label": "x"}, {**SLOW, "label": "x"}]}, "unique"),
        ({"strategies": [{**FAST, "label": "a:b"}, SLOW]}, "label"),
        ({"strategies": [FAST, SLOW], "mode": "both"}, "mode"),
        ({"strategies": [FAST, SLOW], "allocation": "kelly"}, "allocation"),
        ({"strategies": [FAST, {**SLOW, "params": {"fast": 40, "slow": 30}}]}, "strategies.1"),
        ({"strategies": [FAST, {**SLOW, "name": "no_such_strategy"}]}, "no_such_strategy"),
        (
            {
                "agents": [
                    {
                        "type": "strategy",
                        "name": "s",
                        "config": {"strategy": "sma_crossover", "account": 2, "account_cash": "10"},
                    }
                ]
            },
            "accounts 1, 2",
        ),
    ],
)
def test_bad_multi_strategy_bodies_are_422(api: Api, fields: dict[str, Any], message: str) -> None:
    body = {"startTime": START, "endTime": END, **fields}
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert message in response.text


def test_the_arms_query_is_checked(api: Api) -> None:
    session = create(api, strategies=[FAST, SLOW])
    # At the session's start: no samples, no metrics, intervals of nothing.
    report = ok(api.client.get(f"/v1/sessions/{session['id']}/arms", auth=api.alice))
    assert [arm["metrics"] for arm in report["arms"]] == [None, None]
    assert report["comparisons"][0]["sharpe_diff"] == {"estimate": "0", "low": "0", "high": "0"}
    for params in ({"confidence": 0.5}, {"confidence": 0.999}, {"resamples": 0}):
        response = api.client.get(f"/v1/sessions/{session['id']}/arms", params=params,
                                  auth=api.alice)  # fmt: skip
        assert response.status_code == 422, response.text


def test_a_paper_ab_test_trades_each_arm_on_its_own_account(api: Api) -> None:
    body = {
        "symbols": ["AAA", "BBB"],
        "feed": {"type": "synthetic", "seed": 3, "interval_seconds": 0.05},
        "execution": {"preset": "ideal"},
        "initial_cash": "10000",
        "strategies": [
            {"name": "sma_crossover", "params": {"fast": 2, "slow": 4}, "label": "quick"},
            {"name": "sma_crossover", "params": {"fast": 3, "slow": 6}, "weight": "0.25"},
        ],
    }
    session = ok(api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice), 201)
    sid = session["id"]
    arms = wait_for(
        lambda: ok(api.client.get(f"/v1/sessions/{sid}/arms", auth=api.alice))["arms"],
        "the arms",
    )
    assert [(a["label"], a["weight"]) for a in arms] == [("quick", "0.75"), ("b", "0.25")]
    orders = wait_for(lambda: fills(api, sid, arms[0]["account_id"]), "the first arm's order")
    assert all(o["client_order_id"].startswith("quick:") for o in orders)
    default = ok(
        api.client.get(
            f"/v1/trading/accounts/{session['default_account_id']}/account",
            headers={"X-Session-Id": sid},
            auth=api.alice,
        )
    )
    assert Decimal(default["initial_cash"]) == 0
    bad = api.client.post(
        "/api/paper-trading/sessions",
        json={**body, "strategy": "sma_crossover"},
        auth=api.alice,
    )
    assert bad.status_code == 422
    assert "only one of them" in bad.text


def test_the_docs_examples_create_the_sessions_they_describe(api: Api) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "ab-tests.md").read_text()
    ab, shared = (json.loads(b) for b in re.findall(r"```json\n(.*?)```", page, flags=re.DOTALL))
    session = api.create_session(**ab)
    run_to_end(api, session["id"])
    report = ok(api.client.get(f"/v1/sessions/{session['id']}/arms", auth=api.alice))
    assert report["mode"] == "ab"
    assert [c["a"] + c["b"] for c in report["comparisons"]] == ["ab"]
    session = api.create_session(**shared)
    run_to_end(api, session["id"])
    rows = ok(api.client.get(f"/v1/sessions/{session['id']}/attribution", auth=api.alice))
    assert [r["label"] for r in rows["items"]] == ["fast", "slow"]


@pytest.mark.parametrize("mode", ["ab", "shared"])
def test_a_multi_strategy_session_resumes_from_a_checkpoint_as_it_ran(api: Api, mode: str) -> None:
    fields = {"strategies": [FAST, SLOW], "mode": mode, "execution": {"preset": "ideal"}}
    straight = create(api, **fields)
    run_to_end(api, straight["id"])
    session = create(api, **fields)
    sid = session["id"]
    ok(api.client.post(f"/v1/sessions/{sid}/time/advance",
                       json={"targetTime": "2012-01-03T21:00:00Z"}, auth=api.alice))  # fmt: skip
    ok(api.client.post(f"/v1/sessions/{sid}/checkpoints", auth=api.alice), 201)
    api.restart()
    run_to_end(api, sid)
    stats = ok(api.client.get(f"/v1/sessions/{sid}/checkpoints", auth=api.alice))["stats"]
    assert stats["last_restore"]["checkpoint_seq"] is not None, "it resumed from the checkpoint"
    for path in ("arms", "attribution"):
        resumed = ok(api.client.get(f"/v1/sessions/{sid}/{path}", auth=api.alice))
        alone = ok(api.client.get(f"/v1/sessions/{straight['id']}/{path}", auth=api.alice))
        if path == "arms":  # other sessions, other account ids
            for arm in (*resumed["arms"], *alone["arms"]):
                arm.pop("account_id")
        assert resumed == alone


def test_an_arms_strategy_agent_keeps_its_account_and_weight_but_takes_new_params(
    api: Api,
) -> None:
    session = create(api, strategies=[FAST, SLOW], mode="shared")
    agents = ok(api.client.get("/api/agents", auth=api.alice))
    arm = next(a for a in agents if a["session_id"] == session["id"] and a["name"] == "strategy-1")
    assert arm["config"]["label"] == "a"
    assert arm["config"]["weight"] == "0.5"
    path = f"/api/agents/{arm['id']}/config"
    refused = api.client.patch(path, json={"weight": "0.9"}, auth=api.alice)
    assert refused.status_code == 422
    assert "weight are fixed" in refused.text
    same = api.client.patch(path, json={"weight": 0.5, "params": {"fast": 6}}, auth=api.alice)
    assert ok(same)["config"]["params"] == {"fast": 6, "slow": 20}
