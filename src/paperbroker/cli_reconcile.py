"""``paperbroker reconcile SESSION``: a live session's books checked against its broker's,
from the machine the server runs on.

The command goes through the reconciliation use cases the API serves
(:class:`~paperbroker.services.reconcile.ReconcileService`) on the settings'
database, as the key that owns the session: it reads the broker with the
session's stored credential (opened with the server's secret key,
``PAPERBROKER_SECRET_KEY`` or ``data_dir/secret.key``), compares, records the
run, and does what the session's policy says (adopt, or halt trading until
approved). ``--approve`` approves the session's halted run instead: its
adjustments are applied and a session the reconciliation paused resumes.
No broker link runs here: the session's orders and fills move only as the
run (or approval) journals them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from paperbroker.cli_sessions import JsonOption, _errors, _open, _out, escape

if TYPE_CHECKING:
    from paperbroker.services.reconcile import Reconciliation

#: Who a run approved here is approved by (with the owning key's id).
CLI_APPROVER = "command line"


def reconcile(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="The live session.")],
    approve: Annotated[
        bool,
        typer.Option("--approve", help="Approve the session's halted run instead of running one."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Reconcile a live session with its broker now, and show what differed.

    The session's policy decides: ``adopt`` takes the broker's figures at once,
    ``halt`` pauses trading until the run is approved (``--approve``).
    """
    with _errors():
        from paperbroker.cli_common import _credential_store
        from paperbroker.core.errors import Conflict
        from paperbroker.services.reconcile import ReconcileService

        with _open() as db:
            record = db.record(session_id)
            service = db.service
            service.credentials = _credential_store(db.settings, db.factory)
            reconciler = ReconcileService(service)
            owner = record.owner_key_id
            if approve:
                pending = reconciler.pending(owner, record.id)
                if pending is None:
                    raise Conflict(f"session {record.id} has no halted run awaiting approval")
                by = f"{CLI_APPROVER} ({owner})"
                run = reconciler.approve(owner, record.id, pending.record.id, by)
            else:
                run = reconciler.run(owner, record.id, "manual")
            state = service.runtime(owner, record.id).state.value
    print_run(run, state, as_json)


def print_run(run: Reconciliation, state: str, as_json: bool) -> None:
    """The run as a line and a table of its differences (``paperbroker run`` prints it too)."""
    from rich.table import Table

    from paperbroker.api.routes.reconcile import ReconciliationPublic

    view = ReconciliationPublic.of(run)
    if as_json:
        typer.echo(json.dumps({**view.model_dump(mode="json"), "session_state": state}, indent=2))
        return
    out = _out()
    line = f"run {view.id} ({view.trigger}, policy {view.policy}): {view.outcome}"
    if view.resolved_by:
        line += f" by {escape(view.resolved_by)}"
    out.print(line)
    if view.differences:
        table = Table("kind", "symbol", "order", "here", "broker", "what")
        for difference in view.differences:
            table.add_row(
                difference.kind.value,
                difference.symbol,
                escape(difference.order_id or difference.broker_order_id or ""),
                escape(_figures(difference.local)),
                escape(_figures(difference.broker)),
                escape(difference.message),
            )
        out.print(table)
    else:
        out.print("no differences: the books agree with the broker's")
    out.print(f"session {view.session_id}: {state}")


def _figures(values: dict[str, str] | None) -> str:
    if not values:
        return ""
    return ", ".join(f"{k} {v}" for k, v in values.items() if k not in ("working",))


__all__ = ["reconcile"]
