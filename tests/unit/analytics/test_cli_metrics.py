"""``paperbroker backtest --benchmark --risk-free-rate``: the metrics on the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app

runner = CliRunner()
SHORT_RUN = ["backtest", "--symbols", "IBM", "--start", "2010-01-01", "--end", "2010-12-31"]


def test_benchmark_and_rate_reach_the_json_metrics() -> None:
    result = runner.invoke(app, [*SHORT_RUN, "--benchmark", "aapl", "--risk-free-rate", "0.02",
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["benchmark"] == "AAPL"
    metrics = summary["metrics"]
    assert metrics["risk_free_rate"] == 0.02
    assert isinstance(metrics["beta"], float)
    assert isinstance(metrics["alpha"], float)
    assert metrics["benchmark_return"] > 0  # AAPL rose in 2010
    plain = json.loads(runner.invoke(app, [*SHORT_RUN, "--json"]).stdout)["metrics"]
    assert plain["alpha"] is None
    assert plain["total_return"] == metrics["total_return"]


def test_the_table_shows_the_new_metrics_and_the_benchmark_only_when_asked() -> None:
    out = runner.invoke(app, SHORT_RUN).stdout
    for row in ("Calmar / Omega", "VaR / ES 95%", "Avg win / avg loss", "Volatility"):
        assert row in out
    assert "Alpha / beta" not in out
    assert "Alpha / beta" in runner.invoke(app, [*SHORT_RUN, "--benchmark", "IBM"]).stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--benchmark", "NOPE"], "'NOPE'"), (["--risk-free-rate", "-1"], "risk_free_rate")],
)
def test_a_bad_benchmark_or_rate_exits_2_naming_it(args: list[str], named: str) -> None:
    result = runner.invoke(app, [*SHORT_RUN, *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert named in result.stderr
