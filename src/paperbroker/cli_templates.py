"""``paperbroker templates …``: session templates, from the database.

The commands open the settings' database (``PAPERBROKER_DATABASE_URL``, or
``--db``) and act for one key: ``--key``, or else the server's admin key.
They go through the code the API uses (docs/templates.md): a template's
configuration is checked as ``POST /v1/templates`` checks it, and a session
is created from one as ``POST /v1/templates/{id}/sessions`` creates it.

Errors are one line on stderr: exit code 2 for bad input, 1 for anything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperbroker.cli_help import Cli
from paperbroker.cli_history import DbOption, cli_errors, open_database

if TYPE_CHECKING:
    from paperbroker.services.templates import Template, TemplateService
    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory
    from paperbroker.store.keys import ApiKeyRecord

templates_app = Cli(
    help="Session templates of one key (the admin key unless --key): list, show, save, "
    "delete, create a session.",
    no_args_is_help=True,
)

KeyOption = Annotated[
    str | None,
    typer.Option("--key", metavar="KEY_ID", help="The key whose templates (default: admin)."),
]


@dataclass
class _Ctx:
    settings: Settings
    factory: SessionFactory
    owner: ApiKeyRecord
    templates: TemplateService


@contextmanager
def _open(key: str | None, db: str | None) -> Iterator[_Ctx]:
    from paperbroker.core.errors import NotFound
    from paperbroker.services.templates import TemplateService
    from paperbroker.store.keys import ApiKeys

    with cli_errors(), open_database(db) as (settings, factory):
        keys = ApiKeys(factory)
        if key is not None:
            owner = keys.get(key)
        else:
            admins = [k for k in keys.list() if k.is_admin and k.active]
            if not admins:
                raise NotFound("no admin key: name the key with --key")
            owner = admins[0]
        yield _Ctx(settings, factory, owner, TemplateService(factory))


def _json(template: Template) -> dict[str, Any]:
    from paperbroker.api.routes.templates import TemplatePublic

    return TemplatePublic.of(template).model_dump(mode="json")


@templates_app.command("list")
def templates_list(key: KeyOption = None, db: DbOption = None) -> None:
    """List the built-in templates, then the key's."""
    from rich.table import Table

    from paperbroker.cli_sessions import _out, escape

    with _open(key, db) as ctx:
        found = ctx.templates.list(ctx.owner.key_id)
    table = Table(title="Templates")
    for column in ("id", "name", "type", "built-in", "description"):
        table.add_column(column, overflow="fold")
    for t in found:
        table.add_row(
            t.id, escape(t.name), t.kind, "yes" if t.builtin else "", escape(t.description)
        )
    _out().print(table)


@templates_app.command("show")
def templates_show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name or id.")],
    key: KeyOption = None,
    db: DbOption = None,
) -> None:
    """Print a template as JSON, as the API answers it."""
    with _open(key, db) as ctx:
        found = ctx.templates.find(ctx.owner.key_id, name)
    typer.echo(json.dumps(_json(found), indent=2))


@templates_app.command("save")
def templates_save(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="A session's id.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The template's name.")],
    description: Annotated[str, typer.Option(help="What it is for.")] = "",
    key: KeyOption = None,
    db: DbOption = None,
) -> None:
    """Save a session's configuration (of the key's sessions) as a template."""
    from paperbroker.api.session_bodies import check_template
    from paperbroker.cli_history import _canonical
    from paperbroker.services.run_record import creation_config
    from paperbroker.store.sessions_repo import SessionsRepo

    with _open(key, db) as ctx:
        record = SessionsRepo(ctx.factory).get(ctx.owner.key_id, _canonical(session_id))
        config = creation_config(record)
        check_template(record.kind, config)
        saved = ctx.templates.create(
            ctx.owner.key_id, name=name, description=description, kind=record.kind, config=config
        )
    typer.echo(f"saved template {saved.name!r} ({saved.id})")


@templates_app.command("delete")
def templates_delete(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name or id.")],
    key: KeyOption = None,
    db: DbOption = None,
) -> None:
    """Delete one of the key's templates (built-in ones cannot be deleted)."""
    with _open(key, db) as ctx:
        found = ctx.templates.find(ctx.owner.key_id, name)
        ctx.templates.delete(ctx.owner.key_id, found.id)
    typer.echo(f"deleted template {found.name!r}")


@templates_app.command("create-session")
def templates_create_session(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A template's name or id.")],
    change: Annotated[
        list[str] | None,
        typer.Option(
            "--change",
            metavar="PATH=VALUE",
            help="A change to the config, e.g. startTime=2012-01-03T14:30:00Z or "
            "strategy.params.fast=5 (a JSON value, else text); repeatable.",
        ),
    ] = None,
    key: KeyOption = None,
    db: DbOption = None,
) -> None:
    """Create a session from a template with changes; print the new session's id."""
    from paperbroker.api.session_bodies import create_from, deep_merge
    from paperbroker.cli_sessions import _offline_service

    with _open(key, db) as ctx:
        changes = parse_changes(change or [])
        template = ctx.templates.find(ctx.owner.key_id, name)
        config = deep_merge({"name": template.name, **template.config}, changes)
        service = _offline_service(ctx.settings, ctx.factory)
        try:
            created = create_from(service, ctx.owner, template.kind, config)
        finally:
            service.shutdown()
    typer.echo(created.id)


def parse_changes(pairs: list[str]) -> dict[str, Any]:
    """``a.b=1`` pairs as ``{"a": {"b": 1}}``: each value read as JSON, else as text.

    Raises:
        InvalidRequest: for a pair without ``=`` or an empty path.
    """
    from paperbroker.core.errors import InvalidRequest

    changes: dict[str, Any] = {}
    for pair in pairs:
        path, sep, text = pair.partition("=")
        parts = [p for p in path.strip().split(".") if p]
        if not sep or not parts:
            raise InvalidRequest(f"--change {pair!r}: write PATH=VALUE")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        here = changes
        for part in parts[:-1]:
            nested = here.setdefault(part, {})
            if not isinstance(nested, dict):
                raise InvalidRequest(f"--change {pair!r}: {part} is set to a value already")
            here = nested
        here[parts[-1]] = value
    return changes
