"""The reconciliation use cases: run one now, list a session's runs, approve a halted one.

A run compares a live session's books with its broker's
(:mod:`paperbroker.session.reconcile`), records itself in
``reconciliation_runs`` whatever it found, and does what the session's
policy (``broker.reconcile.policy``) says about the differences:

- ``adopt``: the broker's updates (missed fills, orders done there) are
  journaled as ``BrokerReported`` and applied the ordinary way, then a
  ``ReconciliationApplied`` sets the positions and cash left to adopt; the
  run is ``adopted``;
- ``halt``: the session is paused (trading halts, its reason names the run)
  and the run is ``halted`` until an operator approves it (:meth:`approve`:
  its adjustments are applied, ``by`` the approver, and a session the
  reconciliation paused resumes). A later run takes the place of a halted
  one still pending.

A run reads the session's books under its command lock, then the broker's
(:func:`~paperbroker.services.reconcile_broker.read_broker`, without the
lock: the session trades on meanwhile), then applies under the lock only if
the books did not move in between (else it reads again), so it never adopts a
broker view older than the books it corrects.

Runs are started by hand (the API, the command line), and by a live
session's reconciler (:mod:`paperbroker.services.reconcile_schedule`) at
the start of its broker link, after every reconnection and every
``broker.reconcile.interval_seconds``.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from paperbroker.broker.adapter import BrokerAdapter, BrokerRefused, BrokerUnavailable
from paperbroker.core.errors import Conflict, InvalidRequest, TemporaryFailure
from paperbroker.model.events import SessionStateChanged
from paperbroker.services.reconcile_broker import BrokerWindow, read_broker
from paperbroker.session.lifecycle import SessionState
from paperbroker.session.reconcile import (
    TRIGGERS,
    BrokerBooks,
    Difference,
    LocalBooks,
    Policy,
    differences_json,
    read_differences,
    reconcile,
)
from paperbroker.session.reconcile_adjust import adjustments, outcome
from paperbroker.session.reconcile_books import local_books
from paperbroker.store.reconciliations import MAX_RUNS, ReconciliationRecord, ReconciliationRuns

if TYPE_CHECKING:
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.runtime import SessionRuntime

log = logging.getLogger(__name__)

#: How a session paused by a reconciliation says so (its pause's reason starts with it).
PAUSE_REASON: Final = "reconciliation run "
#: How often a run reads again when the session's books moved while it read the broker's.
MAX_ATTEMPTS: Final = 3

#: Opens a new adapter to a live session's broker, for ``owner`` (the caller closes it).
AdapterOpener = Callable[[str, "SessionRuntime"], BrokerAdapter]


@dataclass(frozen=True)
class Reconciliation:
    """One run: its record and its differences, read."""

    record: ReconciliationRecord
    differences: list[Difference]

    @classmethod
    def of(cls, record: ReconciliationRecord) -> Reconciliation:
        return cls(record, read_differences(record.differences))


def policy_of(broker: Mapping[str, Any] | None) -> Policy:
    """A live session's reconciliation policy, from its broker settings: as set, else
    ``halt`` for real money (the ``live`` endpoint) and ``adopt`` otherwise."""
    settings = broker or {}
    policy = (settings.get("reconcile") or {}).get("policy")
    if policy in ("adopt", "halt"):
        return "adopt" if policy == "adopt" else "halt"
    return "halt" if settings.get("endpoint") == "live" else "adopt"


def interval_of(broker: Mapping[str, Any] | None) -> float:
    """Seconds between two scheduled runs (``broker.reconcile.interval_seconds``, 60)."""
    value = ((broker or {}).get("reconcile") or {}).get("interval_seconds", 60)
    return float(value) if isinstance(value, int | float) and value > 0 else 60.0


class ReconcileService:
    """Reconciliation runs of live sessions (see the module doc).

    ``open_adapter`` opens a session's broker for a run asked for by hand (by
    default the session service's, with the owner's stored credential).
    """

    def __init__(
        self,
        sessions: SessionService,
        *,
        runs: ReconciliationRuns | None = None,
        open_adapter: AdapterOpener | None = None,
    ) -> None:
        self._sessions = sessions
        self.runs = runs or ReconciliationRuns(sessions.factory)
        self._open = open_adapter or _session_adapter(sessions)

    # -- use cases ------------------------------------------------------------------
    def run(self, owner: str, session_id: str, trigger: str = "manual") -> Reconciliation:
        """Reconcile the owner's live session with its broker now; return the run.

        Raises:
            NotFound: for a session that is not the owner's.
            Conflict: for a session that is not live, or has ended.
            TemporaryFailure: if the broker cannot be reached, or its books kept moving.
            InvalidRequest: if the broker refuses the session's credential.
        """
        runtime = self._live(owner, session_id)
        adapter = self._open(owner, runtime)
        try:
            return self.reconcile(runtime, adapter, trigger, owner=owner)
        finally:
            adapter.close()

    def list(
        self, owner: str, session_id: str, limit: int = MAX_RUNS
    ) -> builtins.list[Reconciliation]:
        """The owner's live session's runs, newest first.

        Raises:
            NotFound: for a session that is not the owner's.
            Conflict: for a session that is not live.
        """
        self._live(owner, session_id)
        return [Reconciliation.of(r) for r in self.runs.of_session(session_id, limit)]

    def pending(self, owner: str, session_id: str) -> Reconciliation | None:
        """The owner's live session's halted run awaiting approval, if any.

        Raises:
            NotFound: for a session that is not the owner's.
            Conflict: for a session that is not live.
        """
        self._live(owner, session_id)
        record = self.runs.pending(session_id)
        return None if record is None else Reconciliation.of(record)

    def approve(self, owner: str, session_id: str, run_id: str, by: str) -> Reconciliation:
        """Apply a halted run's adjustments (journaled, ``by`` the approver), mark it
        approved, and resume the session if a reconciliation paused it.

        Raises:
            NotFound: for a session that is not the owner's, or a run it does not have.
            Conflict: for a session that is not live or has ended, or a run that is
                not pending (clean, adopted, approved, or superseded by a later run).
        """
        runtime = self._live(owner, session_id)
        with runtime.locked():
            record = self.runs.get(session_id, run_id)
            if not record.pending:
                resolved = f", {record.resolved_by}" if record.resolved_by else ""
                raise Conflict(
                    f"reconciliation run {run_id} is {record.outcome}{resolved}: "
                    "only a halted run awaiting approval can be approved"
                )
            differences = read_differences(record.differences)
            self._apply(runtime, run_id, differences, by)
            approved = self.runs.approve(session_id, run_id, runtime.now_ns, by)
        if runtime.state is SessionState.PAUSED and _paused_by_reconciliation(runtime):
            self._sessions.resume(owner, session_id)
        return Reconciliation.of(approved)

    # -- a run ------------------------------------------------------------------------
    def reconcile(
        self,
        runtime: SessionRuntime,
        adapter: BrokerAdapter,
        trigger: str,
        *,
        owner: str | None = None,
        window: BrokerWindow | None = None,
    ) -> Reconciliation:
        """One run of ``runtime`` against ``adapter`` (see the module doc); ``window``
        is where the broker's history is read from (moved on by the run).

        Raises:
            ValueError: for an unknown trigger.
            InvalidRequest: if the broker refuses the session's credential.
            Conflict: for a session that has ended.
            TemporaryFailure: if the broker cannot be reached, or the books kept moving.
        """
        if trigger not in TRIGGERS:
            raise ValueError(f"unknown reconciliation trigger {trigger!r}")
        spec = runtime.spec
        window = window or BrokerWindow()
        for _attempt in range(MAX_ATTEMPTS):
            with runtime.locked():
                _check_open(runtime)
                local = local_books(runtime.kernel)
            broker = _read(adapter, local, window)
            with runtime.locked():
                _check_open(runtime)
                if local_books(runtime.kernel) != local:
                    continue  # the books moved while the broker was read: again
                differences = reconcile(local, broker)
                policy = policy_of(spec.broker)
                result = outcome(differences, policy)
                run_id = self.runs.new_id()
                if result == "adopted":
                    self._apply(runtime, run_id, differences, "")
                elif result == "halted":
                    self._halt(runtime, run_id, len(differences), owner)
                record = ReconciliationRecord(
                    run_id, spec.session_id, runtime.now_ns, trigger, policy, result,
                    differences_json(differences),
                )  # fmt: skip
                return Reconciliation.of(self.runs.add(record))
        raise TemporaryFailure(
            f"session {spec.session_id}: its books moved under {MAX_ATTEMPTS} reconciliations "
            "in a row: reconcile again later"
        )

    def _apply(
        self, runtime: SessionRuntime, run_id: str, differences: Sequence[Difference], by: str
    ) -> None:
        """Journal the broker's updates (the ordinary path applies them once), then the
        positions and cash left to adopt."""
        adopt = adjustments(differences, runtime.now_ns)
        if adopt.reports:
            runtime.broker_report(adopt.reports)
        runtime.apply_reconciliation(run_id, differences_json(differences), adopt.to_json(), by)

    def _halt(self, runtime: SessionRuntime, run_id: str, found: int, owner: str | None) -> None:
        """Pause the session (its reason names the run) unless it is paused already."""
        if runtime.state is not SessionState.RUNNING:
            return
        reason = f"{PAUSE_REASON}{run_id}: {found} difference(s) with the broker await approval"
        owner = owner or self._sessions.owner_of(runtime.spec.session_id)
        self._sessions.suspend(owner, runtime.spec.session_id, reason=reason)

    def _live(self, owner: str, session_id: str) -> SessionRuntime:
        runtime = self._sessions.runtime(owner, session_id)
        if runtime.spec.kind != "live":
            raise Conflict(
                f"session {session_id} is a {runtime.spec.kind} session: only a live session "
                "is reconciled with a broker"
            )
        return runtime


def _check_open(runtime: SessionRuntime) -> None:
    if runtime.ended:
        raise Conflict(f"the session is {runtime.state}: it is no longer reconciled")
    if runtime.diverged is not None:
        raise Conflict(f"the session is read-only: {runtime.diverged}")


def _read(adapter: BrokerAdapter, local: LocalBooks, window: BrokerWindow) -> BrokerBooks:
    try:
        return read_broker(adapter, local, window)
    except BrokerUnavailable as error:
        raise TemporaryFailure(f"the broker could not be reached: {error}") from None
    except BrokerRefused as error:
        raise InvalidRequest(f"the broker refused the reconciliation's reads: {error}") from None


def _paused_by_reconciliation(runtime: SessionRuntime) -> bool:
    """Whether the session's last move was a reconciliation's pause."""
    with runtime.locked():
        for event in reversed(runtime.kernel.events):
            if isinstance(event, SessionStateChanged):
                return event.state == SessionState.PAUSED.value and event.reason.startswith(
                    PAUSE_REASON
                )
    return False


def _session_adapter(sessions: SessionService) -> AdapterOpener:
    """The session service's way to a live session's broker, with the owner's credential."""

    def open_adapter(owner: str, runtime: SessionRuntime) -> BrokerAdapter:
        from paperbroker.broker.settings import BrokerSettings

        settings = BrokerSettings.read(runtime.spec.broker)
        adapter: BrokerAdapter = sessions._adapter(owner, settings)
        return adapter

    return open_adapter


__all__ = [
    "MAX_ATTEMPTS",
    "PAUSE_REASON",
    "AdapterOpener",
    "ReconcileService",
    "Reconciliation",
    "interval_of",
    "policy_of",
]
