"""How the ``paperbroker`` command line writes its help: plain text, as a well-kept CLI does.

Every command and group of the CLI is built with :class:`Cli` (a
``typer.Typer``), whose commands format their own help instead of Typer's:

- an option that takes a value shows a metavar, its own or its name in
  capitals (``--symbols SYMBOLS``, ``--param NAME=VALUE``); a flag shows
  none (``--json``), where Typer writes a type tag on every one
  (``--json <bool>``);
- the usage line names arguments in capitals, optional ones in brackets
  (``FILE``, ``[ID]``), where Typer writes ``{file}`` and ``[[ID]]``;
- docstrings, written for the API reference, lose their reST markup
  (:func:`plain_text`): ````key_id:secret```` reads ``key_id:secret`` and
  ``:class:`Momentum``` reads ``Momentum``.

It needs neither Rich nor anything of paperbroker's, so ``--help`` starts in
the time it takes to import Typer.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import typer
from typer import _click
from typer._click.formatting import HelpFormatter, join_options
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

__all__ = ["Cli", "HelpCommand", "HelpGroup", "plain_text"]

# :class:`Momentum`, :func:`~paperbroker.data.load_bars` (a ``~`` keeps the last name).
_ROLE = re.compile(r":[a-z]+(?::[a-z]+)?:`(~?)([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def plain_text(text: str | None) -> str:
    """A docstring as a terminal shows it: dedented, without reST roles and literals."""
    if not text:
        return ""

    def role(match: re.Match[str]) -> str:
        target = match.group(2)
        return target.rsplit(".", 1)[-1] if match.group(1) else target

    return _LITERAL.sub(r"\1", _ROLE.sub(role, inspect.cleandoc(text)))


def summary_line(text: str | None) -> str:
    """The first paragraph of a docstring, on one line, in plain text."""
    return " ".join(plain_text(text).split("\n\n", 1)[0].split())


def _metavar(param: _click.Parameter) -> str:
    name = param.metavar or (param.name or "").upper()
    if isinstance(param, TyperArgument):
        name = name if param.required else f"[{name}]"
    return name + ("..." if param.nargs != 1 else "")


def _option_label(param: TyperOption) -> str:
    label = join_options(param.opts)[0]
    if param.secondary_opts:
        label += " / " + join_options(param.secondary_opts)[0]
    if param.is_flag or param.count:
        return label
    return f"{label} {param.metavar or (param.name or '').upper()}"


def _usage(command: _click.Command, ctx: _click.Context, formatter: HelpFormatter) -> None:
    pieces = [command.options_metavar or ""]
    pieces += [
        _metavar(param) for param in command.get_params(ctx) if isinstance(param, TyperArgument)
    ]
    if isinstance(command, TyperGroup):
        pieces.append(command.subcommand_metavar)
    formatter.write_usage(ctx.command_path, " ".join(p for p in pieces if p))


def _help_text(command: _click.Command, formatter: HelpFormatter) -> None:
    text = plain_text(command.help)
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


def _parameters(command: _click.Command, ctx: _click.Context, formatter: HelpFormatter) -> None:
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        described = plain_text(record[1])
        if isinstance(param, TyperArgument):
            arguments.append((param.metavar or (param.name or "").upper(), described))
        elif isinstance(param, TyperOption):
            options.append((_option_label(param), described))
    for heading, rows in (("Arguments", arguments), ("Options", options)):
        if rows:
            with formatter.section(heading):
                formatter.write_dl(rows)


def _cheap_help_option(option: TyperOption | None) -> TyperOption | None:
    # Unset, Typer's --help is None, which it coerces to a bool through pydantic:
    # importing pydantic would double the time --help takes. A default of False
    # is a bool already, and Typer passes bools through as they are.
    if option is not None:
        option.default = False
    return option


class HelpCommand(TyperCommand):
    """A command whose ``--help`` is plain text (see the module's docstring)."""

    def get_help_option(self, ctx: _click.Context) -> TyperOption | None:
        return _cheap_help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _usage(self, ctx, formatter)

    def format_help_text(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _help_text(self, formatter)

    def format_options(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _parameters(self, ctx, formatter)


class HelpGroup(TyperGroup):
    """A group of commands whose ``--help`` is plain text, each command on one line."""

    def get_help_option(self, ctx: _click.Context) -> TyperOption | None:
        return _cheap_help_option(super().get_help_option(ctx))

    def format_usage(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _usage(self, ctx, formatter)

    def format_help_text(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _help_text(self, formatter)

    def format_options(self, ctx: _click.Context, formatter: HelpFormatter) -> None:
        _parameters(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary_line(command.short_help or command.help)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class Cli(typer.Typer):
    """A ``typer.Typer`` whose groups and commands write plain help (:class:`HelpGroup`,
    :class:`HelpCommand`) and plain usage errors, and that offers no shell completion."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=HelpGroup, rich_markup_mode=None, add_completion=False, **kwargs)

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", HelpCommand)
        return super().command(name, **kwargs)
