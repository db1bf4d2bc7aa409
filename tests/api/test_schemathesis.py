"""Schemathesis over every operation of the OpenAPI document, against a real server on loopback.

The server is what ``paperbroker serve`` runs (uvicorn, SQLite), with a real
session in it: an admin key owns it, its pipeline has agents, its account a
position and a working order, and a key is bound to it. Every path parameter
names those (so requests reach real things, not only 404s), and schemathesis
runs every phase (examples, coverage, fuzzing, stateful) with **all** its
checks: no 5xx, documented status codes, content types and response schemas,
schema-invalid data refused, schema-valid data accepted, 405 with ``Allow``
for undocumented methods. Twice: with the bound key over the plain ``/v2``
operations (the only ones it may call), then with the admin key over every
operation. The run is derandomized (a fixed seed, deterministic generation)
with a fixed number of examples per operation, so CI sees the same requests
every time.

A request valid by the schema must not be refused with a 422, except by the
rules an operation declares in its 422's ``x-rules`` (rules between fields
or on the state of things, which a schema cannot state): only there is a 422
an expected answer to valid data.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from tests.api.conftest import END, IDEAL, SECRET_KEYS, START
from tests.compat.conftest import LiveServer

from paperbroker.api.contract import RULES
from paperbroker.broker.credentials import CredentialStore

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: Examples per operation and phase: enough to cross every branch of the schemas, bounded.
MAX_EXAMPLES = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'server.db'}")
    live.service.credentials = CredentialStore(live.service.factory, SECRET_KEYS)
    try:
        yield live
    finally:
        live.close()


def populate(server: LiveServer) -> tuple[tuple[str, str], tuple[str, str], dict[str, str]]:
    """An admin key, a key bound to its session, and the ids of what the session holds."""
    admin = server.keys.create("admin", is_admin=True)
    url = server.url
    session = httpx2.post(f"{url}/v1/sessions", auth=admin, json={
        "startTime": START, "endTime": END, "execution": IDEAL,
        "strategy": {"name": "buy_and_hold", "symbols": ["MSFT"]},
    }).json()  # fmt: skip
    account, header = session["default_account_id"], {"X-Session-Id": session["id"]}
    orders = f"{url}/v1/trading/accounts/{account}/orders"
    buy = {"symbol": "AAPL", "side": "buy", "qty": 5, "type": "market"}
    assert httpx2.post(orders, json=buy, headers=header, auth=admin).status_code == 200
    httpx2.post(f"{url}/v1/sessions/{session['id']}/time/advance", auth=admin)
    working = httpx2.post(orders, headers=header, auth=admin, json={
        "symbol": "AAPL", "side": "buy", "qty": 1, "type": "limit", "limit_price": 1,
    }).json()  # fmt: skip
    bound = httpx2.post(f"{url}/v1/sessions/{session['id']}/keys", auth=admin).json()
    agents = httpx2.get(f"{url}/api/agents", auth=admin).json()
    credential = httpx2.post(f"{url}/v1/broker-credentials", auth=admin, json={
        "label": "broker", "key_id": "PKBROKER", "secret_key": "kept encrypted",
    }).json()  # fmt: skip
    values = {
        "credentialId": credential["id"],
        "sessionId": session["id"],
        "X-Session-Id": session["id"],
        "accountId": account,
        "orderId": working["id"],
        "order_id": working["id"],
        "symbol": "AAPL",
        "symbol_or_asset_id": "AAPL",
        "agent_id": agents[0]["id"],
        "keyId": bound["key_id"],
        "name": "all",
        "templateId": "builtin:moderate",
    }
    return admin, (bound["key_id"], bound["secret"]), values


#: What schemathesis takes as an answer to valid data by default, and with a declared rule.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
ACCEPTED_WITH_RULES = sorted([*ACCEPTED, "422"])


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every operation of ``document``, as ``METHOD /path`` and its object."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


#: Operations the coverage phase would make slow, where the other phases run: every answer
#: of the calendar is large (1990 to 2035: 1.5 MB), and every paper session created starts
#: a feed that runs until stopped (the coverage phase creates hundreds; the body is the
#: backtest session's, which it covers), as does every live session, and its broker link.
HEAVY = frozenset(
    {"GET /v2/calendar", "POST /api/paper-trading/sessions", "POST /api/live-trading/sessions"}
)
#: ``/sessions/{sessionId}/v2/...`` is ``/v2/...`` for the session's owner: the same routes,
#: parameters and schemas, which the bound key's run covers; the admin's run sends them
#: its examples, fuzzed and stateful requests, not the coverage phase's again.
OWNER_PREFIX = "/sessions/{sessionId}"


def config_text(values: dict[str, str], document: dict[str, Any]) -> str:
    """The schemathesis configuration: the path values, a 422 taken where the operation's
    rules say so, and the coverage phase left to one of two copies of an operation."""
    text = "[parameters]\n" + "".join(f'"{n}" = "{v}"\n' for n, v in values.items())
    statuses = json.dumps(ACCEPTED_WITH_RULES)
    for name, operation in operations(document):
        settings = ""
        if RULES in operation.get("responses", {}).get("422", {}):
            settings += f"checks.positive_data_acceptance.expected-statuses = {statuses}\n"
        method, path = name.split(" ", 1)
        plain = f"{method} {path.removeprefix(OWNER_PREFIX)}"
        if plain in HEAVY or path.startswith(f"{OWNER_PREFIX}/v2/"):
            settings += "phases.coverage.enabled = false\n"
        if settings:
            text += f'\n[[operations]]\ninclude-name = "{name}"\n{settings}'
    return text


def test_every_ruled_operation_says_why() -> None:
    """A declared rule is a sentence, and only 422s carry them."""
    from paperbroker.api.contract import answers

    declared = answers({404: "No such thing."}, rules=["endTime is after startTime"])
    assert declared[422][RULES] == ["endTime is after startTime"]
    assert "- endTime is after startTime" in declared[422]["description"]
    assert RULES not in declared[404]
    assert RULES not in answers({422: "Invalid."}).get(422, {})


def run(server: LiveServer, tmp_path: Path, key: tuple[str, str], values: dict[str, str],
        *options: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    config = tmp_path / "schemathesis.toml"
    # The first request builds the document: seconds on a busy machine.
    document = httpx2.get(f"{server.url}/openapi.json", timeout=120).json()
    config.write_text(config_text(values, document))
    command = [
        str(SCHEMATHESIS), "--config-file", str(config), "--no-color",
        "run", f"{server.url}/openapi.json", "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES), "--seed", "1", "--generation-deterministic",
        "--workers", "1", "--auth", f"{key[0]}:{key[1]}",
        *options,
    ]  # fmt: skip
    return subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False
    )


def test_every_operation_does_what_the_openapi_document_says(
    server: LiveServer, tmp_path: Path
) -> None:
    admin, bound, values = populate(server)
    # The bound key first: the admin's run deletes the session, and the key with it.
    alpaca = run(server, tmp_path, bound, values, "--include-path-regex", "^/v2/")
    assert alpaca.returncode == 0, alpaca.stdout[-20_000:] + alpaca.stderr[-2000:]
    assert "Authentication failed" not in alpaca.stdout
    everything = run(server, tmp_path, admin, values)
    assert everything.returncode == 0, everything.stdout[-20_000:] + everything.stderr[-2000:]
