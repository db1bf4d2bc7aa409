"""Every example in the README and docs/ runs, and the docs agree with the code."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from paperbroker.model.order import ORDER_TRANSITIONS

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CLI = Path(sys.executable).with_name("paperbroker")


def _blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(), flags=re.DOTALL)


def _python_examples() -> list[tuple[str, str]]:
    return [
        (f"{page.name}#{i}", code)
        for page in PAGES
        for i, code in enumerate(_blocks(page, "python"))
    ]


def _cli_examples() -> list[tuple[str, str]]:
    return [
        (f"{page.name}:{line[:60]}", line.strip())
        for page in PAGES
        for block in _blocks(page, "bash")
        for line in block.splitlines()
        if line.strip().startswith("paperbroker ")
    ]


@pytest.mark.parametrize(("where", "code"), _python_examples(), ids=lambda v: str(v)[:40])
def test_docs_python_example_runs(where: str, code: str) -> None:
    exec(compile(code, where, "exec"), {"__name__": "docs_example"})


@pytest.mark.parametrize(("where", "line"), _cli_examples(), ids=lambda v: str(v)[:60])
def test_docs_cli_example_runs(where: str, line: str, tmp_path: Path) -> None:
    command, _, fallback = line.partition("||")
    args = shlex.split(command)
    # Examples that write (imports, keys) write into this test's own directory.
    env = {
        **os.environ,
        "PAPERBROKER_DATA_DIR": str(tmp_path / "market"),
        "PAPERBROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}",
    }
    completed = subprocess.run(
        [str(CLI), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    if fallback:  # the docs show this command failing on purpose
        assert completed.returncode == 2, completed.stdout + completed.stderr
        assert completed.stderr.count("\n") == 1, completed.stderr
    else:
        assert completed.returncode == 0, completed.stderr


def test_docs_architecture_order_table_matches_code() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    documented = page.split("<!-- order-transitions:begin -->\n")[1].split(
        "\n<!-- order-transitions:end -->"
    )[0]
    assert documented.strip() == ORDER_TRANSITIONS.to_markdown().strip()


def test_docs_readme_starts_with_the_two_make_commands() -> None:
    first_block = _blocks(ROOT / "README.md", "bash")[0]
    assert first_block.splitlines()[:2] == [
        "make run    # installs everything, then starts the server on http://127.0.0.1:5000",
        "make test   # installs everything, then runs ruff, mypy and the test suite",
    ]


def test_docs_agents_lifecycle_table_matches_code() -> None:
    from paperbroker.agents.lifecycle import AGENT_TRANSITIONS

    page = (ROOT / "docs" / "agents.md").read_text()
    documented = page.split("<!-- agent-transitions:begin -->\n")[1].split(
        "\n<!-- agent-transitions:end -->"
    )[0]
    assert documented.strip() == AGENT_TRANSITIONS.to_markdown().strip()


def test_example_files_shown_in_the_docs_are_shown_as_they_are() -> None:
    """A block that starts ``# docs/examples/x.py`` shows that file, docstring aside."""
    shown = 0
    for page in PAGES:
        for block in _blocks(page, "python"):
            first, _, body = block.partition("\n")
            if not first.startswith("# docs/examples/"):
                continue
            source = (ROOT / first.removeprefix("# ")).read_text()
            code = source.split("from __future__ import annotations\n\n", 1)[-1]
            assert body == code, f"{page.name} shows an old copy of {first[2:]}"
            shown += 1
    assert shown


def test_docs_operations_lifecycle_is_generated_from_the_table() -> None:
    from paperbroker.session.lifecycle import SESSION_TRANSITIONS, SessionState

    page = (ROOT / "docs" / "operations.md").read_text()
    documented = page.split("<!-- session-transitions:begin -->\n")[1].split(
        "\n<!-- session-transitions:end -->"
    )[0]
    generated = (
        f"```mermaid\n{SESSION_TRANSITIONS.to_mermaid(SessionState.PAUSED)}\n```\n\n"
        f"{SESSION_TRANSITIONS.to_markdown()}"
    )
    assert documented.strip() == generated.strip()


@pytest.mark.parametrize("slot", ["slippage", "fill_quantity", "fees", "latency"])
def test_docs_execution_model_tables_are_generated_from_the_schema(slot: str) -> None:
    from paperbroker.venue.schema_docs import models_markdown

    page = (ROOT / "docs" / "execution.md").read_text()
    documented = page.split(f"<!-- execution-models:{slot}:begin -->\n")[1].split(
        f"\n<!-- execution-models:{slot}:end -->"
    )[0]
    assert documented.strip() == models_markdown(slot).strip()


def test_docs_execution_document_table_is_generated_from_the_schema() -> None:
    from paperbroker.venue.schema_docs import document_markdown

    page = (ROOT / "docs" / "execution.md").read_text()
    documented = page.split("<!-- execution-document:begin -->\n")[1].split(
        "\n<!-- execution-document:end -->"
    )[0]
    assert documented.strip() == document_markdown().strip()
    assert "`fill_timing` | `next_bar`, `signal_close` | `next_bar`" in documented
