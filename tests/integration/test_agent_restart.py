"""kill -9 the server under a session's agent pipeline; every agent comes back as it was.

One scenario per backend (a SQLite file, a temporary PostgreSQL database), on
the real ``paperbroker serve`` with its agents' logs in a directory of the
test's own:

1. a backtest session with an explicit pipeline (data, sentiment, two
   strategy agents on AAPL and MSFT, risk with a limit, execution) trades
   some weeks of 2008 and hears two headlines;
2. the agents are commanded: the sentiment agent stopped (a later headline
   is dropped), the risk agent's limit lowered (MSFT's entries are denied
   from then on), the execution agent's metrics reset; the clock moves on;
3. snapshot: every agent (all fields), the pipeline's graph, the session,
   the account, its positions and all its orders, and every agent's log;
4. SIGKILL, restart on the same database and log directory;
5. the snapshot again: identical, logs included: a restart loses no line,
   and, since nothing happened between the kill and the restart, writes
   none (replaying the journal re-runs the agents, and what they did was
   logged the first time);
6. more commands and more time; the session's orders, fills, agents, graph
   and log messages then equal those of a twin session, created after the
   restart with the same spec and driven by the same commands, that was
   never killed.

A second session, created before the kill and never commanded (its journal
is empty), must come back as it was too, its logs included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess, call
from sqlalchemy import make_url
from tests.store.backends import find_postgres, temporary_database, url_text

SYMBOLS = ["AAPL", "MSFT"]
START = "2008-01-02T14:30:00Z"
END = "2008-12-31T21:00:00Z"
KILLED_AT = "2008-04-01T21:00:00Z"  # the session's clock when the server is killed
#: The risk agent's limit at creation (MSFT's entries of ~1,700 shares pass), and after
#: the PATCH (they are denied; AAPL's of ~380 still pass).
FIRST_LIMIT, LOWER_LIMIT = "2000", "1000"
#: A known bug: the restore of a session whose journal is empty does not mute its agents.


def pipeline() -> list[dict[str, Any]]:
    return [
        {"type": "data", "name": "data", "symbols": SYMBOLS},
        {"type": "sentiment", "name": "sentiment", "config": {"half_life_seconds": 604800}},
        {
            "type": "strategy", "name": "momentum", "symbols": SYMBOLS,
            "config": {"strategy": "sentiment_momentum",
                       "params": {"lookback": 5, "threshold": 0.02, "exit_threshold": 0.0,
                                  "require_sentiment": False}},
        },
        {
            "type": "strategy", "name": "sma", "symbols": SYMBOLS,
            "config": {"strategy": "sma_crossover", "params": {"fast": 3, "slow": 8}},
        },
        {"type": "risk", "name": "risk", "config": {"max_order_qty": FIRST_LIMIT}},
        {"type": "execution", "name": "execution"},
    ]  # fmt: skip


Snapshot = dict[str, Any]


@dataclass
class Driver:
    """One session on a server, driven through the API; every answer must be a success."""

    server: ServerProcess
    session: dict[str, Any]

    @classmethod
    def create(cls, server: ServerProcess) -> Driver:
        status, session = call(
            server, "POST", "/v1/sessions",
            {"startTime": START, "endTime": END, "initialCash": "100000",
             "execution": {"preset": "equities_realistic", "seed": 7}, "agents": pipeline()},
        )  # fmt: skip
        assert status == 201, session
        return cls(server, session)

    @property
    def id(self) -> str:
        return str(self.session["id"])

    @property
    def account(self) -> str:
        return str(self.session["default_account_id"])

    def ok(self, method: str, path: str, body: Any = None, *, session: bool = False) -> Any:
        status, answer = call(
            self.server, method, path, body, session=self.id if session else None, timeout=30
        )
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def advance(self, target: str) -> None:
        moved = self.ok("POST", f"/v1/sessions/{self.id}/time/advance", {"targetTime": target})
        assert moved["currentTime"] == target

    def news(self, symbol: str, headline: str) -> None:
        body = {"symbols": [symbol], "headline": headline, "source": "test wire"}
        self.ok("POST", f"/v1/sessions/{self.id}/news", body)

    def agents(self) -> list[dict[str, Any]]:
        return [a for a in self.ok("GET", "/api/agents") if a["session_id"] == self.id]

    def agent_id(self, name: str) -> str:
        return next(str(a["id"]) for a in self.agents() if a["name"] == name)

    def command(self, name: str, action: str, body: Any = None) -> dict[str, Any]:
        method = "PATCH" if action == "config" else "POST"
        answer: dict[str, Any] = self.ok(
            method, f"/api/agents/{self.agent_id(name)}/{action}", body
        )
        return answer

    def snapshot(self) -> Snapshot:
        agents = self.agents()
        trading = f"/v1/trading/accounts/{self.account}"
        return {
            "agents": agents,
            "pipeline": self.ok("GET", f"/v1/sessions/{self.id}/pipeline"),
            "session": self.ok("GET", f"/v1/sessions/{self.id}"),
            "account": self.ok("GET", f"{trading}/account", session=True),
            "positions": self.ok("GET", f"{trading}/positions", session=True),
            "orders": self.ok("GET", f"{trading}/orders?status=all", session=True),
            "logs": {
                a["name"]: [
                    line["text"]
                    for line in self.ok("GET", f"/api/agents/{a['id']}/logs?lines=10000")["lines"]
                ]
                for a in agents
            },
        }


def before_the_kill(driver: Driver) -> None:
    """Weeks of trading, two headlines, then commands that change what the agents do."""
    driver.advance("2008-02-01T21:00:00Z")
    driver.news("AAPL", "Apple posts record profit on strong iPhone sales")
    driver.news("MSFT", "Microsoft warns of weak demand and costly delays")
    driver.advance("2008-03-03T21:00:00Z")
    assert driver.command("sentiment", "stop")["status"] == "stopped"
    risk = driver.command("risk", "config", {"max_order_qty": LOWER_LIMIT, "allow_short": False})
    assert risk["config"]["max_order_qty"] == LOWER_LIMIT
    assert driver.command("execution", "metrics/reset")["metrics"] == {}
    driver.advance("2008-03-14T21:00:00Z")
    driver.news("AAPL", "Apple shares slump as analysts warn of a sharp slowdown")  # dropped
    driver.advance(KILLED_AT)


def after_the_restart(driver: Driver) -> None:
    """More time, a headline the stopped agent drops, its restart, one it hears."""
    driver.advance("2008-05-01T21:00:00Z")
    driver.news("MSFT", "Microsoft raises its outlook after strong software sales")  # dropped
    driver.advance("2008-06-02T21:00:00Z")
    assert driver.command("sentiment", "start")["status"] == "running"
    driver.news("AAPL", "Apple unveils a faster, cheaper iPhone to strong reviews")
    driver.advance("2008-07-31T21:00:00Z")


@dataclass
class Run:
    """The snapshots of one backend's scenario."""

    at_kill: Snapshot  # the killed session, just before the kill
    restarted: Snapshot  # the same, just after the restart
    later: Snapshot  # the same, after more commands and time
    twin_at_kill: Snapshot  # the never-killed twin, at the kill's point in its script
    twin_later: Snapshot  # the twin at the end of the script
    idle_at_kill: Snapshot  # a session never commanded, just before the kill
    idle_restarted: Snapshot  # the same, just after the restart
    server_output: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The scenario, once per backend, for the tests below."""
    workdir = tmp_path_factory.mktemp(f"agent-restart-{request.param}")
    if request.param == "sqlite":
        yield scenario(f"sqlite:///{workdir / 'agents.db'}", workdir)
        return
    with temporary_database(find_postgres()) as url:
        yield scenario(url_text(make_url(url)), workdir)


def scenario(database_url: str, workdir: Path) -> Run:
    server = ServerProcess(
        database_url,
        log_dir=workdir / "logs",
        env={"PAPERBROKER_DATA_DIR": str(workdir / "data")},  # the bundled data only
    )
    server.start()
    try:
        killed = Driver.create(server)
        idle = Driver.create(server)
        before_the_kill(killed)
        at_kill, idle_at_kill = killed.snapshot(), idle.snapshot()

        server.kill()
        server.start()
        restarted, idle_restarted = killed.snapshot(), idle.snapshot()
        after_the_restart(killed)
        later = killed.snapshot()

        twin = Driver.create(server)  # same spec, same commands, no kill
        before_the_kill(twin)
        twin_at_kill = twin.snapshot()
        after_the_restart(twin)
        twin_later = twin.snapshot()
    finally:
        server.stop()
    return Run(
        at_kill, restarted, later, twin_at_kill, twin_later, idle_at_kill, idle_restarted,
        "".join(server.output),
    )  # fmt: skip


def by_name(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in snapshot["agents"]}


def ids_replaced(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the ids that name its own session's things replaced by roles
    (the twin's differ: they derive from its session's id), and what depends on those
    ids left out: the session's identity and wall-clock creation time, and its orders'
    average latency (each delay is a seeded hash of the order's id; the fills' times
    and prices are compared all the same)."""
    names = {
        snapshot["session"]["id"]: "session",
        snapshot["session"]["default_account_id"]: "account",
        **{a["id"]: f"agent:{a['name']}" for a in snapshot["agents"]},
        **{o["id"]: f"order:{i}" for i, o in enumerate(snapshot["orders"])},
    }
    rest = {k: v for k, v in snapshot.items() if k != "logs"}
    rest["session"] = {
        k: v for k, v in snapshot["session"].items() if k not in ("id", "name", "created_at")
    }
    rest["session"]["execution_quality"] = {
        k: v for k, v in rest["session"]["execution_quality"].items() if k != "average_latency_ms"
    }
    text = json.dumps(rest, sort_keys=True)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                  lambda m: names.get(m.group(0), m.group(0)), text)  # fmt: skip
    replaced: Snapshot = json.loads(text)
    return replaced


LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")


def messages(snapshot: Snapshot) -> dict[str, list[str]]:
    """Each agent's log lines without their wall-clock time: level and message."""
    return {
        name: [LOG_TIME.sub("", line) for line in lines] for name, lines in snapshot["logs"].items()
    }


def orders_after(snapshot: Snapshot, moment: str) -> list[dict[str, Any]]:
    return [o for o in snapshot["orders"] if o["submitted_at"] > moment]


# -- the checks ---------------------------------------------------------------------------


def check_the_commands_left_states_a_fresh_pipeline_would_not_have(at_kill: Snapshot) -> None:
    """Each thing the restart must restore differs from what rebuilding the pipeline from
    its spec gives, so a restart that did not restore it could not pass the checks after."""
    agents = by_name(at_kill)
    assert [a["status"] for a in at_kill["agents"]] == [
        "running", "stopped", "running", "running", "running", "running",
    ]  # fmt: skip
    sentiment = agents["sentiment"]
    assert sentiment["metrics"]["headlines"] == 2
    assert sentiment["metrics"]["dropped"] == 1  # the headline posted while it was stopped
    assert sentiment["last_active"] == "2008-02-01T21:00:00Z"  # its last headline heard
    assert sentiment["config"]["half_life_seconds"] == 604800.0
    assert agents["risk"]["config"]["max_order_qty"] == LOWER_LIMIT
    assert agents["risk"]["config"]["allow_short"] is False
    orders = at_kill["orders"]
    denied = [o for o in orders if o["reject_reason"] == "risk_denied"]
    assert any(f"max_order_qty {LOWER_LIMIT}" in o["reject_message"] for o in denied)
    assert any(o["symbol"] == "MSFT" and o["status"] == "filled" for o in orders)  # at 2000
    # The reset: execution's counters hold only the orders routed since it.
    routed = [o for o in orders if o["reject_reason"] in (None, "risk_denied")]
    assert 0 < agents["execution"]["metrics"]["orders"] < len(routed)
    assert agents["risk"]["metrics"]["received"] > agents["execution"]["metrics"]["received"]
    assert all(a["error"] is None for a in at_kill["agents"])
    assert at_kill["session"]["current_time"] == KILLED_AT
    assert at_kill["positions"]  # it holds something
    assert all(at_kill["logs"][name] for name in agents)


PARTS = ("agents", "pipeline", "session", "account", "positions", "orders")


def test_kill_9_under_an_agent_pipeline_restores_every_agent_as_it_was(run: Run) -> None:
    check_the_commands_left_states_a_fresh_pipeline_would_not_have(run.at_kill)
    assert ids_replaced(run.twin_at_kill) == ids_replaced(run.at_kill)  # the same script
    assert messages(run.twin_at_kill) == messages(run.at_kill)

    # The restart: every agent (all fields), the graph and the books exactly as they were.
    assert "could not be restored" not in run.server_output
    for part in PARTS:
        assert run.restarted[part] == run.at_kill[part], part

    # It goes on trading as if it had never been killed.
    new = orders_after(run.later, KILLED_AT)
    assert any(o["status"] == "filled" for o in new), "the pipeline trades after the restart"
    assert any(o["reject_reason"] == "risk_denied" for o in new), "at the lower limit"
    later, twin = ids_replaced(run.later), ids_replaced(run.twin_later)
    for part in PARTS:
        assert later[part] == twin[part], part

    # No log line written before the kill is lost.
    for name, lines in run.at_kill["logs"].items():
        assert run.restarted["logs"][name][: len(lines)] == lines, name
        assert run.later["logs"][name][: len(lines)] == lines, name

    # Nor is one written twice: the logs are as they were, and then as the twin's.
    assert run.restarted["logs"] == run.at_kill["logs"]  # nothing happened in between
    assert messages(run.later) == messages(run.twin_later)

    # A session never commanded (an empty journal) comes back as it was (its logs: below).
    for part in PARTS:
        assert run.idle_restarted[part] == run.idle_at_kill[part], part
    assert all(len(lines) == 1 for lines in run.idle_at_kill["logs"].values())  # "running"


def test_a_session_never_commanded_comes_back_with_its_logs_as_they_were(run: Run) -> None:
    assert run.idle_restarted["logs"] == run.idle_at_kill["logs"]
