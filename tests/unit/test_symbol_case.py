"""One rule for symbol case in Python and on the command line: symbols are upper case,
and ``aapl`` is taken as ``AAPL`` (the API does the same, as Alpaca's does)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from paperbroker import Backtest, BuyAndHold
from paperbroker.cli import app
from paperbroker.data import load_bars, synthetic_bars
from paperbroker.model.instrument import Instrument

START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def lower_case_file(tmp_path: Path) -> Path:
    rows = ["timestamp,ticker,open,high,low,close,volume"]
    for i in range(60):
        stamp = (START + timedelta(minutes=i)).isoformat()
        for ticker in ("aapl", "msft"):
            rows.append(f"{stamp},{ticker},10.00,10.05,9.95,10.01,1000")
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_an_instrument_s_symbol_is_upper_case() -> None:
    assert Instrument.equity("brk.b").symbol == "BRK.B"
    assert Instrument("aapl").symbol == "AAPL"
    eurusd = Instrument.fx("eurusd")
    assert (eurusd.symbol, eurusd.currency) == ("EURUSD", "USD")


def test_files_with_lower_case_symbols_load_as_upper_case(tmp_path: Path) -> None:
    path = lower_case_file(tmp_path)
    loaded = load_bars(path)
    assert {name: series.symbol for name, series in loaded.items()} == {
        "AAPL": "AAPL",
        "MSFT": "MSFT",
    }
    assert list(load_bars(path, symbol="aapl")) == ["AAPL"]


def test_a_backtest_of_lower_case_series_trades_upper_case_symbols() -> None:
    result = Backtest(synthetic_bars("s0", 500, seed=1), BuyAndHold).run()
    assert result.summary()["symbols"] == ["S0"]
    assert list(result.summary()["open_positions"]) == ["S0"]


def test_the_cli_takes_symbols_in_any_case(tmp_path: Path) -> None:
    runner = CliRunner()
    bundled = runner.invoke(
        app, ["backtest", "--symbols", "ibm", "--start", "2010-01-01", "--end", "2010-06-30",
              "--json"],
    )  # fmt: skip
    assert bundled.exit_code == 0, bundled.output
    assert json.loads(bundled.stdout)["symbols"] == ["IBM"]
    path = lower_case_file(tmp_path)
    from_file = runner.invoke(
        app, ["backtest", "--data", str(path), "--symbols", "Msft", "--strategy", "buy_and_hold",
              "--json"],
    )  # fmt: skip
    assert from_file.exit_code == 0, from_file.output
    assert json.loads(from_file.stdout)["symbols"] == ["MSFT"]
