"""What makes a session's run reproducible, and the body it was created with.

A **run record** is a JSON object stored with a session's summary when it
ends: the code version (the package's, and a digest of its strategy's
source), a digest of the bars it read, its strategy, parameters, symbols,
window and initial cash, its execution models and their seed, its creation
body, and the digest of its fills (:func:`~paperbroker.engine.fills_digest.fills_digest`,
the one a backtest's result gives). A rerun creates a backtest from it and
compares the digests.

The **creation config** is the body of the create request that makes the
same session again (``POST /v1/sessions`` for a backtest, the paper or live
route for those), rebuilt from what the session stored: clone, promote and
templates start from it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

import paperbroker
from paperbroker.agents.arms import arms_request
from paperbroker.agents.decision import StrategyAgent
from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.core.clock import ns_to_text
from paperbroker.core.errors import PaperbrokerError
from paperbroker.engine.fills_digest import fills_digest
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill
from paperbroker.services.checkpoints import INTERVAL_FIELD
from paperbroker.services.session_facts import strategy_of, symbols_of
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.sessions_repo import SessionRecord

_BAR_COLUMNS = ("open", "high", "low", "close", "volume")


def session_fills(runtime: SessionRuntime) -> list[Fill]:
    """Every fill of the session, every account, in the order they happened."""
    with runtime.locked():
        return [e.fill for e in runtime.kernel.events if isinstance(e, OrderFilled)]


def data_digest(runtime: SessionRuntime) -> str:
    """SHA-256 of the bars the session read: each series (by symbol) from the session's
    start to its clock, times and prices and volumes as little-endian binary."""
    digest = hashlib.sha256()
    start, now = runtime.spec.start_ns, runtime.now_ns
    with runtime.locked():
        series = sorted(runtime.kernel.feed.series, key=lambda s: s.symbol)
        for one in series:
            ts = np.asarray(one.ts, dtype=np.int64)
            keep = (ts >= start) & (ts <= now)
            digest.update(one.symbol.encode() + b"\n")
            digest.update(np.ascontiguousarray(ts[keep], dtype="<i8").tobytes())
            for name in _BAR_COLUMNS:
                column = np.asarray(getattr(one, name), dtype=np.float64)[keep]
                digest.update(np.ascontiguousarray(column, dtype="<f8").tobytes())
    return digest.hexdigest()


def strategy_source_digest(runtime: SessionRuntime) -> str | None:
    """SHA-256 of the source of the session's strategy's class (``None`` without one strategy,
    or when its source cannot be read)."""
    pipeline = runtime.pipeline
    if pipeline is None:
        return None
    agents = [a for a in pipeline.agents.values() if isinstance(a, StrategyAgent)]
    if len(agents) != 1:
        return None
    try:
        source = inspect.getsource(type(agents[0].strategy))
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()


def run_record(record: SessionRecord, runtime: SessionRuntime) -> dict[str, Any]:
    """The session's run record (see the module doc) as of now."""
    use = strategy_of(runtime)
    execution = runtime.spec.execution
    fills = session_fills(runtime)
    return {
        "code_version": paperbroker.__version__,
        "strategy_source_digest": strategy_source_digest(runtime),
        "data_digest": data_digest(runtime),
        "params": {} if use is None else use.params,
        "seed": execution.seed,
        "execution": execution.to_json(),
        "strategy": None if use is None else use.name,
        "symbols": list(symbols_of(runtime)),
        "start": ns_to_text(runtime.spec.start_ns),
        "end": ns_to_text(min(runtime.now_ns, runtime.spec.end_ns)),
        "initial_cash": str(runtime.spec.initial_cash),
        "type": record.kind,
        "config": creation_config(record),
        "fills": len(fills),
        "fills_digest": fills_digest(fills),
    }


def creation_config(record: SessionRecord) -> dict[str, Any]:
    """The body of the create request that makes this session again (see the module doc):
    ``POST /v1/sessions`` for a backtest, ``/api/paper-trading/sessions`` for a paper
    session, ``/api/live-trading/sessions`` for a live one (without its real-money
    confirmation, which is never stored)."""
    stored: dict[str, Any] = json.loads(record.config)
    kind = record.kind
    body: dict[str, Any] = {"name": record.name}
    if kind == "backtest":
        body["startTime"] = ns_to_text(record.simulation_start)
        body["endTime"] = ns_to_text(record.simulation_end)
        body["initialCash"] = stored.get("initial_cash")
        body["execution"] = stored.get("execution")
        body["account"] = _account_body(stored.get("account"))
    else:
        body["symbols"] = list(stored.get("symbols") or [])
        body["feed"] = stored.get("feed")
        if kind == "paper":
            body["initial_cash"] = stored.get("initial_cash")
            body["execution"] = stored.get("execution")
            body["checkpoint_interval_seconds"] = stored.get(INTERVAL_FIELD)
        else:
            body["broker"] = stored.get("broker")
    body.update(_pipeline_body(stored.get("pipeline"), kind, stored.get("initial_cash")))
    body["risk"] = stored.get("risk")
    return {key: value for key, value in body.items() if value is not None}


def _account_body(account: object) -> dict[str, Any] | None:
    if not isinstance(account, Mapping):
        return None
    if account.get("type") != "margin":
        return {"type": "cash"}
    body: dict[str, Any] = {"type": "margin", "leverage": account.get("leverage")}
    if account.get("intraday_leverage") is not None:
        body["intradayLeverage"] = account["intraday_leverage"]
    return {key: value for key, value in body.items() if value is not None}


def _pipeline_body(pipeline: object, kind: str, initial_cash: object) -> dict[str, Any]:
    """``strategy`` when the pipeline is the standard one around one strategy,
    ``strategies`` (with the whole initial cash) when it is a multi-strategy session's,
    else the explicit ``agents``."""
    if not isinstance(pipeline, list) or not pipeline:
        return {}
    arms = None if initial_cash is None else arms_request(pipeline, Decimal(str(initial_cash)))
    if arms is not None:
        chosen: list[dict[str, Any]] = [
            {"name": arm.name, "params": dict(arm.params), "symbols": list(arm.symbols),
             "weight": str(arm.weight), "label": arm.label}
            for arm in arms.arms
        ]  # fmt: skip
        cash_field = "initialCash" if kind == "backtest" else "initial_cash"
        return {
            "strategies": chosen, "mode": arms.mode, "allocation": arms.allocation,
            cash_field: str(arms.initial_cash),
        }  # fmt: skip
    strategies = [a for a in pipeline if isinstance(a, Mapping) and a.get("type") == "strategy"]
    data = next((a for a in pipeline if isinstance(a, Mapping) and a.get("type") == "data"), {})
    if len(strategies) == 1:
        agent = strategies[0]
        config = agent.get("config") or {}
        name, params = config.get("strategy"), dict(config.get("params") or {})
        symbols = list(agent.get("symbols") or [])
        news = (data.get("config") or {}).get("news")
        try:
            standard = (
                standard_pipeline(name, params, symbols, news=news, strategy_files=False)
                if isinstance(name, str)
                else None
            )
        except PaperbrokerError:
            standard = None
        if isinstance(name, str) and standard == pipeline:
            if kind != "backtest":
                return {"strategy": {"name": name, "params": params}}
            choice: dict[str, Any] = {"name": name, "params": params, "symbols": symbols}
            return {"strategy": choice if news is None else {**choice, "news": news}}
    return {"agents": pipeline}
