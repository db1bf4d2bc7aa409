"""A live session's books diverge from its broker's while it is down, and reconciliation
brings them back: on SQLite and on PostgreSQL, with real servers.

The broker is a second paperbroker server: a backtest session there, with a key
bound to its default account, whose clock the test moves. The trading server runs
the live session (its feed, its broker link, its reconciler). While the trading
server is down, the broker fills an order of the session, someone places an order
at the broker by hand, and someone closes a position there by hand. Then
``paperbroker reconcile`` (no link running) finds each difference and classifies
it; ``adopt`` brings the books in line at once, ``halt`` pauses the session until
``--approve``; the next run is clean, and the restarted server agrees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cryptography.fernet import Fernet, MultiFernet
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL, SECOND_DAY, Broker
from tests.broker.proxy import Relay
from tests.compat.conftest import LiveServer
from tests.waiting import wait_for
from typer.testing import CliRunner

from paperbroker.broker.adapter import OrderRequest
from paperbroker.cli import app
from paperbroker.model.events import SessionStateChanged
from paperbroker.services.reconcile_schedule import ReconciledLink
from paperbroker.session.broker_link import BrokerLink
from paperbroker.session.reconcile import Difference, read_differences
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.reconciliations import ReconciliationRecord, ReconciliationRuns

THIRD_DAY = "2012-01-05T14:31:00Z"
FEED = {"type": "synthetic", "seed": 5, "interval_seconds": 0.2}
SECRET = Fernet.generate_key().decode("ascii")

# The broker server and a broker account on it (tests/broker/conftest.py).
broker_server = brokers.broker_server
broker = brokers.broker


class Trading:
    """The trading server over one database, stopped and started by the test."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.server: LiveServer | None = None
        self.owner: tuple[str, str] = ("", "")

    def start(self) -> LiveServer:
        self.server = LiveServer(self.database, secret_keys=MultiFernet([Fernet(SECRET)]))
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        assert self.server is not None
        response = httpx2.request(method, self.server.url + path, auth=self.owner, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None


@pytest.fixture
def trading(database_url: str) -> Iterator[Trading]:
    made = Trading(database_url)
    try:
        yield made
    finally:
        made.stop()


def live_session(
    trading: Trading, broker: Broker, policy: str, *, clean: bool = True, url: str = ""
) -> str:
    """A live session on the trading server, trading the broker account (at ``url``: the
    broker server's, by default), reconciled by ``policy``; once its start reconciliation
    has run (clean, unless told otherwise)."""
    server = trading.start()
    trading.owner = server.keys.create("owner")
    key_id, secret = broker.bot.key
    credential = trading.call(
        "POST", "/v1/broker-credentials",
        json={"label": "broker", "key_id": key_id, "secret_key": secret},
    )  # fmt: skip
    body = {
        "name": "live", "symbols": ["AAPL", "MSFT"], "feed": FEED,
        "broker": {
            "endpoint": "custom", "base_url": url or broker.bot.server.url,
            "credentials_id": credential["id"],
            "reconcile": {"policy": policy, "interval_seconds": 3600},
        },
    }  # fmt: skip
    session = trading.call("POST", "/api/live-trading/sessions", json=body)
    sid = str(session["id"])
    (start,) = wait_for(lambda: runs(trading, sid), "the start reconciliation")
    assert (start["trigger"], start["policy"]) == ("start", policy)
    if clean:
        assert (start["outcome"], start["differences"]) == ("clean", [])
    wait_for(lambda: trading.call("GET", f"/api/live-trading/sessions/{sid}")["feed"]["bars"],
             "the first bars")  # fmt: skip
    return sid


def runs(trading: Trading, sid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = trading.call("GET", f"/v1/sessions/{sid}/reconciliations")
    return found


def positions(trading: Trading, sid: str) -> dict[str, str]:
    held = trading.call("GET", f"/sessions/{sid}/v2/positions")
    return {p["symbol"]: p["qty"] for p in held}


def buy(trading: Trading, broker: Broker, sid: str, symbol: str, qty: int) -> dict[str, Any]:
    order: dict[str, Any] = trading.call(
        "POST", f"/sessions/{sid}/v2/orders",
        json={"symbol": symbol, "qty": qty, "side": "buy", "type": "market",
              "time_in_force": "day"},
    )  # fmt: skip
    assert order["status"] in ("new", "accepted"), order
    wait_for(lambda: [o for o in broker.orders() if o["client_order_id"] == order["id"]],
             f"the broker to have the {symbol} order")  # fmt: skip
    return order


def diverge_while_down(trading: Trading, broker: Broker, sid: str) -> dict[str, Any]:
    """10 MSFT held and 5 AAPL ordered; then, with the trading server down, the broker
    fills the AAPL, someone places a limit order and closes the MSFT by hand there."""
    buy(trading, broker, sid, "MSFT", 10)
    broker.advance(FIRST_FILL)
    wait_for(lambda: positions(trading, sid) == {"MSFT": "10"}, "the MSFT fill")
    aapl = buy(trading, broker, sid, "AAPL", 5)
    trading.stop()  # the link stops with the server

    broker.advance(SECOND_DAY)  # the AAPL order fills: nobody tells the session
    by_hand = broker.adapter.submit(
        OrderRequest("by-hand-1", "AAPL", "buy", "limit", "gtc", qty=Decimal(1),
                     limit_price=Decimal(1))
    )  # fmt: skip
    key_id, secret = broker.bot.key
    closed = httpx2.delete(
        f"{broker.bot.server.url}/v2/positions/MSFT",
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )
    assert closed.status_code == 200, closed.text
    broker.advance(THIRD_DAY)  # the MSFT close fills
    assert {p.symbol: p.qty for p in broker.adapter.positions()} == {"AAPL": Decimal(5)}
    return {"aapl": aapl, "by_hand": by_hand.id, "closing": closed.json()["id"]}


runner = CliRunner()


def runs_of(trading: Trading, sid: str) -> list[ReconciliationRecord]:
    """The session's runs, read from the trading server's database (the server is down)."""
    engine = create_engine_for(trading.database)
    try:
        return ReconciliationRuns(session_factory(engine)).of_session(sid)
    finally:
        engine.dispose()


@pytest.fixture
def cli_env(trading: Trading, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", trading.database)
    monkeypatch.setenv("PAPERBROKER_SECRET_KEY", SECRET)
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))


def reconcile(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["reconcile", *args, "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def check_classified(run: dict[str, Any], placed: dict[str, Any], broker: Broker) -> None:
    kinds = [(d["kind"], d["symbol"]) for d in run["differences"]]
    # Missed fills first, then orders (both outside ones at the broker's same minute),
    # positions, cash.
    assert kinds[0] == ("missed_fill", "AAPL")
    assert sorted(kinds[1:3]) == [("unknown_order", "AAPL"), ("unknown_order", "MSFT")]
    assert kinds[3:] == [("position_closed_outside", "MSFT"), ("cash_drift", "")]
    missed, _, _, closed, cash = run["differences"]
    outside = {d["symbol"]: d for d in run["differences"][1:3]}
    by_hand, closing = outside["AAPL"], outside["MSFT"]
    (fill,) = [f for f in broker.adapter.fills() if f.symbol == "AAPL"]
    assert missed["order_id"] == placed["aapl"]["id"]
    assert missed["broker"]["fill_id"] == fill.id
    assert (missed["broker"]["qty"], missed["broker"]["side"]) == ("5", "buy")
    assert by_hand["broker_order_id"] == placed["by_hand"]
    assert by_hand["broker"]["client_order_id"] == "by-hand-1"
    assert closing["broker_order_id"] == placed["closing"]
    assert closed["local"]["qty"] == "10"
    assert closed["broker"] == {"qty": "0", "avg_entry_price": "0"}
    assert Decimal(cash["broker"]["cash"]) == broker.adapter.account().cash


def check_in_line(trading: Trading, broker: Broker, sid: str, before: int) -> None:
    """The restarted trading server holds the broker's books (rebuilt from its journal),
    and its start run (after the ``before`` runs so far) is clean."""
    trading.start()
    wait_for(lambda: len(runs(trading, sid)) > before, "the start reconciliation after the restart")
    newest = runs(trading, sid)[0]
    assert (newest["trigger"], newest["outcome"]) == ("start", "clean")
    assert positions(trading, sid) == {"AAPL": "5"}
    account = trading.call("GET", f"/sessions/{sid}/v2/account")
    assert Decimal(account["cash"]) == broker.adapter.account().cash


@pytest.mark.usefixtures("cli_env")
def test_adopt_brings_the_books_in_line_with_what_happened_at_the_broker_while_down(
    trading: Trading, broker: Broker
) -> None:
    sid = live_session(trading, broker, "adopt")
    placed = diverge_while_down(trading, broker, sid)

    first = reconcile(sid)
    check_classified(first, placed, broker)
    assert (first["trigger"], first["policy"], first["outcome"]) == ("manual", "adopt", "adopted")
    assert first["session_state"] == "running"  # adopting does not halt trading
    second = reconcile(sid)
    assert (second["outcome"], second["differences"]) == ("clean", [])
    check_in_line(trading, broker, sid, before=3)


@pytest.mark.usefixtures("cli_env")
def test_halt_pauses_the_session_until_an_operator_approves(
    trading: Trading, broker: Broker
) -> None:
    sid = live_session(trading, broker, "halt")
    placed = diverge_while_down(trading, broker, sid)

    halted = reconcile(sid)
    check_classified(halted, placed, broker)
    assert (halted["outcome"], halted["resolved_at"]) == ("halted", None)
    assert halted["session_state"] == "paused"
    # Nothing was adopted: the same differences, halted again (shown as a table this time).
    table = runner.invoke(app, ["reconcile", sid])
    assert table.exit_code == 0, table.stdout + table.stderr
    assert "(manual, policy halt): halted" in table.stdout
    for kind in ("missed_fill", "unknown_order", "position_closed_outside", "cash_drift"):
        assert kind in table.stdout
    assert table.stdout.rstrip().endswith(f"session {sid}: paused")

    approved = reconcile(sid, "--approve")
    again = runs_of(trading, sid)[0]
    assert approved["id"] == again.id
    shown = [Difference.model_validate(d) for d in halted["differences"]]
    assert read_differences(again.differences) == shown
    assert approved["outcome"] == "approved"
    assert approved["resolved_by"].startswith("command line")
    assert approved["session_state"] == "running"
    clean = reconcile(sid)
    assert (clean["outcome"], clean["differences"]) == ("clean", [])
    check_in_line(trading, broker, sid, before=4)
    history = runs(trading, sid)
    superseded = next(r for r in history if r["id"] == halted["id"])
    assert superseded["outcome"] == "halted"
    assert superseded["resolved_by"] == f"superseded by run {again.id}"


def test_the_api_runs_lists_and_approves_only_what_it_should(
    trading: Trading, broker: Broker
) -> None:
    sid = live_session(trading, broker, "halt")
    assert trading.server is not None
    url = trading.server.url
    made = httpx2.post(f"{url}/v1/sessions/{sid}/reconciliations", auth=trading.owner)
    assert made.status_code == 201, made.text
    run = made.json()
    assert list(run) == [
        "id", "session_id", "ts", "trigger", "policy", "outcome", "differences",
        "resolved_at", "resolved_by",
    ]  # fmt: skip
    assert (run["trigger"], run["policy"], run["outcome"]) == ("manual", "halt", "clean")
    listed = runs(trading, sid)
    assert [r["id"] for r in listed] == [run["id"], listed[1]["id"]]  # newest first
    assert listed[1]["trigger"] == "start"
    limited = httpx2.get(f"{url}/v1/sessions/{sid}/reconciliations", params={"limit": 1},
                         auth=trading.owner)  # fmt: skip
    assert [r["id"] for r in limited.json()] == [run["id"]]

    approve = f"{url}/v1/sessions/{sid}/reconciliations/{run['id']}/approve"
    refused = httpx2.post(approve, auth=trading.owner)
    assert refused.status_code == 409
    assert "only a halted run" in refused.json()["message"]
    missing = httpx2.post(
        f"{url}/v1/sessions/{sid}/reconciliations/{'0' * 8}-0000-4000-8000-{'0' * 12}/approve",
        auth=trading.owner,
    )
    assert missing.status_code == 404
    assert (
        httpx2.post(approve.replace(run["id"], "not-a-run"), auth=trading.owner).status_code == 404
    )

    # Another key's session is not found; a bound key may not reconcile; a backtest is no
    # live session.
    other = trading.server.keys.create("other")
    assert httpx2.get(f"{url}/v1/sessions/{sid}/reconciliations", auth=other).status_code == 404
    bound = httpx2.post(f"{url}/v1/sessions/{sid}/keys", json={"label": "bot"},
                        auth=trading.owner).json()  # fmt: skip
    as_bot = httpx2.post(
        f"{url}/v1/sessions/{sid}/reconciliations", auth=(bound["key_id"], bound["secret"])
    )
    assert as_bot.status_code == 403
    backtest = trading.call(
        "POST", "/v1/sessions",
        json={"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-01-31T21:00:00Z"},
    )  # fmt: skip
    for method in ("GET", "POST"):
        answer = httpx2.request(
            method, f"{url}/v1/sessions/{backtest['id']}/reconciliations", auth=trading.owner
        )
        assert answer.status_code == 409, answer.text
        assert "only a live session" in answer.json()["message"]
    assert len(runs(trading, sid)) == 2  # nothing refused was recorded


def test_a_halted_run_pauses_trading_until_approved_through_the_api(
    trading: Trading, broker: Broker
) -> None:
    sid = live_session(trading, broker, "halt")
    assert trading.server is not None
    url = trading.server.url
    # Someone buys 3 AAPL in the broker account by hand; the link ignores it (not ours).
    broker.adapter.submit(OrderRequest("by-hand-2", "AAPL", "buy", "market", "day", qty=Decimal(3)))
    broker.advance(FIRST_FILL)
    made = httpx2.post(f"{url}/v1/sessions/{sid}/reconciliations", auth=trading.owner).json()
    assert made["outcome"] == "halted"
    kinds = [d["kind"] for d in made["differences"]]
    assert kinds == ["unknown_order", "position_opened_outside", "cash_drift"]
    assert list(made["differences"][1]) == [
        "kind", "symbol", "order_id", "broker_order_id", "local", "broker", "message",
    ]  # fmt: skip
    session = trading.call("GET", f"/v1/sessions/{sid}")
    assert session["state"] == "paused"
    runtime = trading.server.service.runtime(trading.owner[0], sid)
    (paused,) = [e for e in runtime.kernel.events if isinstance(e, SessionStateChanged)][-1:]
    assert paused.reason.startswith(f"reconciliation run {made['id']}: 3 difference(s)")
    refused = httpx2.post(
        f"{url}/sessions/{sid}/v2/orders", auth=trading.owner,
        json={"symbol": "AAPL", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"},
    )  # fmt: skip
    assert refused.status_code == 409, refused.text  # trading is halted
    assert positions(trading, sid) == {}
    reconciler = trading.server.service._live[sid].link.reconciler  # type: ignore[union-attr]
    reconciler.interval = 0.1  # scheduled runs now come fast ...
    reconciler.connected()  # (one wakes it: a reconnection's, which runs and halts again)
    assert reconciler.wait_for("skipped", 2)  # ... and wait while a run awaits approval
    assert reconciler.runs.get("interval", 0) == 0
    made = runs(trading, sid)[0]
    assert (made["trigger"], made["outcome"]) == ("reconnect", "halted")

    approved = trading.call("POST", f"/v1/sessions/{sid}/reconciliations/{made['id']}/approve")
    assert approved["outcome"] == "approved"
    assert approved["resolved_by"] == f"owner ({trading.owner[0]})"
    assert trading.call("GET", f"/v1/sessions/{sid}")["state"] == "running"
    assert positions(trading, sid) == {"AAPL": "3"}
    again = httpx2.post(
        f"{url}/v1/sessions/{sid}/reconciliations/{made['id']}/approve", auth=trading.owner
    )
    assert again.status_code == 409  # approved once
    assert trading.call("POST", f"/v1/sessions/{sid}/reconciliations")["outcome"] == "clean"


def test_the_link_reconciles_after_a_reconnection_and_every_interval(
    trading: Trading, broker: Broker
) -> None:
    sid = live_session(trading, broker, "adopt")
    assert trading.server is not None
    live = trading.server.service._live[sid]  # the session's link, as the server runs it
    assert isinstance(live.link, ReconciledLink)
    link = live.link.link
    assert isinstance(link, BrokerLink)
    link.catch_up()  # what the stream does after it reconnects
    assert live.link.reconciler.wait_for("reconnect")
    assert [r["trigger"] for r in runs(trading, sid)] == ["reconnect", "start"]
    live.link.reconciler.interval = 0.2  # the next one by the clock, soon
    live.link.reconciler.connected()  # (wakes it to take the new interval)
    assert live.link.reconciler.wait_for("interval")
    assert {r["outcome"] for r in runs(trading, sid)} == {"clean"}


def test_a_session_on_an_account_holding_a_position_adopts_it_at_its_start(
    trading: Trading, broker: Broker
) -> None:
    broker.adapter.submit(OrderRequest("before", "AAPL", "buy", "market", "day", qty=Decimal(7)))
    broker.advance(FIRST_FILL)
    sid = live_session(trading, broker, "adopt", clean=False)
    (start,) = runs(trading, sid)
    assert start["outcome"] == "adopted"
    assert [d["kind"] for d in start["differences"]] == ["unknown_order", "position_opened_outside"]
    assert positions(trading, sid) == {"AAPL": "7"}
    account = trading.call("GET", f"/sessions/{sid}/v2/account")
    assert Decimal(account["cash"]) == broker.adapter.account().cash  # the session's start
    session = trading.call("GET", f"/v1/sessions/{sid}")
    assert Decimal(session["total_realized_pnl"]) == 0  # held before: not the session's P&L
    books = trading.call(
        "GET", f"/v1/trading/accounts/{session['default_account_id']}/account",
        headers={"X-Session-Id": sid},
    )  # fmt: skip
    (held,) = broker.adapter.positions()
    assert Decimal(books["reconciled"]) == 7 * held.avg_entry_price  # it came in at cost
    assert trading.call("POST", f"/v1/sessions/{sid}/reconciliations")["outcome"] == "clean"


def test_a_run_while_the_broker_is_unreachable_is_a_503_and_records_nothing(
    trading: Trading, broker: Broker
) -> None:
    relay = Relay(broker.bot.server.port)
    try:
        sid = live_session(trading, broker, "adopt", url=relay.url)
        relay.cut()  # the network to the broker goes down
        assert trading.server is not None
        down = httpx2.post(
            f"{trading.server.url}/v1/sessions/{sid}/reconciliations", auth=trading.owner
        )
        assert down.status_code == 503, down.text
        assert "could not be reached" in down.json()["message"]
        assert [r["trigger"] for r in runs(trading, sid)] == ["start"]
        relay.resume()
        after = trading.call("POST", f"/v1/sessions/{sid}/reconciliations")
        assert (after["trigger"], after["outcome"]) == ("manual", "clean")
    finally:
        relay.close()
