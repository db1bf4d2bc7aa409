"""The JSON examples of docs/api.md are what the API takes and answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.api.conftest import Api

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def examples() -> list[dict[str, Any]]:
    """Every ```json block of the page that is JSON (the error body shows elisions)."""
    found = []
    for block in re.findall(r"```json\n(.*?)```", API_DOC.read_text(), flags=re.DOTALL):
        try:
            found.append(json.loads(block))
        except json.JSONDecodeError:
            continue
    return found


def test_docs_session_and_order_examples_are_accepted_as_shown(api: Api) -> None:
    documents = examples()
    [session_body] = [d for d in documents if "startTime" in d]
    [effective] = [d for d in documents if "fill_quantity" in d]
    orders = [d for d in documents if "symbol" in d]
    assert [o.get("order_class", o["type"]) for o in orders] == ["bracket", "oco", "trailing_stop"]

    created = api.create_session(**session_body)
    assert created["execution"]["latency"] == {
        "model": "jittered", "base_ms": "20", "jitter_ms": "5", "seed": 7,
    }  # fmt: skip
    assert api.create_session(execution={"preset": "ideal"})["execution"] == effective

    session = api.create_session(execution={"preset": "ideal"}, account={"type": "margin"})
    account = api.create_account(session["id"])
    book = (session["id"], account["id"])
    bracket, *exits = orders
    response = api.trading("POST", *book, "/orders", json=bracket)
    assert response.status_code == 200, response.text
    advance = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"duration": 1}, auth=api.alice
    )
    assert advance.status_code == 200
    for body in exits:
        # Each on an account of its own: the bracket's exits hold the shares it bought.
        other = (session["id"], api.create_account(session["id"])["id"])
        response = api.trading("POST", *other, "/orders", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "accepted"
