"""Session templates through the real application on SQLite and PostgreSQL: built-ins,
an owner's own (checked on save, names unique, invisible to other keys), sessions from them.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import END, START, Api

from paperbroker.risk.settings import RiskSettings
from paperbroker.services.templates import RISK_PROFILES

WINDOW = {"startTime": START, "endTime": END}


def _post(api: Api, path: str, body: Any, auth: Any = None) -> Any:
    return api.client.post(path, json=body, auth=auth or api.alice)


def test_built_in_templates_come_first_and_create_sessions(api: Api) -> None:
    listed = api.client.get("/v1/templates", auth=api.alice).json()["items"]
    ids = [t["id"] for t in listed]
    assert ids[:3] == ["builtin:conservative", "builtin:moderate", "builtin:aggressive"]
    assert "builtin:sma_crossover" in ids
    assert all(t["builtin"] and t["created_at"] is None for t in listed)
    sma = api.client.get("/v1/templates/builtin:sma_crossover", auth=api.alice).json()
    assert sma["config"]["strategy"]["params"]["fast"] == 10  # the strategy's own default
    for name, (_text, risk) in RISK_PROFILES.items():
        RiskSettings.read(risk)  # each profile is a valid risk setting
        made = _post(api, f"/v1/templates/builtin:{name}/sessions", {"changes": WINDOW})
        assert made.status_code == 201, made.text
        assert made.json()["name"] == name
        rules = api.client.get(f"/v1/sessions/{made.json()['id']}/risk", auth=api.alice).json()
        assert (
            rules["settings"]["breakers"]["max_drawdown_pct"]
            == risk["breakers"]["max_drawdown_pct"]
        )
    missing = _post(api, "/v1/templates/builtin:moderate/sessions", {})
    assert missing.status_code == 422
    assert "config.startTime is required" in missing.json()["message"]
    for method in ("PUT", "DELETE"):
        response = api.client.request(
            method, "/v1/templates/builtin:moderate", json={"name": "x"}, auth=api.alice
        )
        assert response.status_code == 409
        assert response.json()["message"] == "built-in templates cannot be changed"
    assert api.client.get("/v1/templates/builtin:nothing", auth=api.alice).status_code == 404


def test_saved_templates_are_checked_unique_and_the_owners_own(api: Api) -> None:
    strategy = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}}
    strategy = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}}
    config = {"initialCash": "5000", "strategy": strategy}
    body = {"name": "quick", "description": "fast sma", "config": config}
    created = _post(api, "/v1/templates", body)
    assert created.status_code == 201, created.text
    template = created.json()
    assert (template["type"], template["builtin"], template["description"]) == (
        "backtest", False, "fast sma",
    )  # fmt: skip
    assert _post(api, "/v1/templates", body).status_code == 409
    assert _post(api, "/v1/templates", {**body, "name": "moderate"}).status_code == 409
    assert _post(api, "/v1/templates", body, api.bob).status_code == 201  # bob's own name
    for config, field in (
        ({"initialCash": "-1"}, "config.initialCash"),
        ({"strategy": {"name": "sma_crossover", "params": {"fast": 9, "slow": 5}}}, "fast"),
        ({"colour": "red"}, "config.colour"),
    ):
        refused = _post(api, "/v1/templates", {"name": "bad", "config": config})
        assert refused.status_code == 422, refused.text
        assert field in refused.text
    both = _post(api, "/v1/templates", {"name": "x", "config": {}, "session_id": template["id"]})
    assert both.status_code == 422

    path = f"/v1/templates/{template['id']}"
    assert api.client.get(path, auth=api.bob).status_code == 404
    assert api.client.delete(path, auth=api.bob).status_code == 404
    mine = [t["name"] for t in api.client.get("/v1/templates", auth=api.alice).json()["items"]]
    assert mine[-1] == "quick"
    assert mine.count("quick") == 1
    changed = api.client.put(path, json={"description": "tuned"}, auth=api.alice)
    assert changed.status_code == 200
    assert changed.json()["description"] == "tuned"
    assert changed.json()["config"] == template["config"]

    made = _post(api, f"{path}/sessions", {"changes": {**WINDOW, "name": "from quick"}})
    assert made.status_code == 201, made.text
    session = made.json()
    assert (session["name"], session["initial_cash"]) == ("from quick", "5000")
    assert session["strategy"]["params"]["fast"] == 2
    saved = _post(api, "/v1/templates", {"name": "as made", "session_id": session["id"]})
    assert saved.status_code == 201, saved.text
    assert saved.json()["config"]["startTime"] == START
    assert saved.json()["config"]["initialCash"] == "5000"
    assert api.client.delete(path, auth=api.alice).status_code == 204
    assert api.client.get(path, auth=api.alice).status_code == 404


def test_a_paper_template_creates_a_running_paper_session(api: Api) -> None:
    config = {"symbols": ["AAPL"], "feed": {"type": "synthetic", "seed": 4},
              "strategy": {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}}}  # fmt: skip
    template = _post(api, "/v1/templates", {"name": "paper", "type": "paper", "config": config})
    assert template.status_code == 201, template.text
    made = _post(api, f"/v1/templates/{template.json()['id']}/sessions", {})
    assert made.status_code == 201, made.text
    assert (made.json()["type"], made.json()["state"]) == ("paper", "running")
    api.client.post(f"/v1/sessions/{made.json()['id']}/stop", auth=api.alice)
