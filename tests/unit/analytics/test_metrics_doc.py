"""docs/metrics.md documents every metric, and its examples run as shown."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from paperbroker.api.routes.session_metrics import MetricsPublic
from paperbroker.cli import app

PAGE = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)


def test_every_public_metric_is_documented() -> None:
    text = PAGE.read_text()
    for name in MetricsPublic.model_fields:
        if name in ("start", "end", "initial_cash", "final_equity"):
            continue
        assert f"`{name}`" in text or f"`{name}," in text or f", `{name}`" in text, name


def test_the_python_example_prints_what_the_page_says() -> None:
    [code] = blocks("python")
    [shown] = re.findall(r"\nprints\n\n```\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(PAGE), "exec"), {})  # the page's own example
    assert out.getvalue() == shown


def test_the_command_line_example_runs() -> None:
    [command] = [b for b in blocks("bash") if "--benchmark" in b]
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "Alpha / beta" in result.stdout
