"""/api/system through the real application: status, stop and start everything, health.

Sessions are a mix of backtests (running, paused, stopped, with and without
a pipeline of agents) and paper sessions on synthetic feeds (a bar every
50 ms). The health rule and the monitor's windows are also tested on
hand-made inputs, without a server.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send
from tests.api.conftest import IDEAL, Api, Auth
from tests.waiting import wait_for

import paperbroker
from paperbroker.api.routes.system import ServerErrors
from paperbroker.services.system_health import (
    AGENTS_IN_ERROR,
    DATABASE,
    DATABASE_DOWN,
    DEGRADED_FROM,
    ERROR_RATE,
    LAG,
    OK_FROM,
    SESSIONS_IN_ERROR,
    SLOW_MS,
    STALE_FEEDS,
    HealthInputs,
    SystemMonitor,
    health_score,
    percentile,
)
from paperbroker.services.system_queries import round_trip
from paperbroker.store.db import create_engine_for, session_factory

FAST = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}
SMA_BACKTEST = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
SMA_PAPER = {"name": "sma_crossover", "params": {"fast": 2, "slow": 4}}
CONTROL_KINDS = {"type": ["SystemStopped", "SystemStarted"]}


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def backtest(api: Api, state: str = "paused", auth: Auth | None = None, **fields: Any) -> str:
    """A new backtest brought to ``state`` (``paused``, ``running`` or ``stopped``)."""
    session_id: str = api.create_session(auth=auth, execution=IDEAL, **fields)["id"]
    if state != "paused":
        verb(api, session_id, "resume" if state == "running" else "stop", auth)
    return session_id


def paper(api: Api, state: str = "running", auth: Auth | None = None, **fields: Any) -> str:
    """A new paper session on a fast synthetic feed, brought to ``state``."""
    body = {"symbols": ["AAA"], "feed": FAST, "execution": IDEAL, **fields}
    response = api.client.post("/api/paper-trading/sessions", json=body, auth=auth or api.alice)
    assert response.status_code == 201, response.text
    session_id: str = response.json()["id"]
    if state == "paused":
        verb(api, session_id, "pause", auth)
    return session_id


def verb(api: Api, session_id: str, name: str, auth: Auth | None = None) -> None:
    ok(api.client.post(f"/v1/sessions/{session_id}/{name}", auth=auth or api.alice))


def system(api: Api, action: str, auth: Auth | None = None) -> dict[str, Any]:
    result: dict[str, Any] = ok(api.client.post(f"/api/system/{action}", auth=auth or api.alice))
    return result


def read(api: Api, path: str, auth: Auth | None = None, **params: Any) -> Any:
    return ok(api.client.get(path, params=params, auth=auth or api.alice))


def states(api: Api, auth: Auth | None = None) -> dict[str, str]:
    return {s["id"]: s["state"] for s in read(api, "/v1/sessions", auth)}


def agents_of(api: Api, *session_ids: str, auth: Auth | None = None) -> dict[str, str]:
    """``{agent id: status}`` of the sessions' agents."""
    found = read(api, "/api/agents", auth)
    return {a["id"]: a["status"] for a in found if a["session_id"] in session_ids}


def by(counts: dict[str, int]) -> dict[str, int]:
    """The non-zero counts."""
    return {key: value for key, value in counts.items() if value}


# -- status -------------------------------------------------------------------------------
def test_status_counts_the_callers_sessions_agents_open_orders_and_fills_today(api: Api) -> None:
    playing = backtest(api, "running")
    piped = backtest(api, strategy=SMA_BACKTEST)  # paused, four agents running
    risk = next(a for a in read(api, "/api/agents") if a["name"] == "risk")
    ok(api.client.post(f"/api/agents/{risk['id']}/stop", auth=api.alice))
    backtest(api, "stopped")
    traded = api.create_session(execution=IDEAL)
    book = (traded["id"], traded["default_account_id"])
    order = {"symbol": "AAPL", "side": "buy", "qty": "10", "time_in_force": "gtc"}
    ok(api.trading("POST", *book, "/orders", json={**order, "type": "market"}))
    ok(api.client.post(f"/v1/sessions/{traded['id']}/time/advance", json={"duration": 1440},
                       auth=api.alice))  # fmt: skip
    ok(api.trading("POST", *book, "/orders", json={**order, "type": "limit", "limit_price": "1"}))
    paper(api)
    paper(api, "paused")
    backtest(api, "running", auth=api.bob)

    status = read(api, "/api/system/status")
    assert status["sessions"]["total"] == 6
    assert by(status["sessions"]["by_state"]) == {"running": 2, "paused": 3, "stopped": 1}
    assert set(status["sessions"]["by_state"]) == {
        "paused", "running", "stopping", "stopped", "killed", "completed", "error",
    }  # fmt: skip
    assert status["sessions"]["by_type"] == {"backtest": 4, "paper": 2, "live": 0}
    assert status["agents"]["total"] == 4
    assert by(status["agents"]["by_status"]) == {"running": 3, "stopped": 1}
    assert status["open_orders"] == 1  # the limit order; the market order filled
    assert status["fills_today"] == 1
    assert status["errors"] == {"count": 0, "sessions": [], "agents": []}
    assert status["owners"] == 1
    assert status["version"] == paperbroker.__version__
    assert status["uptime_seconds"] > 0
    assert status["started_at"].endswith("Z")
    assert {playing, piped} <= set(states(api))

    bob = read(api, "/api/system/status", api.bob)
    assert (bob["sessions"]["total"], bob["agents"]["total"], bob["fills_today"]) == (1, 0, 0)
    assert by(bob["sessions"]["by_state"]) == {"running": 1}

    admin = api.keys.create("admin", is_admin=True)
    everyone = read(api, "/api/system/status", admin)
    assert everyone["sessions"]["total"] == 7
    assert by(everyone["sessions"]["by_state"]) == {"running": 3, "paused": 3, "stopped": 1}
    assert (everyone["owners"], everyone["fills_today"], everyone["open_orders"]) == (2, 1, 1)


# -- stop and start -------------------------------------------------------------------------
def test_system_stop_pauses_what_runs_and_start_resumes_what_it_should(api: Api) -> None:
    playing = backtest(api, "running", strategy=SMA_BACKTEST)
    stepped = backtest(api, strategy=SMA_BACKTEST)  # paused by hand: stays paused
    ended = backtest(api, "stopped")
    live = paper(api, strategy=SMA_PAPER)
    rested = paper(api, "paused")
    bobs = [paper(api, auth=api.bob), backtest(api, "running", auth=api.bob)]
    agents = agents_of(api, playing, stepped, live)
    assert len(agents) == 12
    assert set(agents.values()) == {"running"}

    stopped = system(api, "stop")
    assert stopped == {
        "sessions": {playing: "paused", live: "paused"},
        "agents": dict.fromkeys(agents, "stopped"),
    }
    after = states(api)
    assert [after[s] for s in (playing, stepped, ended, live, rested)] == [
        "paused", "paused", "stopped", "paused", "paused",
    ]  # fmt: skip
    assert set(agents_of(api, playing, stepped, live).values()) == {"stopped"}
    assert set(states(api, api.bob).values()) == {"running"}  # another key's: untouched
    assert system(api, "stop") == {"sessions": {}, "agents": {}}  # nothing left running

    started = system(api, "start")
    assert started == {
        "sessions": {playing: "running", live: "running", rested: "running"},
        "agents": dict.fromkeys(agents, "running"),
    }
    after = states(api)
    assert [after[s] for s in (playing, stepped, ended, live, rested)] == [
        "running", "paused", "stopped", "running", "running",
    ]  # fmt: skip
    assert system(api, "start") == {"sessions": {}, "agents": {}}
    assert set(states(api, api.bob).values()) == {"running"}
    assert set(bobs) == set(states(api, api.bob))

    # Each start and stop is in the caller's system stream, newest first.
    events = read(api, "/api/activity", **CONTROL_KINDS)
    assert [e["type"] for e in events] == [
        "SystemStarted", "SystemStarted", "SystemStopped", "SystemStopped",
    ]  # fmt: skip
    first_stop, first_start = events[3], events[1]
    assert first_stop["stream"] == f"system:{api.alice[0]}"
    assert first_stop["message"] == "system stopped: 2 session(s) paused, 12 agent(s) stopped"
    assert first_stop["data"]["sessions"] == stopped["sessions"]
    assert first_stop["data"]["paused_backtests"] == [playing]
    assert first_start["message"] == "system started: 3 session(s) resumed, 12 agent(s) started"
    assert events[0]["message"] == "system started: 0 session(s) resumed, 0 agent(s) started"
    assert {e["severity"] for e in events} == {"info"}
    assert read(api, "/api/activity", api.bob, **CONTROL_KINDS) == []


def test_an_admin_steers_every_keys_sessions_and_each_owner_hears_of_it(api: Api) -> None:
    admin = api.keys.create("admin", is_admin=True)
    alices = backtest(api, "running")
    bobs = paper(api, auth=api.bob)

    stopped = system(api, "stop", admin)
    assert stopped["sessions"] == {alices: "paused", bobs: "paused"}
    alice_heard = read(api, "/api/activity", **CONTROL_KINDS)
    assert len(alice_heard) == 1
    assert alice_heard[0]["message"] == (
        f"system stopped by key {admin[0]}: 1 session(s) paused, 0 agent(s) stopped"
    )
    assert alice_heard[0]["data"]["sessions"] == {alices: "paused"}  # not bob's
    bob_heard = read(api, "/api/activity", api.bob, **CONTROL_KINDS)
    assert bob_heard[0]["data"]["sessions"] == {bobs: "paused"}
    admin_heard = read(api, "/api/activity", admin, **CONTROL_KINDS)
    own = [e for e in admin_heard if e["stream"] == f"system:{admin[0]}"]
    assert own[0]["data"]["sessions"] == stopped["sessions"]

    # Alice's start resumes the backtest the admin's stop paused, and nothing of bob's.
    assert system(api, "start")["sessions"] == {alices: "running"}
    assert states(api, api.bob)[bobs] == "paused"
    assert system(api, "start", admin)["sessions"] == {bobs: "running"}


def test_a_key_bound_to_a_session_steers_nothing(api: Api) -> None:
    session_id = backtest(api, "running")
    bound = api.client.post(f"/v1/sessions/{session_id}/keys", auth=api.alice).json()
    key = (bound["key_id"], bound["secret"])
    for method, path in [("GET", "status"), ("GET", "health"), ("POST", "stop"), ("POST", "start")]:
        refused = api.client.request(method, f"/api/system/{path}", auth=key)
        assert refused.status_code == 403, refused.text
        assert f"bound to session {session_id}" in refused.json()["message"]
    assert states(api)[session_id] == "running"


def test_stop_and_start_while_sessions_end_answer_each_one_never_a_500(api: Api) -> None:
    sessions = [backtest(api, "running") for _ in range(6)]

    def kill(session_id: str) -> int:
        return int(api.client.post(f"/v1/sessions/{session_id}/kill", auth=api.alice).status_code)

    with ThreadPoolExecutor(4) as pool:
        stops = [pool.submit(system, api, "stop") for _ in range(2)]
        kills = [pool.submit(kill, s) for s in sessions[::2]]
        results = [f.result() for f in stops]
        assert {f.result() for f in kills} == {200}
    for result in results:  # its new state (it may have been killed since), or its error
        for outcome in result["sessions"].values():
            assert outcome in ("paused", "killed") or outcome.startswith("error: "), outcome
    reported = {s for result in results for s in result["sessions"]}
    assert set(sessions[1::2]) <= reported  # each running one was paused by one of them
    after = states(api)
    assert [after[s] for s in sessions] == ["killed", "paused"] * 3
    assert system(api, "start")["sessions"] == dict.fromkeys(sessions[1::2], "running")


def test_bad_requests_are_json_errors(api: Api) -> None:
    assert api.client.get("/api/system/status").status_code == 401
    wrong = api.client.get("/api/system/stop", auth=api.alice)
    assert wrong.status_code == 405
    assert set(wrong.json()) == {"code", "message"}
    assert api.client.post("/api/system/health", auth=api.alice).status_code == 405


# -- health -------------------------------------------------------------------------------
def test_health_measures_the_server_and_scores_it_by_the_rule(api: Api) -> None:
    live = paper(api)
    wait_for(lambda: read(api, f"/api/paper-trading/sessions/{live}")["feed"]["bars"], "bars")
    health = wait_for(
        lambda: (h := read(api, "/api/system/health"))["event_loop"]["samples"] >= 3 and h,
        "lag samples",
    )
    loop = health["event_loop"]
    assert 0 <= loop["lag_p50_ms"] <= loop["lag_p99_ms"] <= loop["lag_max_ms"]
    assert loop["window_seconds"] == 60
    assert health["database"]["reachable"] is True
    assert health["database"]["latency_ms"] > 0
    assert health["database"]["error"] is None
    process = health["process"]
    assert process["memory_rss_bytes"] > 10 * 2**20
    assert process["cpu_percent"] >= 0
    assert process["threads"] >= 2  # the server's and the feed's at least
    assert process["uptime_seconds"] > 0
    [feed] = health["feeds"]
    assert (feed["session_id"], feed["type"], feed["stale"]) == (live, "synthetic", False)
    assert feed["stale_seconds"] < 30
    errors = health["errors"]
    assert (errors["window_minutes"], errors["sessions_in_error"], errors["agents_in_error"]) == (
        5, 0, 0,
    )  # fmt: skip
    expected = health_score(
        HealthInputs(
            lag_p99_ms=loop["lag_p99_ms"],
            db_latency_ms=health["database"]["latency_ms"],
            stale_feeds=0,
            sessions_in_error=0,
            agents_in_error=0,
            errors_per_minute=errors["per_minute"],
        )
    )
    assert (health["health"], health["status"]) == (expected.score, expected.status)
    assert set(health["penalties"]) == set(expected.penalties)
    assert health["version"] == paperbroker.__version__
    assert read(api, "/api/system/health", api.bob)["feeds"] == []


# -- the rule, on hand-made inputs ------------------------------------------------------------
FIELDS = ("lag_p99_ms", "db_latency_ms", "stale_feeds", "sessions_in_error", "agents_in_error",
          "errors_per_minute")  # fmt: skip


def inputs(**changes: Any) -> HealthInputs:
    base: dict[str, Any] = {
        "lag_p99_ms": 1.0, "db_latency_ms": 1.0, "stale_feeds": 0, "sessions_in_error": 0,
        "agents_in_error": 0, "errors_per_minute": 0.0,
    }  # fmt: skip
    return HealthInputs(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "score", "status"),
    [
        ({}, 100, "ok"),
        ({"lag_p99_ms": 50.0, "db_latency_ms": 50.0}, 100, "ok"),  # 50 ms is still fast
        ({"lag_p99_ms": 150.0}, 90, "ok"),  # a point per 10 ms over 50
        ({"lag_p99_ms": 55.5}, 99, "ok"),  # 99.45, rounded down
        ({"lag_p99_ms": 10_000.0}, 75, "degraded"),  # capped at 25
        ({"db_latency_ms": 80.0}, 97, "ok"),
        ({"db_latency_ms": 5_000.0}, 75, "degraded"),
        ({"db_latency_ms": None}, 0, "down"),  # no database: nothing works
        ({"stale_feeds": 2}, 80, "ok"),  # ok from 80
        ({"stale_feeds": 9}, 70, "degraded"),  # capped at 30
        ({"sessions_in_error": 1, "agents_in_error": 2}, 80, "ok"),
        # 30 + 20 off: degraded from 50
        ({"sessions_in_error": 5, "agents_in_error": 10}, 50, "degraded"),
        ({"errors_per_minute": 0.2}, 99, "ok"),
        ({"errors_per_minute": 100.0}, 75, "degraded"),
        ({"lag_p99_ms": 300.0, "db_latency_ms": 300.0, "errors_per_minute": 0.2}, 49, "down"),
        (dict.fromkeys(FIELDS, 1e6), 0, "down"),  # everything at once: every cap
    ],
)
def test_the_health_rule(changes: dict[str, Any], score: int, status: str) -> None:
    result = health_score(inputs(**changes))
    assert (result.score, result.status) == (score, status)
    assert result.score == max(0, math.floor(100 - sum(result.penalties.values())))


def test_the_rule_names_what_each_input_cost() -> None:
    result = health_score(inputs(lag_p99_ms=150.0, stale_feeds=1, errors_per_minute=1.0))
    assert result.penalties == {
        "event_loop_lag": 10.0, "database": 0.0, "stale_feeds": 10.0, "sessions_in_error": 0.0,
        "agents_in_error": 0.0, "error_rate": 5.0,
    }  # fmt: skip
    assert (result.score, result.status) == (75, "degraded")


def test_the_rule_in_docs_operations_md_is_the_rule_the_code_runs() -> None:
    page = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    rule = " ".join(page.split("## System control")[1].split())  # line breaks aside
    slow = f"1 point per {1 / LAG.per:g} ms above {SLOW_MS:g} ms"
    rows = [
        f"| event-loop lag p99 | {slow} | {LAG.cap:g} |",
        f"| database latency | {slow}; a database that does not answer: {DATABASE_DOWN:g} | "
        f"{DATABASE.cap:g} ({DATABASE_DOWN:g}) |",
        f"| stale feeds | {STALE_FEEDS.per:g} per stale feed | {STALE_FEEDS.cap:g} |",
        f"| sessions in `error` (or that cannot be loaded) | {SESSIONS_IN_ERROR.per:g} each | "
        f"{SESSIONS_IN_ERROR.cap:g} |",
        f"| agents in `error` | {AGENTS_IN_ERROR.per:g} each | {AGENTS_IN_ERROR.cap:g} |",
        f"| error rate | {ERROR_RATE.per:g} per error a minute | {ERROR_RATE.cap:g} |",
        f"`ok` from {OK_FROM}, `degraded` from {DEGRADED_FROM}, `down` below {DEGRADED_FROM}",
    ]
    for row in rows:
        assert row in rule, row


def test_a_database_that_does_not_answer_is_reported_not_raised() -> None:
    engine = create_engine_for("postgresql://nobody@127.0.0.1:1/nothing")
    try:
        result = round_trip(session_factory(engine))
    finally:
        engine.dispose()
    assert result.latency_ms is None
    assert result.error == "the database did not answer (OperationalError)"
    assert health_score(inputs(db_latency_ms=result.latency_ms)).status == "down"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.cpu = 0.0

    def monotonic(self) -> float:
        return self.now

    def cpu_time(self) -> float:
        return self.cpu


def test_the_monitor_keeps_a_minute_of_lag_and_five_minutes_of_errors() -> None:
    clock = FakeTime()
    monitor = SystemMonitor(monotonic=clock.monotonic, cpu_time=clock.cpu_time)
    assert monitor.lag().samples == 0
    for ms in range(1, 101):  # 1 ms … 100 ms
        monitor.record_lag(ms / 1000)
    lag = monitor.lag()
    assert (lag.p50_ms, lag.p99_ms, lag.max_ms, lag.samples) == pytest.approx((50, 99, 100, 100))
    clock.now += 61
    monitor.record_lag(0.002)
    assert monitor.lag().samples == 1  # the older samples left the window

    monitor.server_error()
    monitor.observe_agent("a", "alice", 3, new=False)  # failures from before: not counted
    monitor.observe_agent("a", "alice", 5, new=False)
    monitor.observe_agent("b", "bob", 1, new=True)  # a new session's agent: every failure
    monitor.observe_agent("a", "alice", 0, new=False)  # reset: a new baseline
    assert monitor.server_errors() == 1
    assert monitor.agent_failures(None) == 3
    assert monitor.agent_failures(frozenset({"alice"})) == 2
    clock.now += 5 * 60 + 1
    assert (monitor.server_errors(), monitor.agent_failures(None)) == (0, 0)

    monitor.sample_cpu()
    clock.cpu += 0.5
    clock.now += 2
    monitor.sample_cpu()
    assert monitor.cpu_percent() == 25.0  # half a CPU second in two seconds


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 0.5) == 0.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.99) == 4.0


def test_the_middleware_counts_5xx_answers_and_escaping_exceptions() -> None:
    monitor = SystemMonitor()

    def answering(status: int) -> Callable[[Scope, Receive, Send], Any]:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        return app

    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    async def run() -> None:
        scope: Scope = {"type": "http", "method": "GET", "path": "/"}
        for status in (200, 404, 500, 503):
            await ServerErrors(answering(status), monitor)(scope, receive, send)
        with pytest.raises(RuntimeError):
            await ServerErrors(failing, monitor)(scope, receive, send)

    asyncio.run(run())
    assert monitor.server_errors() == 3
