"""/v1/strategies and /v1/execution/presets through the real application, and the
strategy parameter a session's creation refuses named in the 422's ``field``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import END, START, Api

from paperbroker.strategy.registry import BUILTIN_STRATEGIES
from paperbroker.venue.execution import DEFAULT_PRESET, PRESETS, preset

BROKEN_SOURCE = "raise RuntimeError('no licence')\n"


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_every_builtin_is_listed_with_its_parameters_schema(api: Api) -> None:
    listed = ok(api.client.get("/v1/strategies", auth=api.alice))
    by_name = {item["name"]: item for item in listed}
    assert set(BUILTIN_STRATEGIES) <= set(by_name)
    sma = by_name["sma_crossover"]
    assert sma["origin"] == "built-in"
    assert sma["error"] is None
    assert sma["uses_sentiment"] is False
    assert sma["description"] == "Moving-average crossover, long only."
    fast = sma["params_schema"]["properties"]["fast"]
    assert fast["type"] == "integer"
    assert fast["default"] == 10
    assert fast["minimum"] == 1
    assert fast["description"]
    assert by_name["sentiment_momentum"]["uses_sentiment"] is True
    # Every built-in parameter says what it is, so a form can label it.
    for name in BUILTIN_STRATEGIES:
        for field, schema in by_name[name]["params_schema"]["properties"].items():
            assert schema.get("description"), f"{name}.{field} has no description"
    assert ok(api.client.get("/v1/strategies/sma_crossover", auth=api.alice)) == sma


def test_an_unknown_strategy_is_a_404(api: Api) -> None:
    response = api.client.get("/v1/strategies/no_such_thing", auth=api.alice)
    assert response.status_code == 404
    assert response.json() == {
        "code": 40410000,
        "message": "strategy 'no_such_thing' not found",
    }


def test_a_broken_entry_point_is_listed_with_its_error(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "pb_catalog_broken.py").write_text(BROKEN_SOURCE)
    info = site / "acme_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-broken\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[paperbroker.strategies]\nbroken = pb_catalog_broken:Broken\n"
    )
    monkeypatch.syspath_prepend(str(site))
    try:
        item = ok(api.client.get("/v1/strategies/broken", auth=api.alice))
    finally:
        sys.modules.pop("pb_catalog_broken", None)
    assert item["origin"] == "acme-broken"
    assert item["params_schema"] is None
    assert item["uses_sentiment"] is None
    assert "RuntimeError: no licence" in item["error"]


def test_a_bound_key_may_not_read_the_strategies(api: Api) -> None:
    session = api.create_session()
    created = api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice, json={})
    assert created.status_code == 201, created.text
    bound = (created.json()["key_id"], created.json()["secret"])
    for path in ("/v1/strategies", "/v1/execution/presets"):
        assert api.client.get(path, auth=bound).status_code == 403


def test_presets_resolve_to_the_execution_a_session_reports(api: Api) -> None:
    listed = ok(api.client.get("/v1/execution/presets", auth=api.alice))
    assert [item["name"] for item in listed] == list(PRESETS)
    assert [item["name"] for item in listed if item["default"]] == [DEFAULT_PRESET]
    for item in listed:
        assert item["description"]
        assert item["execution"] == preset(item["name"]).to_json()
    realistic = next(item for item in listed if item["name"] == "equities_realistic")
    session = api.create_session(execution={"preset": "equities_realistic"})
    assert session["execution"] == realistic["execution"]
    assert {"intrabar", "slippage", "fill_quantity", "fees", "latency"} <= set(
        realistic["execution"]
    )


@pytest.mark.parametrize(
    ("params", "field", "named"),
    [
        ({"fast": 0}, "strategy.params.fast", "'fast'"),
        ({"nope": 1}, "strategy.params.nope", "'nope'"),
        ({"fast": 50, "slow": 10}, "strategy.params", "fast (50)"),
    ],
)
def test_a_refused_strategy_parameter_is_named_in_the_422(
    api: Api, params: dict[str, Any], field: str, named: str
) -> None:
    body = {
        "startTime": START,
        "endTime": END,
        "strategy": {"name": "sma_crossover", "params": params, "symbols": ["AAPL"]},
    }
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == 42210000
    assert error["field"] == field
    assert named in error["message"]
    paper = {"symbols": ["AAPL"], "strategy": {"name": "sma_crossover", "params": params}}
    response = api.client.post("/api/paper-trading/sessions", json=paper, auth=api.alice)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
