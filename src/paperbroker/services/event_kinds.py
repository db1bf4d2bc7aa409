"""What an event is to the event stream and the activity feed: its topic, severity, message.

Every stream event is a :class:`StreamEvent`, whichever stream it comes
from: a session's journal (``session:<id>``), an owner's system events
(``system:<owner>``) or an agent's log file (``log:<agent id>``).

A journal event's *topic* comes from :data:`TOPIC_BY_KIND`, then from the
first prefix of :data:`TOPIC_BY_PREFIX` its kind starts with, else it is
``sessions``: a session-level kind added later (``SessionPaused``, say) is
heard on ``sessions`` without a change here, an ``Agent…`` kind on
``agents``, an ``Order…`` kind on ``orders``. The clock and market-data
kinds (``AdvanceRequested``: five a second while a backtest plays;
``BarReceived``) have no topic and are not activity: they stay in the
journal, and in the seq numbering, but are never streamed.

Every other event is *activity*: it carries a severity (the rule of
:mod:`paperbroker.store.system_events`) and a short human message.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from paperbroker.model.codec import SCHEMA_VERSION, CorruptEvent, decode_event, encode_event
from paperbroker.session.spec import Committed
from paperbroker.store.journal import EncodedEvent
from paperbroker.store.system_events import QUIET_KINDS, SystemEvent, severity_of

ORDERS, FILLS, SESSIONS, AGENTS = "orders", "fills", "sessions", "agents"
ACTIVITY, SYSTEM, LOGS = "activity", "system", "logs"
#: Parameter sweeps' progress (system events of kinds ``Sweep…``).
SWEEPS = "sweeps"
#: Every topic a client can subscribe to.
TOPICS: Final = (ORDERS, FILLS, SESSIONS, AGENTS, ACTIVITY, SYSTEM, LOGS, SWEEPS)
#: Topics heard on the sessions' streams.
SESSION_TOPICS: Final = frozenset({ORDERS, FILLS, SESSIONS, AGENTS, ACTIVITY})
#: Topics heard on the owners' system streams.
SYSTEM_TOPICS: Final = frozenset({SYSTEM, ACTIVITY, SWEEPS})

#: The topic of each journal kind known today (``None``: no topic, not activity).
TOPIC_BY_KIND: Final[Mapping[str, str | None]] = {
    "OrderSubmitted": ORDERS,
    "OrderAccepted": ORDERS,
    "OrderRejected": ORDERS,
    "OrderDenied": ORDERS,
    "OrderFilled": FILLS,
    "OrderCanceled": ORDERS,
    "OrderExpired": ORDERS,
    "CancelRequested": ORDERS,
    "ReplaceRequested": ORDERS,
    "OrderReplaced": ORDERS,
    "OrderReleased": ORDERS,
    "OrderSized": ORDERS,
    "AccountOpened": SESSIONS,
    "AccountConfigured": SESSIONS,
    "NewsPosted": SESSIONS,
    "SessionStateChanged": SESSIONS,
    "AgentCommanded": AGENTS,
    "RiskCommanded": SESSIONS,
    "BreakerTripped": SESSIONS,
    "RiskAdjusted": SESSIONS,
    "ReconciliationApplied": SESSIONS,
    "AdvanceRequested": None,
    "BarReceived": None,
}
#: Kinds the table does not name, by prefix: first match wins; otherwise ``sessions``.
TOPIC_BY_PREFIX: Final = (("Order", ORDERS), ("Agent", AGENTS), ("Session", SESSIONS))
#: The kind of a line of an agent's log.
LOG_LINE_KIND: Final = "LogLine"

_SHORT_ID: Final = 8
_MAX_MESSAGE: Final = 160
_CAMEL: Final = re.compile(r"(?<!^)(?=[A-Z])")


class StreamEvent(NamedTuple):
    """One event of one stream, ready to be sent.

    ``seq`` numbers the events of ``stream``; ``ts`` is the event's own time
    in epoch ns (session time for a session's events, wall time for system
    events and log lines; ``None`` for a log line without one); ``topic`` is
    ``None`` for quiet kinds; ``severity`` and ``message`` are set on
    activity; ``data`` is the event as JSON text (the codec's form for a
    journal event: decimals as strings).
    """

    stream: str
    seq: int
    kind: str
    ts: int | None
    topic: str | None
    session_id: str | None
    data: str
    severity: str | None = None
    message: str | None = None


def topic_of(kind: str) -> str | None:
    """The topic a journal event of ``kind`` is heard on (``None``: none)."""
    if kind in TOPIC_BY_KIND:
        return TOPIC_BY_KIND[kind]
    for prefix, topic in TOPIC_BY_PREFIX:
        if kind.startswith(prefix):
            return topic
    return SESSIONS


def session_event(session_id: str, seq: int, kind: str, ts: int, payload: str) -> StreamEvent:
    """A journal event of ``session_id`` as a stream event (``payload``: the codec's JSON)."""
    topic = topic_of(kind)
    stream = f"session:{session_id}"
    if kind in QUIET_KINDS or topic is None:
        return StreamEvent(stream, seq, kind, ts, topic, session_id, payload)
    data = _object(payload)
    if not data:  # not a JSON object: pass on the text, never a broken frame
        payload = json.dumps({"payload": payload})
    severity = severity_of(kind, data.get("state"))
    return StreamEvent(
        stream, seq, kind, ts, topic, session_id, payload, severity, message_of(kind, data)
    )


def committed_event(session_id: str, committed: Committed) -> StreamEvent:
    """An event a session's runtime just committed, as a stream event."""
    encoded = encode_event(committed.event)
    return session_event(
        session_id, committed.seq, encoded.kind, committed.event.ts, encoded.payload
    )


def journal_event(session_id: str, stored: EncodedEvent) -> StreamEvent:
    """An event read back from the journal, in the form it had when it was committed.

    A payload of an older schema version is decoded and encoded again, so a
    replay shows what live delivery would show today; one that does not
    decode is passed on as stored.
    """
    payload = stored.payload
    if stored.schema_version != SCHEMA_VERSION:
        with contextlib.suppress(CorruptEvent, TypeError):
            payload = encode_event(
                decode_event(stored.kind, stored.schema_version, stored.payload)
            ).payload
    return session_event(session_id, stored.seq, stored.kind, stored.ts, payload)


def system_event(event: SystemEvent) -> StreamEvent:
    """An owner's system event as a stream event (topic ``system``, always activity; a
    sweep's on ``sweeps``, its progress not activity)."""
    data = _object(event.payload)
    sweep = event.kind.startswith("Sweep")
    return StreamEvent(
        f"system:{event.owner_key_id}",
        event.seq,
        event.kind,
        event.ts,
        SWEEPS if sweep else SYSTEM,
        event.session_id,
        event.payload,
        None if event.kind in QUIET_KINDS else event.severity,
        system_message(event.kind, data),
    )


def log_event(agent_id: str, line_no: int, ts: int | None, level: str, text: str) -> StreamEvent:
    """Line ``line_no`` (1-based) of an agent's log as a stream event (topic ``logs``)."""
    data = json.dumps({"agent_id": agent_id, "level": level, "line": text}, ensure_ascii=False)
    return StreamEvent(f"log:{agent_id}", line_no, LOG_LINE_KIND, ts, LOGS, None, data)


def system_message(kind: str, data: Mapping[str, Any]) -> str:
    """A system event's message: its payload's ``message``, else its kind in words."""
    message = data.get("message")
    return _clip(message) if isinstance(message, str) and message else _words(kind)


def message_of(kind: str, data: Mapping[str, Any]) -> str:
    """A short sentence saying what a journal event of ``kind`` (``data``: its JSON) was.

    Built from the event alone (an ``OrderAccepted`` names its order by id
    only), so the same text comes out live and read back from the journal.
    """
    try:
        return _clip(_message(kind, data))
    except (KeyError, TypeError, AttributeError):
        return _words(kind)  # a payload of an unexpected shape says at least what it is


def _message(kind: str, d: Mapping[str, Any]) -> str:
    order = _short(d.get("order_id"))
    if kind == "OrderSubmitted":
        size = d["qty"] if d.get("notional") is None else f"${d['notional']}"
        prices = [
            f"{name} {d[field]}"
            for name, field in (("stop", "stop_price"), ("limit", "limit_price"))
            if d.get(field) is not None
        ]  # "limit 412.5", "stop 400 limit 401"; else the type: "market", "trailing_stop"
        how = " ".join(prices) or d["order_type"]
        return f"{d['side']} {size} {d['symbol']} {how} submitted ({order})"
    if kind == "OrderFilled":
        fill = d["fill"]
        return f"{fill['side']} {fill['qty']} {fill['symbol']} filled at {fill['price']}"
    if kind == "OrderRejected":
        return f"order {order} rejected ({d['reason']}): {d['message']}"
    if kind == "OrderDenied":
        return f"order {order} denied by {d['rule']} (limit {d['limit']}, value {d['value']})"
    if kind == "BreakerTripped":
        return f"breaker {d['breaker']} tripped: {d['message']}"
    if kind == "RiskCommanded":
        reason = d.get("reason")
        return f"risk: {d['action']}" + (f" ({reason})" if reason else "")
    if kind == "RiskAdjusted":
        return f"risk {d['what'].replace('_', ' ')}: {d['message']}"
    if kind == "ReconciliationApplied":
        found = len(json.loads(d["differences"]))
        run = _short(d["run_id"]) + (f", approved by {d['by']}" if d.get("by") else "")
        return f"books reconciled with the broker: {found} difference(s) (run {run})"
    if kind == "OrderCanceled":
        reason = d.get("reason")
        return f"order {order} canceled" + (f": {reason}" if reason else "")
    simple = {
        "OrderAccepted": f"order {order} accepted",
        "OrderExpired": f"order {order} expired",
        "CancelRequested": f"cancel of order {order} requested",
        "ReplaceRequested": f"order {order} to be replaced by {_short(d.get('replacement_id'))}",
        "OrderReplaced": f"order {order} replaced by {_short(d.get('replaced_by'))}",
        "OrderReleased": f"order {order} released for {d.get('qty')}",
        "OrderSized": f"order {order} sized to {d.get('qty')} at {d.get('price')}",
        "AccountConfigured": f"account {_short(d.get('account_id'))} configured",
        "AgentCommanded": f"agent {d.get('agent')}: {d.get('action')}",
    }
    if kind in simple:
        return simple[kind]
    if kind == "AccountOpened":
        cash = d["initial_cash"]
        return f"{d['account_type']} account {_short(d['account_id'])} opened with {cash}"
    if kind == "NewsPosted":
        return f"news on {d['symbols']}: {d['headline']}"
    if kind == "SessionStateChanged":
        reason = d.get("reason")
        return f"session {d['state']} ({d['trigger']})" + (f": {reason}" if reason else "")
    return _words(kind)


def _object(payload: str) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _short(order_id: object) -> str:
    return str(order_id)[:_SHORT_ID] if order_id else "?"


def _words(kind: str) -> str:
    """``SessionStateChanged`` → ``session state changed``."""
    return _CAMEL.sub(" ", kind).lower()


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
