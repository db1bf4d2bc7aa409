"""The command line's help: plain text as a well-kept CLI writes it, and cheap to produce."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.cli_help import plain_text, summary_line

runner = CliRunner()


def _commands() -> list[list[str]]:
    """The path of every group and command of the CLI, the root's included."""
    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


COMMANDS = _commands()


def help_of(*path: str) -> str:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {"backtest", "serve", "data import", "sessions stop", "keys create"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "paperbroker")
def test_help_has_no_type_tags_braces_or_rest_markup(path: list[str]) -> None:
    text = help_of(*path)
    assert text.startswith("Usage: paperbroker")
    assert not re.search(r"<[a-z][a-z\[\], ]*>", text), text  # <bool>, <str>, <list[str]>
    for leak in ("{", "[[", "``", ":class:", ":func:", ":mod:"):
        assert leak not in text, text
    # A flag takes no value, so it shows none.
    assert re.search(r"^  --help +Show this message and exit\.$", text, re.MULTILINE), text


def test_options_that_take_a_value_show_a_metavar_and_flags_none() -> None:
    text = help_of("backtest")
    assert re.search(r"^  --json +Print the result as JSON\.$", text, re.MULTILINE)
    assert re.search(r"^  --param NAME=VALUE +A strategy parameter", text, re.MULTILINE)
    assert re.search(r"^  --start DATE +First day", text, re.MULTILINE)
    assert "[default: sma_crossover]" in text
    stop = help_of("sessions", "stop")
    assert re.search(r"^  -y, --yes +Do not ask", stop, re.MULTILINE)
    assert re.search(r"^  --key KEY_ID +Only the sessions", stop, re.MULTILINE)


def test_usages_name_arguments_in_capitals_optional_ones_in_brackets() -> None:
    assert help_of("data", "import").splitlines()[0] == (
        "Usage: paperbroker data import [OPTIONS] FILE"
    )
    assert help_of("sessions", "stop").splitlines()[0] == (
        "Usage: paperbroker sessions stop [OPTIONS] [ID]"
    )
    assert help_of("sessions", "show").splitlines()[0] == (
        "Usage: paperbroker sessions show [OPTIONS] ID"
    )
    assert help_of().splitlines()[0] == "Usage: paperbroker [OPTIONS] COMMAND [ARGS]..."


def test_docstrings_read_as_plain_text() -> None:
    text = help_of("keys", "create")
    assert "print key_id:secret (the secret is not shown again)" in text
    assert "With --session the key is bound" in text


def test_groups_list_each_command_with_its_first_paragraph() -> None:
    text = help_of("sessions")
    commands = text.split("Commands:\n", 1)[1]
    assert re.search(r"^  stop +Stop sessions gracefully: cancel open orders", commands, re.M)
    assert "A backtest stops at once" not in commands  # the second paragraph stays out


def test_strategy_summaries_are_plain_text() -> None:
    result = runner.invoke(app, ["strategies", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "long only (see Momentum)." in result.stdout
    assert ":class:" not in result.stdout


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Print ``key_id:secret``.", "Print key_id:secret."),
        ("Momentum (see :class:`Momentum`).", "Momentum (see Momentum)."),
        ("Loads :func:`~paperbroker.data.load_bars`.", "Loads load_bars."),
        ("See :mod:`paperbroker.feeds`.", "See paperbroker.feeds."),
        ("    Indented\n    docstring.", "Indented\ndocstring."),
        (None, ""),
    ],
)
def test_plain_text(text: str | None, plain: str) -> None:
    assert plain_text(text) == plain


def test_summary_line_is_the_first_paragraph_on_one_line() -> None:
    assert summary_line("First ``line``\n    goes on.\n\n    Second.") == "First line goes on."


@pytest.mark.parametrize("args", [["--help"], ["backtest", "--help"], ["sessions", "--help"]])
def test_help_loads_no_heavy_module(args: list[str]) -> None:
    """``--help`` imports Typer and the CLI's modules only: no engine, database or web stack."""
    probe = (
        "import json, sys\n"
        "from paperbroker.cli import main\n"
        f"sys.argv = ['paperbroker', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    heavy = {"numpy", "pandas", "pyarrow", "pydantic", "sqlalchemy", "fastapi", "rich"}
    assert not loaded & heavy
    assert "Usage: paperbroker" in done.stdout
