"""The risk use cases: one method per verb, shared by the API and the command line.

Every action on a session's risk (change its rules, override them for a
while, end an override, reset a breaker, use an emergency control) is one
journaled command of the session (``RiskCommanded``, with the key that took
it and why: the kernel replays it after a restart) and one entry in the
owner's audit trail: a ``RiskAction`` system event recording who (the key's
id and label), when (wall time), what (the action and its parameters) and
how it went (``ok``, or ``failed`` with the error's message). A refused
action is audited too, then raised.

The emergency controls act on one session, or on every session of a key
that has not ended, one command per session: a session that fails is
reported with its error and the others go on. Each control is idempotent (a
second ``kill`` finds nothing left to cancel or close).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from paperbroker.core.clock import NANOS_PER_MINUTE, ns_to_datetime
from paperbroker.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PaperbrokerError,
    TemporaryFailure,
)
from paperbroker.data.calendar import NEW_YORK
from paperbroker.risk.guard import RiskOutcome
from paperbroker.risk.monitor import RiskReport, assess
from paperbroker.risk.settings import RiskSettings
from paperbroker.services.events import SystemFeed
from paperbroker.services.sessions import SessionService
from paperbroker.store.system_events import SystemEvents

if TYPE_CHECKING:
    from paperbroker.risk.guard import RiskSnapshot
    from paperbroker.session.runtime import SessionRuntime

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The kind of the system events that make the audit trail.
AUDIT_KIND: Final = "RiskAction"
#: The emergency controls, as ``POST .../emergency`` names them.
EMERGENCY_ACTIONS: Final = ("cancel_all", "close_all", "kill", "reduce", "tighten_stops")
#: The controls that take a ``percent``.
_PERCENT_ACTIONS: Final = frozenset({"reduce", "tighten_stops"})
#: The most audit entries one page lists.
MAX_AUDIT_PAGE: Final = 500


class Actor(NamedTuple):
    """Who acts: a key's id and its label (what the audit trail names)."""

    key_id: str
    name: str


@dataclass(frozen=True)
class RiskState:
    """A session's risk as one read sees it: its rules, what the guard holds, what the
    monitor measures."""

    session_id: str
    settings: RiskSettings
    effective: RiskSettings
    override: tuple[RiskSettings, int] | None
    snapshot: RiskSnapshot
    report: RiskReport


class EmergencyOutcome(NamedTuple):
    """What an emergency control did to one session: the kernel's account of it."""

    session_id: str
    outcome: RiskOutcome


class EmergencyFailure(NamedTuple):
    """A session an emergency control could not act on: the error's code and message."""

    session_id: str
    code: int
    message: str


class OverviewRow(NamedTuple):
    """One session's risk at a glance."""

    session_id: str
    name: str
    type: str
    state: str
    halted: bool
    tripped: tuple[str, ...]
    gross: Decimal
    net: Decimal
    equity: Decimal
    max_usage_ratio: Decimal | None
    denials_today: int


class AuditEntry(NamedTuple):
    """One action of the audit trail (``at``: wall time, epoch ns)."""

    id: int
    at: int
    session_id: str | None
    by: str
    by_name: str
    action: str
    params: Mapping[str, Any]
    reason: str
    outcome: str
    message: str


class AuditPage(NamedTuple):
    """Audit entries, newest first, and the ``before`` of the next page (``None``: the last)."""

    entries: list[AuditEntry]
    next: int | None


#: The ``code`` of each error the API answers, for the failures of a control on every session.
_CODES: Final[tuple[tuple[type[PaperbrokerError], int], ...]] = (
    (NotFound, 40410000),
    (Conflict, 40910000),
    (InvalidRequest, 42210000),
    (TemporaryFailure, 50310000),
)


def failure_code(error: PaperbrokerError) -> int:
    """The ``code`` the API answers ``error`` with (``40910000`` for a conflict)."""
    return next((code for kind, code in _CODES if isinstance(error, kind)), 50010000)


class RiskService:
    """Read and steer the risk of an owner's sessions, auditing every action.

    Args:
        sessions: the session service (the owner's sessions, their runtimes).
        system: the owners' system streams the audit trail is written to
            (default: the service's, or one of its own on the service's database).
    """

    def __init__(self, sessions: SessionService, system: SystemFeed | None = None) -> None:
        self._sessions = sessions
        self._system = system or sessions.system or SystemFeed(SystemEvents(sessions.factory))

    # -- reading --------------------------------------------------------------------
    def view(self, owner: str, session_id: str) -> RiskState:
        """The session's risk: rules, breakers, denials, usage and exposure.

        Raises:
            NotFound: if the owner has no such session.
        """
        return _state(session_id, self._sessions.runtime(owner, session_id))

    def overview(self, owner: str) -> list[OverviewRow]:
        """Each of the owner's sessions' risk at a glance, oldest session first."""
        rows = []
        for view in self._sessions.list(owner):
            runtime = self._sessions.runtime(owner, view.id)
            state = _state(view.id, runtime)
            snapshot, exposure = state.snapshot, state.report.exposure
            ratios = [usage.ratio for usage in state.report.usage]
            rows.append(
                OverviewRow(
                    session_id=view.id,
                    name=view.name,
                    type=view.type,
                    state=view.state,
                    halted=snapshot.halted,
                    tripped=tuple(b.name for b in snapshot.breakers if b.tripped),
                    gross=exposure.gross,
                    net=exposure.net,
                    equity=exposure.equity,
                    max_usage_ratio=max(ratios, default=None),
                    denials_today=_today(snapshot, runtime.now_ns),
                )
            )
        return rows

    def audit(
        self,
        owner: str,
        *,
        session_id: str | None = None,
        limit: int = 100,
        before: int | None = None,
    ) -> AuditPage:
        """The owner's audit trail, newest first: ``limit`` entries before ``before``.

        Raises:
            InvalidRequest: for a limit outside 1..500.
        """
        if not 1 <= limit <= MAX_AUDIT_PAGE:
            raise InvalidRequest(f"limit must be in 1..{MAX_AUDIT_PAGE}, got {limit}")
        events = self._system.events.read_kind(
            owner, AUDIT_KIND, session_id=session_id, before_seq=before, limit=limit + 1
        )
        entries = [_entry(event.seq, event.ts, event.session_id, event.payload)
                   for event in events[:limit]]  # fmt: skip
        return AuditPage(entries, entries[-1].id if len(events) > limit else None)

    # -- changing ---------------------------------------------------------------------
    def configure(
        self, actor: Actor, session_id: str, changes: Mapping[str, Any], reason: str
    ) -> RiskState:
        """Change the session's rules: the groups and rules ``changes`` names.

        Raises:
            NotFound: if the actor has no such session.
            InvalidRequest: naming the rule that is wrong (``settings.limits.x: ...``).
            Conflict: if the session has ended.
        """

        def act(runtime: SessionRuntime) -> None:
            merged = runtime.kernel.risk.settings.merged(changes, "settings")
            runtime.risk_command("configure", {"settings": _changed(merged, changes)},
                                 by=actor.key_id, reason=reason)  # fmt: skip

        runtime, _ = self._act(actor, session_id, "configure", {"settings": dict(changes)},
                               reason, act)  # fmt: skip
        return _state(session_id, runtime)

    def override(
        self,
        actor: Actor,
        session_id: str,
        changes: Mapping[str, Any],
        reason: str,
        *,
        until_ns: int | None = None,
        minutes: Decimal | None = None,
    ) -> RiskState:
        """Put rules over the session's own until ``until_ns`` (session time), or for
        ``minutes`` of session time from now; the override lapses by itself.

        Raises:
            NotFound: if the actor has no such session.
            InvalidRequest: for a rule that is wrong, both ends or neither, or an end
                that is not in the session's future.
            Conflict: if the session has ended.
        """
        params: dict[str, Any] = {"settings": dict(changes)}
        if minutes is not None:
            params["minutes"] = str(minutes)
        if until_ns is not None:
            params["until"] = until_ns

        def act(runtime: SessionRuntime) -> None:
            if minutes is not None and until_ns is None:
                end = runtime.now_ns + int(minutes * NANOS_PER_MINUTE)
            elif until_ns is not None and minutes is None:
                end = until_ns
            else:
                raise InvalidRequest("give until or minutes, one of them")
            if end <= runtime.now_ns:
                raise InvalidRequest(
                    f"until must be after the session's time {ns_to_datetime(runtime.now_ns)}"
                )
            merged = runtime.kernel.risk.settings.merged(changes, "settings")
            runtime.risk_command(
                "override", {"settings": _changed(merged, changes), "until": end},
                by=actor.key_id, reason=reason,
            )  # fmt: skip

        runtime, _ = self._act(actor, session_id, "override", params, reason, act)
        return _state(session_id, runtime)

    def clear_override(self, actor: Actor, session_id: str, reason: str) -> RiskState:
        """End the session's override now (none: nothing changes, and it is audited).

        Raises:
            NotFound: if the actor has no such session.
            Conflict: if the session has ended.
        """

        def act(runtime: SessionRuntime) -> None:
            runtime.risk_command("clear_override", {}, by=actor.key_id, reason=reason)

        runtime, _ = self._act(actor, session_id, "clear_override", {}, reason, act)
        return _state(session_id, runtime)

    def reset_breaker(self, actor: Actor, session_id: str, breaker: str, reason: str) -> RiskState:
        """Reset a tripped breaker (``all``: every one), so new entries are taken again.

        Raises:
            NotFound: if the actor has no such session.
            InvalidRequest: for a breaker the session does not have.
            Conflict: if the session has ended.
        """

        def act(runtime: SessionRuntime) -> None:
            runtime.risk_command("reset_breaker", {"breaker": breaker},
                                 by=actor.key_id, reason=reason)  # fmt: skip

        runtime, _ = self._act(
            actor, session_id, "reset_breaker", {"breaker": breaker}, reason, act
        )
        return _state(session_id, runtime)

    def emergency(
        self,
        actor: Actor,
        session_id: str,
        action: str,
        *,
        percent: Decimal | None = None,
        reason: str = "",
    ) -> EmergencyOutcome:
        """Use an emergency control on the session (see :data:`EMERGENCY_ACTIONS`).

        Raises:
            NotFound: if the actor has no such session.
            InvalidRequest: for an unknown action, or a percent it needs and lacks
                (or takes and is given).
            Conflict: if the session has ended.
        """
        given = {} if percent is None else {"percent": str(percent)}

        def act(runtime: SessionRuntime) -> EmergencyOutcome:
            params = _emergency_params(action, percent)
            outcome = runtime.risk_command(action, params, by=actor.key_id, reason=reason)
            return EmergencyOutcome(session_id, outcome)

        return self._act(actor, session_id, action, given, reason, act)[1]

    def emergency_all(
        self, actor: Actor, action: str, *, percent: Decimal | None = None, reason: str = ""
    ) -> tuple[list[EmergencyOutcome], list[EmergencyFailure]]:
        """Use an emergency control on every session of the actor's key that has not
        ended, one after the other; a session that fails is reported and the others go on.

        Raises:
            InvalidRequest: for an unknown action or a wrong percent (before any session;
                audited without one).
        """
        try:
            _emergency_params(action, percent)
        except InvalidRequest as error:
            given = {} if percent is None else {"percent": str(percent)}
            self._audit(actor, None, action, given, reason, "failed", str(error))
            raise
        done: list[EmergencyOutcome] = []
        failed: list[EmergencyFailure] = []
        for view in self._sessions.list(actor.key_id):
            if view.status == "completed":
                continue
            try:
                done.append(self.emergency(actor, view.id, action, percent=percent, reason=reason))
            except PaperbrokerError as error:
                failed.append(EmergencyFailure(view.id, failure_code(error), str(error)))
        return done, failed

    # -- internals ------------------------------------------------------------------------
    def _act(
        self,
        actor: Actor,
        session_id: str,
        action: str,
        params: Mapping[str, Any],
        reason: str,
        act: Callable[[SessionRuntime], T],
    ) -> tuple[SessionRuntime, T]:
        """Run ``act`` on the session's runtime and audit it, whether it worked or not."""
        runtime = self._sessions.runtime(actor.key_id, session_id)  # NotFound: not audited
        try:
            with runtime.locked():  # what it reads of the session stays as it read it
                result = act(runtime)
        except PaperbrokerError as error:
            self._audit(actor, session_id, action, params, reason, "failed", str(error))
            raise
        self._audit(actor, session_id, action, params, reason, "ok", _done(action, result))
        return runtime, result

    def _audit(
        self,
        actor: Actor,
        session_id: str | None,
        action: str,
        params: Mapping[str, Any],
        reason: str,
        outcome: str,
        message: str,
    ) -> None:
        payload: dict[str, object] = {
            "by": actor.key_id, "by_name": actor.name, "action": action,
            "params": dict(params), "reason": reason, "outcome": outcome,
            "message": message,
        }  # fmt: skip
        try:
            self._system.record(
                actor.key_id, AUDIT_KIND, payload, session_id=session_id,
                severity="warning" if outcome == "failed" else None,
            )  # fmt: skip
        except PaperbrokerError:
            log.exception("could not audit %s on session %s", action, session_id)


def _state(session_id: str, runtime: SessionRuntime) -> RiskState:
    with runtime.locked():
        guard = runtime.kernel.risk
        effective, snapshot = guard.effective, guard.snapshot()
        report = assess(
            runtime.kernel, effective, peak_equity=snapshot.peak_equity,
            day_start_equity=snapshot.day_start_equity,
            consecutive_losses=snapshot.consecutive_losses, opened_at=snapshot.opened_at,
        )  # fmt: skip
        return RiskState(
            session_id=session_id,
            settings=guard.settings,
            effective=effective,
            override=guard.override,
            snapshot=snapshot,
            report=report,
        )


def _changed(merged: RiskSettings, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The groups ``changes`` names, as ``merged`` reads them (canonical JSON, checked)."""
    document = merged.to_json()
    return {group: document[group] for group in changes}


def _emergency_params(action: str, percent: Decimal | None) -> dict[str, Any]:
    if action not in EMERGENCY_ACTIONS:
        raise InvalidRequest(f"action {action[:32]!r} is not one of {', '.join(EMERGENCY_ACTIONS)}")
    if action in _PERCENT_ACTIONS:
        if percent is None:
            raise InvalidRequest(f"percent: {action} needs one")
        if not 0 < percent <= 100:
            raise InvalidRequest(f"percent: must be above 0 and at most 100, got {percent}")
        return {"percent": str(percent)}
    if percent is not None:
        raise InvalidRequest(f"percent: {action} takes none")
    return {}


def _done(action: str, result: object) -> str:
    """What an action that worked did, for the audit: an emergency control's own account
    of it with its counts, or what a change of the rules amounts to."""
    if isinstance(result, EmergencyOutcome):
        outcome = result.outcome
        counts = f"{len(outcome.canceled)} canceled, {len(outcome.submitted)} submitted"
        return f"{outcome.message} ({counts})" if outcome.message else counts
    return {
        "configure": "risk settings changed",
        "override": "override in force",
        "clear_override": "override ended",
        "reset_breaker": "breaker reset",
    }.get(action, f"{action} done")


def _today(snapshot: RiskSnapshot, now_ns: int) -> int:
    """The denials since the session's day (New York) began."""
    day = ns_to_datetime(now_ns).astimezone(NEW_YORK).date()
    return sum(
        1 for denial in snapshot.denials
        if ns_to_datetime(denial.ts).astimezone(NEW_YORK).date() == day
    )  # fmt: skip


def _entry(seq: int, ts: int, session_id: str | None, payload: str) -> AuditEntry:
    data = json.loads(payload)
    return AuditEntry(
        id=seq, at=ts, session_id=session_id, by=str(data.get("by", "")),
        by_name=str(data.get("by_name", "")), action=str(data.get("action", "")),
        params=data.get("params") or {}, reason=str(data.get("reason", "")),
        outcome=str(data.get("outcome", "")), message=str(data.get("message", "")),
    )  # fmt: skip


__all__ = [
    "AUDIT_KIND",
    "EMERGENCY_ACTIONS",
    "Actor",
    "AuditEntry",
    "AuditPage",
    "EmergencyFailure",
    "EmergencyOutcome",
    "OverviewRow",
    "RiskService",
    "RiskState",
]
