"""``paperbroker serve`` runs a live session against a broker server, through a kill -9.

The server keeps its credential under a key file it makes in its data
directory (no ``PAPERBROKER_SECRET_KEY``); after a kill -9 it opens the
credential again, links the session to its broker and catches up the fill
the broker made meanwhile. Its output, its files and its database never
hold the broker's secret (a sentinel).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from bench.server_process import ServerProcess, call
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL
from tests.compat.conftest import LiveServer, make_bot
from tests.integration.test_live_secrets import (
    SENTINEL,
    broker_orders,
    database_rows,
    found_in,
    sentinel_key,
)
from tests.waiting import wait_for

from paperbroker.broker.credentials import KEY_FILE

FEED = {"type": "synthetic", "seed": 5, "interval_seconds": 0.05}

broker_server = brokers.broker_server


def held(server: ServerProcess, session: dict[str, Any]) -> Any:
    status, positions = call(
        server, "GET", f"/v1/trading/accounts/{session['default_account_id']}/positions",
        session=session["id"],
    )  # fmt: skip
    return status == 200 and [p["qty"] for p in positions if p["symbol"] == "AAPL"]


def test_a_live_session_comes_back_linked_after_a_kill_and_its_secret_stays_hidden(
    broker_server: LiveServer, database_url: str, tmp_path: Path
) -> None:
    bot = make_bot(broker_server)
    key_id, secret = sentinel_key(bot)
    data = tmp_path / "data"
    server = ServerProcess(
        database_url,
        env={"PAPERBROKER_DATA_DIR": str(data), "PAPERBROKER_LOG_LEVEL": "DEBUG"},
        log_dir=tmp_path / "logs",
    )
    server.start()
    answers: list[Any] = []
    try:
        credential = {"label": "broker", "key_id": key_id, "secret_key": secret}
        status, made = call(server, "POST", "/v1/broker-credentials", credential)
        assert status == 201, made
        assert stat.S_IMODE((data / KEY_FILE).stat().st_mode) == 0o600
        broker = {"endpoint": "custom", "base_url": broker_server.url,
                  "credentials_id": made["id"]}  # fmt: skip
        status, session = call(server, "POST", "/api/live-trading/sessions",
                               {"symbols": ["AAPL"], "feed": FEED, "broker": broker})  # fmt: skip
        assert status == 201, session
        answers += [made, session]
        order = {"symbol": "AAPL", "side": "buy", "qty": 4, "type": "market"}
        path = f"/v1/trading/accounts/{session['default_account_id']}/orders"
        wait_for(lambda: call(server, "POST", path, order, session=session["id"])[0] == 200,
                 "an order the session takes")  # fmt: skip
        wait_for(lambda: broker_orders(bot), "the order at the broker")

        server.kill()  # the broker fills while the server is down
        bot.advance(targetTime=FIRST_FILL)
        server.start()
        assert wait_for(lambda: held(server, session), "the fill, caught up") == ["4"]
        status, again = call(server, "GET", f"/api/live-trading/sessions/{session['id']}")
        assert (status, again["state"], again["real_money"]) == (200, "running", False)
        answers.append(again)
        answers.append(call(server, "GET", "/v1/broker-credentials"))
    finally:
        server.stop()

    assert found_in(SENTINEL)  # the search finds what it looks for
    assert [line for line in server.output if found_in(line)] == []
    assert [a for a in answers if found_in(a)] == []
    assert [p for p in tmp_path.rglob("*") if p.is_file() and found_in(p.read_bytes())] == []
    assert [name for name, row in database_rows(database_url) if any(map(found_in, row))] == []
