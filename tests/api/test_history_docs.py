"""The JSON examples of docs/history.md and docs/templates.md are what the API takes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.api.conftest import END, Api

DOCS = Path(__file__).resolve().parents[2] / "docs"


def examples(page: str) -> list[dict[str, Any]]:
    text = (DOCS / page).read_text()
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def test_docs_history_clone_and_promote_examples_work(api: Api) -> None:
    clone, promote = examples("history.md")
    strategy = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
    session = api.create_session(name="sma", strategy=strategy)
    cloned = api.client.post(f"/v1/sessions/{session['id']}/clone", json=clone, auth=api.alice)
    assert cloned.status_code == 201, cloned.text
    assert cloned.json()["strategy"]["params"]["fast"] == 3
    promoted = api.client.post(
        f"/v1/sessions/{session['id']}/promote", json=promote, auth=api.alice
    )
    assert promoted.status_code == 201, promoted.text
    assert promoted.json()["type"] == "paper"
    api.client.post(f"/v1/sessions/{promoted.json()['id']}/stop", auth=api.alice)


def test_docs_templates_examples_work(api: Api) -> None:
    template, changes = examples("templates.md")
    saved = api.client.post("/v1/templates", json=template, auth=api.alice)
    assert saved.status_code == 201, saved.text
    made = api.client.post(
        f"/v1/templates/{saved.json()['id']}/sessions", json=changes, auth=api.alice
    )
    assert made.status_code == 201, made.text
    session = made.json()
    assert (session["name"], session["initial_cash"], session["simulation_end"]) == (
        "quick sma", "25000", END,
    )  # fmt: skip
