"""Sessions created from a stored body: clones, promotions, reruns and templates.

A creation config is the body of a create request
(:func:`~paperbroker.services.run_record.creation_config`): ``POST
/v1/sessions`` for a backtest, the paper or live route for those. Here it is
read by that very route's schema and created by that very route, so a
session made from a template or a clone is checked and made exactly as one
made by hand; what its schema refuses is a 422 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from paperbroker.api.responses import SessionPublic
from paperbroker.api.routes import live, paper, sessions
from paperbroker.api.routes.catalog import check_strategy
from paperbroker.api.routes.live import LiveSessionCreate
from paperbroker.api.routes.paper import PaperSessionCreate
from paperbroker.api.schemas import SessionCreate
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.promote import rerun_body
from paperbroker.services.sessions import SessionService
from paperbroker.store.keys import ApiKeyRecord
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

#: The create body's schema of each session type.
SCHEMAS: Final[dict[str, type[BaseModel]]] = {
    "backtest": SessionCreate,
    "paper": PaperSessionCreate,
    "live": LiveSessionCreate,
}
_MAX_NAMED = 3


def deep_merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in: objects merge key by key, anything else (a list,
    a number, ``null``) replaces what was there."""
    merged = dict(base)
    for key, value in changes.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def validate(kind: str, config: Mapping[str, Any], where: str = "config") -> BaseModel:
    """``config`` read by the create schema of ``kind`` sessions.

    Raises:
        InvalidRequest: for an unknown type, or what the schema refuses (the message
            names the field under ``where``).
    """
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise InvalidRequest(f"type: unknown session type {kind!r} (backtest, paper, live)")
    try:
        return schema.model_validate(dict(config))
    except ValidationError as error:
        raise InvalidRequest(_describe(error, where)) from None


def create_from(
    service: SessionService, caller: ApiKeyRecord, kind: str, config: Mapping[str, Any]
) -> SessionPublic:
    """Create a ``kind`` session from its create body ``config``, through its create route.

    Raises:
        InvalidRequest: for a body its schema or its route refuses.
        Conflict, TemporaryFailure: as the live route raises them.
    """
    body = validate(kind, config)
    if isinstance(body, SessionCreate):
        return sessions.create_session(body, caller, service)
    if isinstance(body, LiveSessionCreate):
        created: SessionPublic = live.create(body, caller, service)
    else:
        assert isinstance(body, PaperSessionCreate)  # the three schemas above
        created = paper.create(body, caller, service)
    # The /v1 view of it: ``status`` is ``active``/``completed`` there, as everywhere in /v1.
    return SessionPublic.of(service.get(caller.key_id, created.id))


def check_template(kind: str, config: Mapping[str, Any]) -> None:
    """Refuse a template's ``config`` that its type's create schema refuses, but for the
    fields it leaves out (given when a session is created from it); and a strategy's
    parameters its strategy refuses.

    Raises:
        InvalidRequest: naming the field (under ``config``).
    """
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise InvalidRequest(f"type: unknown session type {kind!r} (backtest, paper, live)")
    try:
        schema.model_validate(dict(config))
    except ValidationError as error:
        wrong = [e for e in error.errors() if e.get("type") != "missing"]
        if wrong:
            raise InvalidRequest(_describe(wrong, "config")) from None
    strategy = config.get("strategy")
    if isinstance(strategy, Mapping) and isinstance(strategy.get("name"), str):
        check_strategy(strategy["name"], dict(strategy.get("params") or {}))


def _describe(errors: Sequence[Any] | ValidationError, where: str) -> str:
    if isinstance(errors, ValidationError):
        errors = errors.errors()
    named = []
    for one in errors[:_MAX_NAMED]:
        path = ".".join(str(part) for part in (where, *one.get("loc", ())))
        message = str(one.get("msg", "is invalid")).removeprefix("Value error, ")
        named.append(
            f"{path} is required" if one.get("type") == "missing" else f"{path}: {message}"
        )
    more = len(errors) - len(named)
    return "; ".join(named) + (f" (and {more} more)" if more > 0 else "")


def owned_record(service: SessionService, owner: str, session_id: str) -> SessionRecord:
    """The owner's session's stored record (its type, name and settings).

    Raises:
        NotFound: for a session that does not exist or is another owner's.
    """
    return SessionsRepo(service.factory).get(owner, session_id)


def rerun_session(service: SessionService, caller: ApiKeyRecord, session_id: str) -> SessionPublic:
    """A new backtest from the ended session's run record, run to its end (see
    :func:`~paperbroker.services.promote.rerun_body`).

    Raises:
        NotFound: for another owner's session, or one that has not ended.
        InvalidRequest: when the record's window has no market data now.
    """
    summary = service.history.get(caller.key_id, session_id)
    body = rerun_body(summary.kind, summary.name, summary.run_record)
    created = create_from(service, caller, "backtest", body)
    end = service.runtime(caller.key_id, created.id).spec.end_ns
    service.advance(caller.key_id, created.id, target_ns=end)
    return SessionPublic.of(service.get(caller.key_id, created.id))
