"""/v1/compare through the real application, on SQLite and PostgreSQL: sessions side by
side, a benchmark and its market regimes, and the refusals (404, 422)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Api

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def ran(api: Api, params: dict[str, int]) -> str:
    session = api.create_session(strategy={**SMA, "params": params}, name=f"sma {params}")
    api.client.post(
        f"/v1/sessions/{session['id']}/time/advance",
        json={"duration": 80 * 24 * 60},
        auth=api.alice,
    )
    return str(session["id"])


def compare(api: Api, **params: str) -> Any:
    return api.client.get("/v1/compare", params=params, auth=api.alice)


def test_sessions_side_by_side_with_a_benchmark(api: Api) -> None:
    a, b = ran(api, {"fast": 2, "slow": 5}), ran(api, {"fast": 3, "slow": 8})
    response = compare(api, sessions=f"{a},{b}", benchmark="AAPL")
    assert response.status_code == 200, response.text
    found = response.json()
    assert [s["session_id"] for s in found["sessions"]] == [a, b]
    for item in found["sessions"]:
        assert item["strategy"] == "sma_crossover"
        assert item["type"] == "backtest"
        metrics = api.client.get(
            f"/v1/sessions/{item['session_id']}/metrics",
            params={"benchmark": "AAPL"},
            auth=api.alice,
        )
        assert item["metrics"] == metrics.json()["metrics"]
        assert item["metrics"]["beta"] is not None
        assert item["equity"][-1]["v"] == item["metrics"]["final_equity"]
        assert len(item["drawdown"]) == len(item["equity"])
        assert all(Decimal(p["v"]) <= 0 for p in item["drawdown"])
        months = [p["period"] for p in item["returns_by_month"]]
        assert months[:3] == ["2012-01", "2012-02", "2012-03"]
        assert [p["period"] for p in item["returns_by_year"]] == ["2012"]
        # The months compound to the whole run's return.
        growth = Decimal(1)
        for p in item["returns_by_month"]:
            growth *= 1 + Decimal(p["value"])
        total = Decimal(item["metrics"]["total_return"])
        assert abs((growth - 1) - total) < Decimal("1e-8")
    benchmark = found["benchmark"]
    assert benchmark["symbol"] == "AAPL"
    assert Decimal(benchmark["equity"][0]["v"]) == Decimal(100_000)
    assert [r["regime"] for r in found["regimes"]] == ["up", "down", "flat"]
    for regime in found["regimes"]:
        assert set(regime["sessions"]) == {a, b}


def test_without_a_benchmark_there_are_no_regimes(api: Api) -> None:
    a, b = ran(api, {"fast": 2, "slow": 5}), ran(api, {"fast": 3, "slow": 8})
    found = compare(api, sessions=f"{a}, {b}").json()
    assert found["benchmark"] is None
    assert found["regimes"] == []


def test_compare_refuses_too_few_unknown_and_others_sessions(api: Api) -> None:
    a, b = ran(api, {"fast": 2, "slow": 5}), ran(api, {"fast": 3, "slow": 8})
    theirs = api.create_session(auth=api.bob)["id"]
    assert compare(api, sessions=a).status_code == 422
    assert compare(api, sessions=f"{a},{a}").status_code == 422
    eleven = [a, b, *(f"00000000-0000-4000-8000-{i:012d}" for i in range(9))]
    assert compare(api, sessions=",".join(eleven)).status_code == 422
    assert compare(api).status_code == 422
    assert compare(api, sessions=f"{a},{UNKNOWN}").status_code == 404
    assert compare(api, sessions=f"{a},not-a-session").status_code == 404
    refused = compare(api, sessions=f"{a},{theirs}")
    assert refused.status_code == 404
    assert refused.json()["code"] == 40410000
    assert compare(api, sessions=f"{a},{b}", benchmark="NOSUCH").status_code == 422
    assert compare(api, sessions=f"{a},{b}", benchmark="bad symbol!").status_code == 422
