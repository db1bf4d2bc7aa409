"""Sessions that run a pipeline of agents as their clock moves, through the real API."""

from __future__ import annotations

from tests.api.conftest import END, IDEAL, Api

from paperbroker import Backtest, SmaCrossover
from paperbroker.api.formats import time_text
from paperbroker.data import load_sample

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}


def orders_of(api: Api, session: dict[str, object]) -> list[dict[str, object]]:
    response = api.client.get(
        f"/v1/trading/accounts/{session['default_account_id']}/orders?status=all",
        headers={"X-Session-Id": str(session["id"])}, auth=api.alice,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    result: list[dict[str, object]] = response.json()
    return result


def test_a_strategy_session_trades_as_its_clock_moves_and_replays_after_a_restart(
    api: Api,
) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    assert orders_of(api, session) == []
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": END}, auth=api.alice
    )
    assert response.status_code == 200, response.text
    orders = orders_of(api, session)
    assert len(orders) >= 2  # in and out at least once over the quarter
    assert {o["symbol"] for o in orders} == {"AAPL"}
    assert any(o["status"] == "filled" for o in orders)
    before = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()

    api.restart()  # the journal replays event for event, or the session is refused
    after = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()
    assert after == before
    assert orders_of(api, session) == orders


def test_a_strategy_session_makes_the_orders_of_the_same_strategy_run_from_python(
    api: Api,
) -> None:
    # The server's market has five symbols; the strategy is given AAPL. Both runs
    # start at the first bar of the data, with the default execution models.
    start, end = "2000-01-03T14:30:00Z", "2001-12-31T21:00:00Z"
    strategy = {"name": "sma_crossover", "symbols": ["AAPL"]}
    session = api.create_session(startTime=start, endTime=end, strategy=strategy)
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": end}, auth=api.alice
    )
    assert response.status_code == 200, response.text
    served = [
        (o["submitted_at"], o["side"], o["qty"], o["filled_qty"], o["filled_avg_price"])
        for o in orders_of(api, session)
    ]
    alone = Backtest(load_sample("stocks", symbols=["AAPL"]), SmaCrossover, end="2001-12-31").run()
    assert len(alone.orders) >= 10  # in and out several times
    assert served == [
        (
            time_text(o.ts_created),
            o.side.value,
            str(o.qty),
            str(o.filled_qty),
            str(o.avg_fill_price),
        )
        for o in alone.orders
    ]


def test_the_pipeline_is_its_agents_and_their_wiring(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    graph = api.client.get(f"/v1/sessions/{session['id']}/pipeline", auth=api.alice).json()
    assert [(n["name"], n["type"], n["status"]) for n in graph["nodes"]] == [
        ("data", "data", "running"),
        ("strategy", "strategy", "running"),
        ("risk", "risk", "running"),
        ("execution", "execution", "running"),
    ]
    assert [(e["source"], e["target"], e["topic"]) for e in graph["edges"]] == [
        ("data", "strategy", "bars"),
        ("strategy", "risk", "order_intents"),
        ("risk", "execution", "approved_intents"),
        ("risk", "execution", "denied_intents"),
    ]
    plain = api.create_session()
    empty = api.client.get(f"/v1/sessions/{plain['id']}/pipeline", auth=api.alice).json()
    assert empty == {"nodes": [], "edges": []}
    other = api.client.get(f"/v1/sessions/{session['id']}/pipeline", auth=api.bob)
    assert other.status_code == 404


def test_a_pipeline_that_does_not_build_is_422_and_leaves_no_session(api: Api) -> None:
    body = {"startTime": "2012-01-03T14:30:00Z", "endTime": END}
    for extra, named in [
        ({"strategy": {"name": "no_such_strategy"}}, "no_such_strategy"),
        ({"strategy": {"name": "sma_crossover", "params": {"fast": 30, "slow": 5}}}, "fast"),
        ({"strategy": SMA, "agents": []}, "strategy or agents"),
        ({"agents": [{"type": "data", "name": "data"}]}, "exactly one execution agent"),
    ]:
        response = api.client.post("/v1/sessions", json={**body, **extra}, auth=api.alice)
        assert response.status_code == 422, (extra, response.text)
        assert named in response.json()["message"], response.text
        # The server runs strategies by name only: it never suggests a file.
        assert "file.py" not in response.json()["message"], response.text
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []
