"""``/v1/sweeps`` over HTTP, on SQLite and PostgreSQL: create, progress, results, heatmap."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.api.conftest import IDEAL, Api
from tests.waiting import wait_for

DOC = Path(__file__).resolve().parents[2] / "docs" / "sweeps.md"
BODY: dict[str, Any] = {
    "name": "sma grid",
    "strategy": "sma_crossover",
    "symbols": ["aapl"],
    "startTime": "2010-01-01T00:00:00Z",
    "endTime": "2012-12-31T00:00:00Z",
    "execution": IDEAL,
    "space": {"fast": {"min": 5, "max": 15, "step": 5}, "slow": {"values": [10, 30]}},
    "objective": "total_return",
}


def _finished(api: Api, sweep_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        sweep: dict[str, Any] = api.client.get(f"/v1/sweeps/{sweep_id}", auth=api.alice).json()
        return sweep if sweep["status"] not in ("queued", "running") else None

    result: dict[str, Any] = wait_for(done, "the sweep to finish", deadline=60)
    return result


def test_a_grid_runs_to_completed_and_its_results_sort_by_score(api: Api) -> None:
    created = api.client.post("/v1/sweeps", json=BODY, auth=api.alice)
    assert created.status_code == 202, created.text
    sweep = _finished(api, created.json()["id"])
    assert sweep["status"] == "completed"
    assert (sweep["done"], sweep["total"], sweep["eta_seconds"]) == (6, 6, "0")
    assert sweep["spec"]["symbols"] == ["AAPL"]
    page = api.client.get(f"/v1/sweeps/{sweep['id']}/results", auth=api.alice).json()
    assert page["total"] == 6
    scores = [float(r["score"]) for r in page["items"] if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    # fast 15 >= slow 10 is refused by the strategy: a result with an error, last.
    refused = page["items"][-1]
    assert refused["params"] == {"fast": 15, "slow": 10}
    assert "shorter than slow" in refused["error"]
    assert refused["score"] is None
    assert sweep["best"] == page["items"][0]
    assert page["items"][0]["window"]["phase"] == "full"
    listed = api.client.get("/v1/sweeps", auth=api.alice).json()["items"]
    assert [s["id"] for s in listed] == [sweep["id"]]


def test_the_heatmap_has_one_row_per_y_and_one_column_per_x(api: Api) -> None:
    sweep_id = api.client.post("/v1/sweeps", json=BODY, auth=api.alice).json()["id"]
    _finished(api, sweep_id)
    heatmap = api.client.get(
        f"/v1/sweeps/{sweep_id}/heatmap", params={"x": "fast", "y": "slow"}, auth=api.alice
    ).json()
    assert heatmap["x"] == {"name": "fast", "values": [5, 10, 15]}
    assert heatmap["y"] == {"name": "slow", "values": [10, 30]}
    assert heatmap["metric"] == "score"
    assert [len(row) for row in heatmap["cells"]] == [3, 3]
    assert heatmap["cells"][0][1:] == [None, None]  # fast 10 and 15 are not below slow 10
    bad = api.client.get(
        f"/v1/sweeps/{sweep_id}/heatmap", params={"x": "fast", "y": "nope"}, auth=api.alice
    )
    assert bad.status_code == 422


def test_another_keys_sweep_is_not_found(api: Api) -> None:
    sweep_id = api.client.post("/v1/sweeps", json=BODY, auth=api.alice).json()["id"]
    _finished(api, sweep_id)
    for path in ("", "/results", "/heatmap?x=fast&y=slow"):
        assert api.client.get(f"/v1/sweeps/{sweep_id}{path}", auth=api.bob).status_code == 404
    assert api.client.delete(f"/v1/sweeps/{sweep_id}", auth=api.bob).status_code == 404
    assert api.client.get("/v1/sweeps", auth=api.bob).json() == {"items": []}


def test_a_space_the_strategy_refuses_is_422(api: Api) -> None:
    for space in (
        {"fast": {"values": [0, 5]}},  # fast >= 1
        {"nope": {"values": [1]}},
        {"fast": {"min": 5, "max": 1}},
        {"allocation": {"min": 0.1, "max": 0.5}},  # a grid needs a step for floats
    ):
        answer = api.client.post("/v1/sweeps", json={**BODY, "space": space}, auth=api.alice)
        assert answer.status_code == 422, (space, answer.text)
        assert set(answer.json()) >= {"code", "message"}


def test_a_result_becomes_a_session_run_to_its_end_and_a_finished_sweep_deletes(
    api: Api,
) -> None:
    sweep_id = api.client.post("/v1/sweeps", json=BODY, auth=api.alice).json()["id"]
    best = _finished(api, sweep_id)["best"]
    session = api.client.post(
        f"/v1/sweeps/{sweep_id}/results/{best['idx']}/session", auth=api.alice
    )
    assert session.status_code == 201, session.text
    assert session.json()["status"] == "completed"
    assert api.client.delete(f"/v1/sweeps/{sweep_id}", auth=api.alice).status_code == 204
    assert api.client.get(f"/v1/sweeps/{sweep_id}", auth=api.alice).status_code == 404


def test_the_documented_body_walks_forward(api: Api) -> None:
    [body] = [
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
        if '"space"' in block
    ]
    created = api.client.post("/v1/sweeps", json=body, auth=api.alice)
    assert created.status_code == 202, created.text
    sweep = _finished(api, created.json()["id"])
    assert (sweep["status"], sweep["total"], sweep["done"]) == ("completed", 14, 14)
    report = sweep["walk_forward"]
    assert [fold["fold"] for fold in report["folds"]] == [0, 1]
    phases = api.client.get(
        f"/v1/sweeps/{sweep['id']}/results", params={"sort": "idx", "order": "asc"}, auth=api.alice
    ).json()["items"]
    assert [r["window"]["phase"] for r in phases[-2:]] == ["out_of_sample", "out_of_sample"]
    assert phases[-1]["window"]["start"] > phases[-2]["window"]["end"]


def test_progress_and_the_end_are_on_the_owners_stream_under_the_sweeps_topic(api: Api) -> None:
    from paperbroker.services.event_kinds import system_event

    sweep_id = api.client.post("/v1/sweeps", json=BODY, auth=api.alice).json()["id"]
    _finished(api, sweep_id)
    feed = api.server.service.system
    assert feed is not None
    alice = api.alice[0]

    def sweep_events() -> list[Any] | None:
        found = [e for e in feed.events.read(alice) if e.kind.startswith("Sweep")]
        return found if found and found[-1].kind == "SweepFinished" else None

    # The status turns completed just before the end is recorded on the stream.
    events = wait_for(sweep_events, "the sweep's end on the stream", deadline=10)
    assert events[-1].kind == "SweepFinished"
    last = json.loads(events[-1].payload)
    assert last == {
        "sweep_id": sweep_id, "done": 6, "total": 6, "eta_seconds": 0.0,
        "status": "completed", "best_score": last["best_score"], "message": last["message"],
    }  # fmt: skip
    streamed = [system_event(e) for e in events]
    assert {s.topic for s in streamed} == {"sweeps"}
    assert all(s.severity is None for s in streamed if s.kind == "SweepProgress")
    assert not [e for e in feed.events.read(api.bob[0]) if e.kind.startswith("Sweep")]
    # The end is activity; the progress before it is not.
    assert "SweepProgress" in {e.kind for e in events}
    listed = api.client.get("/api/activity", auth=api.alice).json()
    assert "SweepFinished" in {item["type"] for item in listed}
    assert "SweepProgress" not in {item["type"] for item in listed}


def test_a_sweep_under_way_when_the_server_stops_resumes_with_its_results(api: Api) -> None:
    long = {
        **BODY,
        "space": {"fast": {"min": 2, "max": 41}, "slow": {"min": 50, "max": 90, "step": 10}},
    }
    sweep_id = api.client.post("/v1/sweeps", json=long, auth=api.alice).json()["id"]
    api.restart()  # most often mid-sweep; either way it ends completed, each backtest once
    sweep = _finished(api, sweep_id)
    assert (sweep["status"], sweep["done"], sweep["total"]) == ("completed", 200, 200)
    page = api.client.get(
        f"/v1/sweeps/{sweep_id}/results", params={"sort": "idx", "limit": 1000}, auth=api.alice
    ).json()
    assert sorted(r["idx"] for r in page["items"]) == list(range(200))
