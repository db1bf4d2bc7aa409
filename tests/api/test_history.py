"""Every session that ends stores its summary: the history, a summary, the trades review.

Through the real application on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from tests.api.conftest import END, IDEAL, Api

from paperbroker.store.tables import SessionSummaryRow

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}


def _end(api: Api, session: dict[str, Any]) -> None:
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": END}, auth=api.alice
    )
    assert response.status_code == 200, response.text


def _summary(api: Api, session_id: str, auth: Any = None) -> Any:
    return api.client.get(f"/v1/sessions/{session_id}/summary", auth=auth or api.alice)


def test_a_completed_backtest_has_a_summary_with_its_metrics_and_run_record(api: Api) -> None:
    session = api.create_session(name="sma", strategy=SMA, execution=IDEAL)
    early = _summary(api, session["id"])
    assert early.status_code == 404
    assert "written when the session ends" in early.json()["message"]
    _end(api, session)

    response = _summary(api, session["id"])
    assert response.status_code == 200, response.text
    summary = response.json()
    metrics = api.client.get(f"/v1/sessions/{session['id']}/metrics", auth=api.alice).json()
    # One valuation: the summary's metrics are the metrics endpoint's, every one of them.
    assert summary["metrics"] == metrics["metrics"]
    assert (summary["type"], summary["state"], summary["strategy"]) == (
        "backtest", "completed", "sma_crossover",
    )  # fmt: skip
    assert summary["params"]["fast"] == 2
    assert summary["symbols"] == ["AAPL"]
    assert (summary["start"], summary["end"]) == ("2012-01-03T14:30:00Z", END)
    assert summary["initial_equity"] == "100000"
    assert summary["final_equity"] == metrics["metrics"]["final_equity"]
    assert Decimal(summary["pnl"]) == Decimal(summary["final_equity"]) - 100_000
    assert summary["total_return"] == metrics["metrics"]["total_return"]
    assert summary["trades"] == metrics["metrics"]["num_trades"] > 0

    record = summary["run_record"]
    assert record["code_version"]
    assert len(record["data_digest"]) == 64
    assert len(record["strategy_source_digest"]) == 64
    assert (record["strategy"], record["seed"], record["initial_cash"]) == (
        "sma_crossover", 0, "100000",
    )  # fmt: skip
    assert record["execution"] == session["execution"]
    assert record["config"]["strategy"] == SMA
    assert record["config"]["startTime"] == "2012-01-03T14:30:00Z"
    assert record["fills"] > 0
    assert len(record["fills_digest"]) == 64


def test_every_end_state_and_type_is_summarized_once(api: Api) -> None:
    killed = api.create_session(name="killed", execution=IDEAL)
    assert api.client.post(f"/v1/sessions/{killed['id']}/kill", auth=api.alice).status_code == 200
    stopped = api.create_session(name="stopped", execution=IDEAL)
    assert api.client.post(f"/v1/sessions/{stopped['id']}/stop", auth=api.alice).status_code == 200
    paper = api.client.post(
        "/api/paper-trading/sessions",
        json={"name": "paper", "symbols": ["AAPL"], "feed": {"type": "synthetic", "seed": 1}},
        auth=api.alice,
    ).json()
    assert api.client.post(f"/v1/sessions/{paper['id']}/stop", auth=api.alice).status_code == 200

    listed = api.client.get("/v1/history?sort=name&order=asc", auth=api.alice).json()
    assert [(s["name"], s["type"], s["state"]) for s in listed["items"]] == [
        ("killed", "backtest", "killed"), ("paper", "paper", "stopped"),
        ("stopped", "backtest", "stopped"),
    ]  # fmt: skip
    assert listed["total"] == 3
    # A session that ended at its start: its books, no metrics.
    assert listed["items"][0]["metrics"] is None
    assert listed["items"][0]["pnl"] == "0"

    api.restart()  # restored ended: nothing is written twice
    again = api.client.get("/v1/history", auth=api.alice).json()
    assert again["total"] == 3
    assert api.client.get("/v1/history", auth=api.bob).json() == {"items": [], "total": 0}
    assert _summary(api, killed["id"], api.bob).status_code == 404


def test_a_session_found_ended_at_a_restart_gets_its_summary(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    _end(api, session)
    before = _summary(api, session["id"]).json()
    with api.server.service.factory.begin() as db:  # as if it had ended with the server down
        db.execute(delete(SessionSummaryRow))
    api.restart()
    after = _summary(api, session["id"])
    assert after.status_code == 200, after.text
    assert after.json()["run_record"] == before["run_record"]
    assert after.json()["metrics"] == before["metrics"]


def test_deleting_a_session_deletes_its_summary(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    api.client.post(f"/v1/sessions/{session['id']}/kill", auth=api.alice)
    assert api.client.get("/v1/history", auth=api.alice).json()["total"] == 1
    assert api.client.delete(f"/v1/sessions/{session['id']}", auth=api.alice).status_code == 204
    assert api.client.get("/v1/history", auth=api.alice).json()["total"] == 0


def test_history_filters_sorts_and_pages(api: Api) -> None:
    for fast, name in ((2, "a"), (3, "b"), (4, "c")):
        params = {**SMA, "params": {"fast": fast, "slow": 6}}
        _end(api, api.create_session(name=name, strategy=params, execution=IDEAL))
    api.client.post(f"/v1/sessions/{api.create_session(name='hand')['id']}/kill", auth=api.alice)

    def items(query: str) -> list[dict[str, Any]]:
        response = api.client.get(f"/v1/history?{query}", auth=api.alice)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["items"]
        return found

    assert [s["name"] for s in items("strategy=sma_crossover&sort=name")] == ["c", "b", "a"]
    assert [s["name"] for s in items("state=killed")] == ["hand"]
    pnls = [Decimal(s["pnl"]) for s in items("sort=pnl&order=asc")]
    assert pnls == sorted(pnls)
    returns = [s["total_return"] for s in items("sort=total_return")]
    assert [Decimal(r) for r in returns] == sorted((Decimal(r) for r in returns), reverse=True)
    page = api.client.get("/v1/history?sort=name&order=asc&limit=2&offset=1", auth=api.alice)
    assert [s["name"] for s in page.json()["items"]] == ["b", "c"]
    assert page.json()["total"] == 4
    assert items("type=paper") == []
    assert items("since=2100-01-01T00:00:00Z") == []
    assert len(items("until=2100-01-01T00:00:00Z")) == 4
    for bad in ("sort=color", "limit=0", "limit=501", "type=forward", "since=yesterday"):
        response = api.client.get(f"/v1/history?{bad}", auth=api.alice)
        assert response.status_code == 422, bad


def test_trades_review_slippage_excursions_and_orders(api: Api) -> None:
    session = api.create_session(strategy=SMA)  # the default, realistic execution models
    _end(api, session)
    response = api.client.get(f"/v1/sessions/{session['id']}/trades", auth=api.alice)
    assert response.status_code == 200, response.text
    trades = response.json()["items"]
    metrics = api.client.get(f"/v1/sessions/{session['id']}/metrics", auth=api.alice).json()
    assert [t["fill_ids"] for t in trades] == [t["fill_ids"] for t in metrics["trades"]]
    account = session["default_account_id"]
    fills = {
        f["id"]: f
        for f in api.client.get(
            f"/v1/trading/accounts/{account}/fills", headers={"X-Session-Id": session["id"]},
            auth=api.alice,
        ).json()
    }  # fmt: skip
    orders = {
        o["id"]
        for o in api.client.get(
            f"/v1/trading/accounts/{account}/orders?status=all",
            headers={"X-Session-Id": session["id"]}, auth=api.alice,
        ).json()
    }  # fmt: skip
    assert trades
    for trade in trades:
        own = [fills[f] for f in trade["fill_ids"]]
        paid = sum(Decimal(f["slippage"]) * Decimal(f["qty"]) for f in own)
        assert Decimal(trade["slippage"]) == paid > 0
        assert trade["entry_order_id"] == own[0]["order_id"]
        assert trade["entry_order_id"] in orders
        if trade["exit_time"] is None:
            assert trade["exit_order_id"] is None
        else:
            assert trade["exit_order_id"] == own[-1]["order_id"]
        assert Decimal(trade["mae"]) <= 0 <= Decimal(trade["mfe"])
        assert trade["factor"] is None
