"""docs/live.md's "The operator's command line" is ``paperbroker run`` as it is: its table
lists every option the command has, each with the metavar ``--help`` shows, and its
exit codes are those the command returns and its help names."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from paperbroker import cli_run_loop
from paperbroker.cli import app

ROOT = Path(__file__).resolve().parents[2]
SECTION = (ROOT / "docs" / "live.md").read_text().split("## The operator's command line")[1]


def documented_options() -> dict[str, str]:
    """``{--option: what the table shows after it}`` (``"NAME"`` or ``"sim|..."``)."""
    table = SECTION.split("### Options")[1].split("\n\n")[1]
    rows = {}
    for line in table.splitlines()[2:]:
        shown = line.split(" | ")[0].removeprefix("| ").strip("`").replace("\\|", "|")
        option, _, metavar = shown.partition(" ")
        rows[option] = metavar
    return rows


def command_options() -> dict[str, str]:
    command = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    found = {}
    for param in command.params:
        if param.name == "help":
            continue
        found[param.opts[0]] = "" if param.is_flag else (param.metavar or "")
    return found


def test_the_table_lists_every_option_with_its_metavar() -> None:
    documented = documented_options()
    options = command_options()
    assert set(documented) == set(options)
    for option, metavar in options.items():
        shown = documented[option]
        # A choice is listed by its values in the docs, where --help shows its metavar.
        assert shown == metavar or (metavar in ("BROKER", "FEED") and "|" in shown), option
    help_text = CliRunner().invoke(app, ["run", "--help"]).stdout
    for option in options:
        assert option in help_text


def test_the_exit_codes_are_the_commands() -> None:
    table = SECTION.split("### Exit codes")[1].split("\n\n")[1]
    documented = {int(line.split("|")[1]) for line in table.splitlines()[2:]}
    returned = {
        getattr(cli_run_loop, name) for name in dir(cli_run_loop) if name.startswith("EXIT_")
    }
    assert documented == returned
    help_text = " ".join(CliRunner().invoke(app, ["run", "--help"]).stdout.split())
    for code in sorted(documented):
        assert re.search(rf"\b{code} ", help_text), code
