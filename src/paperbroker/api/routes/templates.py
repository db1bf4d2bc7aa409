"""``/v1/templates``: named session configurations, built-in and the caller's own.

See :mod:`paperbroker.services.templates`. A template's ``config`` is read by
its type's create schema when it is saved (fields a session gives when it is
created from it may be left out); ``POST /v1/templates/{templateId}/sessions``
merges ``changes`` into it and creates the session as its type's create
route does. Built-in templates (ids ``builtin:<name>``) are read-only: a
change is a 409.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal, Self

from fastapi import APIRouter, Depends, Path, status
from pydantic import Field, model_validator

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, _uuid_or_404
from paperbroker.api.formats import time_text
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import ResponseModel, SessionPublic
from paperbroker.api.routes import SESSION_RULES
from paperbroker.api.schemas import _MAX_NAME, PrintableText, RequestModel
from paperbroker.api.session_bodies import check_template, create_from, deep_merge, owned_record
from paperbroker.core.errors import NotFound
from paperbroker.services.run_record import creation_config
from paperbroker.services.templates import BUILTIN_PREFIX, Template, TemplateService

router = APIRouter(prefix="/v1/templates", tags=["templates"])

_BUILTIN_ID: Final = re.compile(r"builtin:[a-z0-9_]{1,64}")
_MAX_DESCRIPTION: Final = 2000
_TAKEN: Final = "a template named {name} exists (names are unique per key, built-ins' included)"
SessionType = Literal["backtest", "paper", "live"]


def _template_path(
    template_id: Annotated[
        str, Path(alias="templateId", description="`builtin:<name>` or a saved template's id.")
    ],
) -> str:
    if template_id.startswith(BUILTIN_PREFIX):
        if not _BUILTIN_ID.fullmatch(template_id):
            raise NotFound(f"template {template_id[:64]!r} not found")
        return template_id
    return _uuid_or_404(template_id, "template")


TemplateIdPath = Annotated[str, Depends(_template_path)]


def _templates(service: Service) -> TemplateService:
    return TemplateService(service.factory)


Templates = Annotated[TemplateService, Depends(_templates)]


class TemplatePublic(ResponseModel):
    """A named session configuration."""

    id: str = Field(description="`builtin:<name>` for a built-in template.")
    name: str
    description: str
    type: str = Field(json_schema_extra={"enum": ["backtest", "paper", "live"]})
    config: dict[str, Any] = Field(description="The create body of its type (parts of it).")
    builtin: bool
    created_at: str | None = Field(description="null for a built-in template.")
    updated_at: str | None

    @classmethod
    def of(cls, t: Template) -> TemplatePublic:
        return cls(
            id=t.id,
            name=t.name,
            description=t.description,
            type=t.kind,
            config=t.config,
            builtin=t.builtin,
            created_at=None if t.created_at is None else time_text(t.created_at),
            updated_at=None if t.updated_at is None else time_text(t.updated_at),
        )


class TemplatesPublic(ResponseModel):
    items: list[TemplatePublic]


class TemplateCreate(RequestModel):
    """Body of ``POST /v1/templates``: a ``config``, or the ``session_id`` whose
    configuration to save."""

    name: PrintableText = Field(min_length=1, max_length=_MAX_NAME)
    description: PrintableText = Field(default="", max_length=_MAX_DESCRIPTION)
    type: SessionType | None = Field(
        default=None, description="With `config` (default backtest); a session's own type."
    )
    config: dict[str, Any] | None = Field(default=None, examples=[{"initialCash": "50000"}])
    session_id: str | None = Field(default=None, pattern=UUID_PATTERN)

    @model_validator(mode="after")
    def _config_or_session(self) -> Self:
        if (self.config is None) == (self.session_id is None):
            raise ValueError("give config or session_id, one of them")
        if self.session_id is not None and self.type is not None:
            raise ValueError("type goes with config; a session's template has its type")
        return self


class TemplateUpdate(RequestModel):
    """Body of ``PUT /v1/templates/{templateId}``: what to change."""

    name: PrintableText | None = Field(default=None, min_length=1, max_length=_MAX_NAME)
    description: PrintableText | None = Field(default=None, max_length=_MAX_DESCRIPTION)
    type: SessionType | None = None
    config: dict[str, Any] | None = None


class TemplateSessionCreate(RequestModel):
    """Body of ``POST /v1/templates/{templateId}/sessions``."""

    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Fields of the create body, deep-merged into the template's config.",
        examples=[{"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z"}],
    )


@router.get("", operation_id="listTemplates", summary="List templates")
def list_templates(caller: Owner, templates: Templates) -> TemplatesPublic:
    """The built-in templates first, then the caller's by name."""
    return TemplatesPublic(items=[TemplatePublic.of(t) for t in templates.list(caller.key_id)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createTemplate",
    summary="Save a template",
    responses=answers(
        {409: _TAKEN.format(name="so"), 404: "session_id names no session of yours."},
        rules=[
            "config or session_id, one of them; type only with config",
            "config is valid for its type (what it leaves out aside)",
        ],
    ),
)
def create_template(
    body: TemplateCreate, caller: Owner, service: Service, templates: Templates
) -> TemplatePublic:
    """From a ``config`` (the create body of ``type``, parts of it) or from a session of the
    caller's (its configuration and type)."""
    if body.session_id is not None:
        record = owned_record(service, caller.key_id, body.session_id)
        kind, config = record.kind, creation_config(record)
    else:
        kind, config = body.type or "backtest", dict(body.config or {})
    check_template(kind, config)
    return TemplatePublic.of(
        templates.create(
            caller.key_id, name=body.name, description=body.description, kind=kind, config=config
        )
    )


@router.get("/{templateId}", operation_id="getTemplate", summary="Read a template")
def get_template(
    template_id: TemplateIdPath, caller: Owner, templates: Templates
) -> TemplatePublic:
    return TemplatePublic.of(templates.get(caller.key_id, template_id))


@router.put(
    "/{templateId}",
    operation_id="updateTemplate",
    summary="Change a template",
    responses=answers(
        {409: "A built-in template (read-only), or a name another template has."},
        rules=["config is valid for its type (what it leaves out aside)"],
    ),
)
def update_template(
    template_id: TemplateIdPath, body: TemplateUpdate, caller: Owner, templates: Templates
) -> TemplatePublic:
    """What the body gives is replaced (``config`` whole); the rest stays."""
    current = templates.get(caller.key_id, template_id)
    if body.config is not None or body.type is not None:
        check_template(body.type or current.kind, body.config or current.config)
    return TemplatePublic.of(
        templates.update(
            caller.key_id,
            template_id,
            name=body.name,
            description=body.description,
            kind=body.type,
            config=body.config,
        )
    )


@router.delete(
    "/{templateId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteTemplate",
    summary="Delete a template",
    responses=answers({409: "A built-in template (read-only)."}),
)
def delete_template(template_id: TemplateIdPath, caller: Owner, templates: Templates) -> None:
    templates.delete(caller.key_id, template_id)


@router.post(
    "/{templateId}/sessions",
    status_code=status.HTTP_201_CREATED,
    operation_id="createSessionFromTemplate",
    summary="Create a session from a template",
    responses=answers(rules=[*SESSION_RULES, "the merged body is a valid create body"]),
)
def create_session(
    template_id: TemplateIdPath,
    caller: Owner,
    service: Service,
    templates: Templates,
    body: TemplateSessionCreate | None = None,
) -> SessionPublic:
    """A session of the template's type from its config with ``changes`` merged in, created
    as that type's create route creates it (a paper or live session starts at once); it is
    named after the template unless the config or the changes name it."""
    template = templates.get(caller.key_id, template_id)
    changes = {} if body is None else body.changes
    config = deep_merge({"name": template.name, **template.config}, changes)
    return create_from(service, caller, template.kind, config)
