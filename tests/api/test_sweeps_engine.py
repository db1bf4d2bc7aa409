"""A server's sweep says on its progress events whether it takes the fast path."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import Api
from tests.api.test_sweeps import BODY, _finished


def _engines(api: Api, sweep_id: str) -> set[Any]:
    feed = api.server.service.system
    assert feed is not None
    events = [e for e in feed.events.read(api.alice[0]) if e.kind == "SweepProgress"]
    payloads = [json.loads(e.payload) for e in events]
    return {p.get("engine") for p in payloads if p["sweep_id"] == sweep_id}


def test_an_ideal_sma_sweep_reports_the_fast_path(api: Api) -> None:
    sweep_id = api.client.post("/v1/sweeps", json=BODY, auth=api.alice).json()["id"]
    assert _finished(api, sweep_id)["status"] == "completed"
    assert _engines(api, sweep_id) == {"fast"}


def test_a_sweep_with_slippage_reports_the_kernel(api: Api) -> None:
    body = {**BODY, "execution": {"preset": "equities_realistic"}}
    sweep_id = api.client.post("/v1/sweeps", json=body, auth=api.alice).json()["id"]
    assert _finished(api, sweep_id)["status"] == "completed"
    assert _engines(api, sweep_id) == {"kernel"}
