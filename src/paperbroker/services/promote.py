"""The create bodies of a session's reruns and promotions.

- A **rerun** is a backtest of an ended session's run record: the same
  window, initial cash, execution models and seed, strategy and parameters
  (and risk rules). A backtest's rerun is its own creation body again.
- A **promotion** moves a configuration one step towards real trading: a
  backtest becomes a paper session (same strategy, parameters, symbols, risk
  rules and execution models), a paper session a live one (its broker
  settings and real-money confirmation given by the caller).

The bodies are read by the create routes' schemas like any request
(:mod:`paperbroker.api.session_bodies`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from paperbroker.core.errors import Conflict

#: What each session type is promoted to.
PROMOTIONS: Final = {"backtest": "paper", "paper": "live"}
_MAX_NAME = 200
_RERUN = " (rerun)"


def rerun_body(kind: str, name: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """The backtest body that replays the run ``record`` of a ``kind`` session named ``name``."""
    config = dict(record.get("config") or {})
    body: dict[str, Any]
    if kind == "backtest":
        body = config
    else:
        body = {
            "startTime": record["start"],
            "endTime": record["end"],
            "initialCash": record["initial_cash"],
            "execution": record["execution"],
            **_backtest_pipeline(config, record),
        }
        if config.get("risk") is not None:
            body["risk"] = config["risk"]
    body["name"] = (name[: _MAX_NAME - len(_RERUN)] + _RERUN).strip()
    return body


def promote_body(
    kind: str,
    config: Mapping[str, Any],
    to: str,
    extra: Mapping[str, Any],
    symbols: Sequence[str] = (),
) -> dict[str, Any]:
    """The create body of a ``to`` session promoted from a ``kind`` session created with
    ``config``, with the caller's ``extra`` fields of that body (they win); ``symbols``
    are the ones it traded, for a backtest whose strategy traded every symbol.

    Raises:
        Conflict: for a promotion other than backtest → paper or paper → live.
    """
    if PROMOTIONS.get(kind) != to:
        raise Conflict(
            f"a {kind} session is not promoted to {to}: a backtest is promoted to paper, "
            "a paper session to live"
        )
    body: dict[str, Any] = {"name": config.get("name")}
    if kind == "backtest":
        strategy = config.get("strategy")
        if isinstance(strategy, Mapping):
            body["symbols"] = list(strategy.get("symbols") or symbols)
            body["strategy"] = {"name": strategy.get("name"), "params": strategy.get("params", {})}
        elif config.get("agents") is not None:
            body["agents"] = config["agents"]
            body["symbols"] = _agent_symbols(config["agents"]) or list(symbols)
        body["initial_cash"] = config.get("initialCash")
        body["execution"] = config.get("execution")
    else:
        for field in ("symbols", "strategy", "agents", "feed"):
            body[field] = config.get(field)
    body["risk"] = config.get("risk")
    body = {key: value for key, value in body.items() if value is not None}
    return {**body, **extra}


def _backtest_pipeline(config: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    strategy = config.get("strategy")
    if isinstance(strategy, Mapping):
        return {
            "strategy": {
                "name": strategy.get("name"),
                "params": strategy.get("params", {}),
                "symbols": list(config.get("symbols") or record.get("symbols") or []),
            }
        }
    if config.get("agents") is not None:
        return {"agents": config["agents"]}
    return {}


def _agent_symbols(agents: object) -> list[str]:
    found: dict[str, None] = {}
    for agent in agents if isinstance(agents, list) else []:
        if isinstance(agent, Mapping) and agent.get("type") == "data":
            found.update(dict.fromkeys(str(s) for s in agent.get("symbols") or []))
    return list(found)
