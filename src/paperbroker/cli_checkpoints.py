"""``paperbroker checkpoints list|create|cleanup SESSION``: a session's checkpoints, from the
machine the server runs on.

The commands use the server's database (its settings) through the session
service's :class:`~paperbroker.session.state_manager.StateManager`, as the
API does, and print what ``/v1/sessions/{id}/checkpoints`` answers
(``--json``: the same JSON). ``create`` writes a checkpoint as of the last
journaled event: while the server runs the session, that is the state the
journal holds now. See docs/recovery.md.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from paperbroker.cli_help import Cli
from paperbroker.cli_sessions import JsonOption, _errors, _open, _out, escape

checkpoints_app = Cli(help="A session's checkpoints (docs/recovery.md).", no_args_is_help=True)

SessionArgument = Annotated[str, typer.Argument(metavar="SESSION", help="The session's id.")]


@checkpoints_app.command("list")
def checkpoints_list(session_id: SessionArgument, as_json: JsonOption = False) -> None:
    """List a session's checkpoints, newest first, with their count, size and the last
    restore."""
    from paperbroker.api.checkpoint_schemas import CheckpointsPublic

    with _errors(), _open() as db:
        record = db.record(session_id)
        state = db.service.state
        found = CheckpointsPublic.of(record.id, state.list(record.id), state.stats(record.id))
    if as_json:
        typer.echo(json.dumps(found.model_dump(mode="json"), indent=2))
        return
    out = _out()
    stats = found.stats
    out.print(f"session {found.session_id}: {stats.count} checkpoint(s), {stats.total_size} bytes")
    for c in found.checkpoints:
        out.print(f"seq {c.seq}  {c.created_at}  {escape(c.reason)}  {c.size} bytes")


@checkpoints_app.command("create")
def checkpoints_create(session_id: SessionArgument, as_json: JsonOption = False) -> None:
    """Write a checkpoint of a session now (as of its last journaled event)."""
    from paperbroker.api.checkpoint_schemas import CheckpointPublic
    from paperbroker.core.errors import Conflict
    from paperbroker.core.snapshot import NotSnapshottable

    with _errors(), _open() as db:
        record = db.record(session_id)
        try:
            info = db.service.state.create(record.id, "manual")
        except NotSnapshottable as exc:
            raise Conflict(f"no checkpoint of session {record.id}: {exc}") from None
    written = CheckpointPublic.of(info)
    if as_json:
        typer.echo(json.dumps(written.model_dump(mode="json")))
    else:
        _out().print(f"checkpoint at seq {written.seq} ({written.size} bytes)")


@checkpoints_app.command("cleanup")
def checkpoints_cleanup(
    session_id: SessionArgument,
    keep_count: Annotated[
        int, typer.Option("--keep-count", min=1, help="Keep the newest this many.")
    ] = 100,
    older_than_hours: Annotated[
        float | None,
        typer.Option("--older-than-hours", min=0, help="Also delete those older than this."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a session's older checkpoints (the newest always stays)."""
    with _errors(), _open() as db:
        record = db.record(session_id)
        deleted = db.service.state.cleanup(record.id, keep_count, older_than_hours)
    if as_json:
        typer.echo(json.dumps({"session_id": record.id, "deleted": deleted}))
    else:
        _out().print(f"{deleted} checkpoint(s) deleted")
