"""The ``paperbroker`` command line: summaries, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app

runner = CliRunner()
SHORT_RUN = ["--symbols", "IBM", "--start", "2010-01-01", "--end", "2010-12-31"]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_backtest_json_reports_books_metrics_and_digest() -> None:
    code, out, _ = run("backtest", *SHORT_RUN, "--json", "--param", "fast=5", "--param", "slow=20")
    assert code == 0
    summary = json.loads(out)
    assert summary["symbols"] == ["IBM"]
    assert summary["params"] == {"fast": 5, "slow": 20, "allocation": None, "buffer": 0.0}
    assert summary["start"].startswith("2010-01-04")
    assert summary["end"].startswith("2010-12-31")
    assert summary["metrics"]["num_trades"] >= 1
    assert len(summary["fills_digest"]) == 64


def test_cli_backtest_same_run_twice_prints_same_digest() -> None:
    first = json.loads(run("backtest", *SHORT_RUN, "--json")[1])
    second = json.loads(run("backtest", *SHORT_RUN, "--json")[1])
    assert first["fills_digest"] == second["fills_digest"]


def test_cli_backtest_fill_timing_signal_close_fills_at_the_signal_bars_close() -> None:
    default = json.loads(run("backtest", *SHORT_RUN, "--execution", "ideal", "--json")[1])
    code, out, _ = run(
        "backtest", *SHORT_RUN, "--execution", "ideal", "--fill-timing", "signal_close", "--json"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["execution"] == "ideal, market orders filled at the signal bar's close"
    assert summary["fills_digest"] != default["fills_digest"]


def test_cli_backtest_table_shows_final_equity() -> None:
    code, out, _ = run("backtest", *SHORT_RUN)
    assert code == 0
    assert "Final equity" in out
    assert "Fills digest" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--symbols", "IBM,NOPE"], "'NOPE'"),
        (["--start", "2010-02-30"], "'2010-02-30'"),
        (["--end", "yesterday"], "'yesterday'"),
        (["--param", "fast=abc"], "'fast'"),
        (["--param", "fast=40"], "fast (40) must be shorter than slow (30)"),
        (["--param", "bogus=1"], "'bogus'"),
        (["--param", "fast"], "'fast'"),
        (["--strategy", "nope"], "'nope'"),
        (["--commission", "percent:x"], "'x'"),
        (["--commission", "weird"], "'weird'"),
        (["--cash", "-5"], "-5"),
        (["--start", "2012-01-01", "--end", "2011-01-01"], "start is after end"),
        (
            ["--start", "2030-01-01"],
            "no bars in the requested range 2030-01-01 – the last bar for IBM; "
            "the data has IBM: 2000-03-01 – 2013-03-01",
        ),
        (["--data", "/nonexistent/bars.csv"], "/nonexistent/bars.csv"),
        (
            ["--fill-timing", "at_open"],
            "fill_timing 'at_open' is not one of next_bar, signal_close",
        ),
    ],
)
def test_cli_backtest_bad_input_exits_2_with_one_line_naming_it(
    args: list[str], named: str
) -> None:
    code, out, err = run("backtest", "--symbols", "IBM", *args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert named in err


def test_cli_backtest_user_strategy_file_runs(tmp_path: Path) -> None:
    source = tmp_path / "mine.py"
    source.write_text(
        "from paperbroker import Strategy\n"
        "class Once(Strategy):\n"
        "    def on_bar(self, bar):\n"
        "        if not self.ctx.position(bar.symbol).qty and not self.ctx.open_orders():\n"
        "            self.ctx.buy(bar.symbol, 1)\n"
    )
    code, out, _ = run("backtest", *SHORT_RUN, "--strategy", f"{source}:Once", "--json")
    assert code == 0
    assert json.loads(out)["open_positions"] == {"IBM": "1"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("class Broken(:\n    pass\n", ":1: syntax error"),
        ("import nothing_called_this\n", ":1: ModuleNotFoundError"),
        ("x = 1\n\nraise RuntimeError('boom')\n", ":3: RuntimeError: boom"),
        ("class Other:\n    pass\n", "no Strategy subclass named 'Mine'"),
    ],
)
def test_cli_backtest_broken_strategy_file_names_file_and_line(
    tmp_path: Path, body: str, expected: str
) -> None:
    source = tmp_path / "broken.py"
    source.write_text(body)
    code, _, err = run("backtest", *SHORT_RUN, "--strategy", f"{source}:Mine")
    assert code == 2
    assert str(source) in err
    assert expected in err


def test_cli_strategies_lists_parameters_with_defaults() -> None:
    code, out, _ = run("strategies")
    assert code == 0
    for expected in ("sma_crossover", "fast", "10", "slow", "30", "buy_and_hold"):
        assert expected in out


def test_cli_data_list_shows_bundled_symbols() -> None:
    code, out, _ = run("data", "list")
    assert code == 0
    for symbol in ("AAPL", "MSFT", "IBM", "GOOG", "EURUSD"):
        assert symbol in out
