"""``paperbroker sweep`` on the bundled data: the best results printed, every result in CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from paperbroker.cli import app

runner = CliRunner()
ARGS = [
    "sweep", "sma_crossover", "--symbols", "aapl", "--start", "2010-01-01",
    "--end", "2012-12-31", "--param", "fast=5:15:5", "--param", "slow=10,30",
    "--execution", "ideal", "--objective", "total_return",
]  # fmt: skip


def test_a_grid_prints_its_best_results_and_writes_every_one(tmp_path: Path) -> None:
    output = tmp_path / "results.csv"
    result = runner.invoke(app, [*ARGS, "--output", str(output), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "best 2 of 6 by total_return (2 refused or failed)" in result.output
    with output.open() as file:
        rows = list(csv.DictReader(file))
    assert [(r["fast"], r["slow"]) for r in rows] == [
        ("5", "10"), ("5", "30"), ("10", "10"), ("10", "30"), ("15", "10"), ("15", "30"),
    ]  # fmt: skip
    assert rows[2]["error"].startswith("invalid parameters")
    assert rows[1]["score"] == rows[1]["total_return"]


def test_walk_forward_prints_the_folds_and_the_efficiency() -> None:
    result = runner.invoke(app, [*ARGS, "--walk-forward", "2", "--in-sample", "0.7"])
    assert result.exit_code == 0, result.output
    assert "walk-forward by total_return" in result.output
    assert "walk-forward efficiency" in result.output


def test_a_bad_parameter_is_one_line_and_exit_code_2() -> None:
    result = runner.invoke(app, [*ARGS[:8], "--param", "fast=0:3"])
    assert result.exit_code == 2
    assert "space.fast" in result.output
