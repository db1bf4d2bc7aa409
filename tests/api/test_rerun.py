"""A session's configuration used again: rerun (reproduced fill for fill), clone, promote.

Through the real application on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import END, Api

from paperbroker.services.run_record import session_fills

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
#: Slippage, fees, volume participation and a seeded latency jitter.
REALISTIC = {"preset": "equities_realistic", "seed": 3}
#: What a session's own ids make of a fill; the rest must match to the last digit.
_OWN_IDS = ("id", "order_id", "account_id")


def _ended(api: Api, **fields: Any) -> dict[str, Any]:
    session = api.create_session(**fields)
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": END}, auth=api.alice
    )
    assert response.status_code == 200, response.text
    return session


def _record(api: Api, session_id: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/sessions/{session_id}/summary", auth=api.alice)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()["run_record"]
    return record


def _fills(api: Api, session_id: str) -> list[dict[str, Any]]:
    runtime = api.server.service.runtime(api.alice[0], session_id)
    return [f._asdict() for f in session_fills(runtime)]


def test_a_rerun_reproduces_the_fills_byte_for_byte(api: Api) -> None:
    original = _ended(api, name="sma", strategy=SMA, execution=REALISTIC)
    response = api.client.post(f"/v1/sessions/{original['id']}/rerun", json={}, auth=api.alice)
    assert response.status_code == 201, response.text
    rerun = response.json()
    assert (rerun["name"], rerun["status"], rerun["current_time"]) == (
        "sma (rerun)",
        "completed",
        END,
    )
    first, second = _record(api, original["id"]), _record(api, rerun["id"])
    assert second["fills_digest"] == first["fills_digest"]
    for same in ("data_digest", "params", "seed", "execution", "strategy", "symbols", "start"):
        assert second[same] == first[same], same
    before, after = _fills(api, original["id"]), _fills(api, rerun["id"])
    assert len(before) == len(after) > 0
    for one, other in zip(before, after, strict=True):
        assert {k: v for k, v in one.items() if k not in _OWN_IDS} == {
            k: v for k, v in other.items() if k not in _OWN_IDS
        }
    assert len({f["latency_ns"] for f in before}) > 1  # jittered, and drawn alike
    assert any(f["slippage"] > 0 for f in before)
    assert any(f["fee"] > 0 for f in before)


@pytest.mark.parametrize(
    "fields",
    [
        # Three equal arms of 30,000.01: 10,000.00 each, a cent left in the default account.
        {"mode": "ab", "initialCash": "30000.01"},
        {"mode": "shared", "allocation": "equal_risk"},
    ],
)
def test_a_multi_strategy_session_reruns_as_the_strategies_it_was_given(
    api: Api, fields: dict[str, Any]
) -> None:
    arms = [
        {**SMA, "params": {"fast": 2, "slow": 5}},
        {**SMA, "params": {"fast": 3, "slow": 8}, "weight": "0.25"},
        {**SMA, "params": {"fast": 4, "slow": 10}, "label": "slow"},
    ]
    original = _ended(api, name="arms", strategies=arms, execution=REALISTIC, **fields)
    config = _record(api, original["id"])["config"]
    assert config["mode"] == fields["mode"]
    assert [s["label"] for s in config["strategies"]] == ["a", "b", "slow"]
    assert [s["params"] for s in config["strategies"]] == [a["params"] for a in arms]
    response = api.client.post(f"/v1/sessions/{original['id']}/rerun", json={}, auth=api.alice)
    assert response.status_code == 201, response.text
    rerun = response.json()
    assert _record(api, rerun["id"])["fills_digest"] == _record(api, original["id"])["fills_digest"]
    assert _fills(api, original["id"]), "the arms traded"
    before = api.client.get(f"/v1/sessions/{original['id']}/summary", auth=api.alice).json()
    after = api.client.get(f"/v1/sessions/{rerun['id']}/summary", auth=api.alice).json()
    for same in ("initial_equity", "final_equity", "pnl", "trades"):
        assert after[same] == before[same], same


def test_a_rerun_needs_an_ended_session_of_the_callers(api: Api) -> None:
    session = api.create_session(strategy=SMA)
    response = api.client.post(f"/v1/sessions/{session['id']}/rerun", json={}, auth=api.alice)
    assert response.status_code == 404
    api.client.post(f"/v1/sessions/{session['id']}/kill", auth=api.alice)
    assert (
        api.client.post(f"/v1/sessions/{session['id']}/rerun", json={}, auth=api.bob).status_code
        == 404
    )


def test_a_clone_merges_changes_into_the_configuration(api: Api) -> None:
    original = api.create_session(name="base", strategy=SMA, initialCash="5000")
    response = api.client.post(
        f"/v1/sessions/{original['id']}/clone",
        json={"changes": {"name": "faster", "strategy": {"params": {"fast": 3}}}},
        auth=api.alice,
    )
    assert response.status_code == 201, response.text
    clone = response.json()
    assert (clone["name"], clone["initial_cash"], clone["execution"]) == (
        "faster", "5000", original["execution"],
    )  # fmt: skip
    config = api.client.post(
        "/v1/templates", json={"name": "of the clone", "session_id": clone["id"]}, auth=api.alice
    ).json()["config"]
    assert config["strategy"] == {**SMA, "params": {"fast": 3, "slow": 5}}
    for changes, field in (
        ({"strategy": {"params": {"fast": 9}}}, "fast"),
        ({"initialCash": "-1"}, "initialCash"),
        ({"colour": "red"}, "colour"),
    ):
        refused = api.client.post(
            f"/v1/sessions/{original['id']}/clone", json={"changes": changes}, auth=api.alice
        )
        assert refused.status_code == 422, refused.text
        assert field in refused.text


def test_promote_a_backtest_to_paper_and_paper_to_live_needs_its_broker(api: Api) -> None:
    backtest = api.create_session(
        name="idea", strategy=SMA, risk={"limits": {"max_order_qty": "7"}}
    )
    response = api.client.post(
        f"/v1/sessions/{backtest['id']}/promote",
        json={"to": "paper", "feed": {"type": "synthetic", "seed": 2}},
        auth=api.alice,
    )
    assert response.status_code == 201, response.text
    paper = response.json()
    assert (paper["type"], paper["name"], paper["symbols"]) == ("paper", "idea", ["AAPL"])
    assert paper["strategy"]["name"] == "sma_crossover"
    assert paper["strategy"]["params"]["fast"] == 2
    assert paper["execution"] == backtest["execution"]
    risk = api.client.get(f"/v1/sessions/{paper['id']}/risk", auth=api.alice).json()
    assert risk["settings"]["limits"]["max_order_qty"] == "7"

    wrong = api.client.post(
        f"/v1/sessions/{backtest['id']}/promote", json={"to": "live"}, auth=api.alice
    )
    assert wrong.status_code == 409
    no_broker = api.client.post(
        f"/v1/sessions/{paper['id']}/promote", json={"to": "live"}, auth=api.alice
    )
    assert no_broker.status_code == 422
    assert "broker" in no_broker.text
    api.client.post(f"/v1/sessions/{paper['id']}/stop", auth=api.alice)
