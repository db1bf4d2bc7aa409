"""Session templates: named configurations to create sessions from.

A template holds the create body of a session type (``config``): for a
backtest, the fields of ``POST /v1/sessions``; for paper and live sessions,
those of their routes. It may leave out what changes from run to run (a
backtest's window, a paper session's symbols): a session is created from it
with ``changes`` merged in, and the merged body is checked as any create
request is.

**Built-in** templates are code, read-only, listed first, with ids
``builtin:<name>``: three risk profiles (``conservative``, ``moderate``,
``aggressive``: position and exposure limits, protective stops and take
profits, daily-loss and drawdown breakers) and, per built-in strategy, its
parameters' defaults. Saved templates are an owner's own: another owner's
is not found; names are unique per owner, built-ins' included.
"""

from __future__ import annotations

import builtins
import functools
from dataclasses import dataclass
from typing import Any, Final

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.services.catalog import strategies
from paperbroker.store.db import SessionFactory
from paperbroker.store.templates import TemplateRecord, TemplatesRepo

BUILTIN_PREFIX: Final = "builtin:"
_READ_ONLY: Final = "built-in templates cannot be changed"

#: The risk profiles: percentages are percent of equity (docs/risk.md).
RISK_PROFILES: Final[dict[str, tuple[str, dict[str, Any]]]] = {
    "conservative": (
        "Small exposure, tight stops: at most half the equity invested, 2 % stop loss, "
        "1 % daily loss and 5 % drawdown breakers.",
        {
            "limits": {"max_gross_exposure_pct": "50", "max_open_orders": 10,
                       "max_orders_per_minute": 10},
            "safeguards": {"stop_loss_pct": "2", "take_profit_pct": "4"},
            "breakers": {"daily_loss_pct": "1", "max_drawdown_pct": "5", "consecutive_losses": 3},
        },
    ),
    "moderate": (
        "Fully invested at most, 5 % stop loss, 2 % daily loss and 10 % drawdown breakers.",
        {
            "limits": {"max_gross_exposure_pct": "100", "max_open_orders": 25,
                       "max_orders_per_minute": 30},
            "safeguards": {"stop_loss_pct": "5", "take_profit_pct": "10"},
            "breakers": {"daily_loss_pct": "2", "max_drawdown_pct": "10", "consecutive_losses": 5},
        },
    ),
    "aggressive": (
        "Up to twice the equity exposed (a margin account), 10 % stop loss, 5 % daily loss "
        "and 20 % drawdown breakers.",
        {
            "limits": {"max_gross_exposure_pct": "200", "max_open_orders": 50,
                       "max_orders_per_minute": 60},
            "safeguards": {"stop_loss_pct": "10", "take_profit_pct": "25"},
            "breakers": {"daily_loss_pct": "5", "max_drawdown_pct": "20"},
        },
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Template:
    """A template as listed: a built-in one has no times."""

    id: str
    name: str
    description: str
    kind: str
    config: dict[str, Any]
    builtin: bool
    created_at: int | None
    updated_at: int | None

    @classmethod
    def of(cls, record: TemplateRecord) -> Template:
        return cls(
            record.id,
            record.name,
            record.description,
            record.kind,
            record.config,
            False,
            record.created_at,
            record.updated_at,
        )


@functools.cache
def builtin_templates() -> tuple[Template, ...]:
    """The built-in templates: the risk profiles, then each built-in strategy's defaults."""
    found = [
        Template(
            f"{BUILTIN_PREFIX}{name}", name, text, "backtest", {"risk": risk}, True, None, None
        )
        for name, (text, risk) in RISK_PROFILES.items()
    ]
    for info in strategies():
        if info.origin != "built-in" or info.params_schema is None:
            continue
        properties = info.params_schema.get("properties", {})
        params = {key: spec["default"] for key, spec in properties.items() if "default" in spec}
        found.append(
            Template(
                f"{BUILTIN_PREFIX}{info.name}",
                info.name,
                f"{info.name} with its default parameters. {info.description}".strip(),
                "backtest",
                {"strategy": {"name": info.name, "params": params}},
                True,
                None,
                None,
            )
        )
    return tuple(found)


class TemplateService:
    """An owner's templates, the built-in ones first (see the module doc).

    What a template's ``config`` must be is checked by the caller (the API reads it with
    the session type's create schema) before it is saved here.
    """

    def __init__(self, factory: SessionFactory) -> None:
        self.repo = TemplatesRepo(factory)

    @property
    def built_in(self) -> tuple[Template, ...]:
        return builtin_templates()

    def list(self, owner: str) -> builtins.list[Template]:
        """The built-in templates, then the owner's by name."""
        return [*self.built_in, *(Template.of(r) for r in self.repo.list(owner))]

    def get(self, owner: str, template_id: str) -> Template:
        """A built-in template, or the owner's.

        Raises:
            NotFound: for an unknown id or another owner's template.
        """
        if template_id.startswith(BUILTIN_PREFIX):
            for template in self.built_in:
                if template.id == template_id:
                    return template
            raise NotFound(f"template {template_id} not found")
        return Template.of(self.repo.get(owner, template_id))

    def find(self, owner: str, name_or_id: str) -> Template:
        """A template by id, or by name (a built-in's name, or the owner's).

        Raises:
            NotFound: if there is none.
        """
        for template in self.built_in:
            if name_or_id in (template.id, template.name):
                return template
        record = self.repo.find_by_name(owner, name_or_id)
        if record is not None:
            return Template.of(record)
        try:
            return self.get(owner, name_or_id)
        except NotFound:
            raise NotFound(f"template {name_or_id!r} not found") from None

    def create(
        self, owner: str, *, name: str, description: str, kind: str, config: dict[str, Any]
    ) -> Template:
        """Save a template for the owner.

        Raises:
            Conflict: for a name the owner's templates or the built-ins have.
        """
        self._check_name(name)
        record = self.repo.create(
            owner, name=name, description=description, kind=kind, config=config
        )
        return Template.of(record)

    def update(
        self,
        owner: str,
        template_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        kind: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> Template:
        """Change what is given of the owner's template.

        Raises:
            Conflict: for a built-in template, or a name that is taken.
            NotFound: for another owner's template.
        """
        self._writable(owner, template_id)
        if name is not None:
            self._check_name(name)
        record = self.repo.update(
            owner, template_id, name=name, description=description, kind=kind, config=config
        )
        return Template.of(record)

    def delete(self, owner: str, template_id: str) -> None:
        """Delete the owner's template.

        Raises:
            Conflict: for a built-in template.
            NotFound: for another owner's template.
        """
        self._writable(owner, template_id)
        self.repo.delete(owner, template_id)

    def _writable(self, owner: str, template_id: str) -> None:
        if template_id.startswith(BUILTIN_PREFIX):
            self.get(owner, template_id)  # NotFound for a built-in that does not exist
            raise Conflict(_READ_ONLY)

    def _check_name(self, name: str) -> None:
        if any(template.name == name for template in self.built_in):
            raise Conflict(f"a template named {name!r} exists already (a built-in one)")
