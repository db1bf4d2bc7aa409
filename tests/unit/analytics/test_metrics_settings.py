"""The server's default risk-free rate, and a backtest's benchmark option."""

from __future__ import annotations

import pytest

from paperbroker import Backtest, SmaCrossover
from paperbroker.core.errors import InvalidRequest
from paperbroker.data import load_sample
from paperbroker.settings import SettingsError, load_settings


def test_the_default_rate_is_zero_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PAPERBROKER_RISK_FREE_RATE", raising=False)
    assert load_settings(env_file=None).risk_free_rate == 0.0
    monkeypatch.setenv("PAPERBROKER_RISK_FREE_RATE", "0.045")
    assert load_settings(env_file=None).risk_free_rate == 0.045


@pytest.mark.parametrize("text", ["-1", "nan", "abc", "3"])
def test_a_bad_rate_is_refused_naming_it(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("PAPERBROKER_RISK_FREE_RATE", text)
    with pytest.raises(SettingsError, match="PAPERBROKER_RISK_FREE_RATE"):
        load_settings(env_file=None)


def test_a_benchmark_symbol_must_be_in_the_data() -> None:
    data = load_sample("stocks", symbols=["AAPL", "IBM"])
    both = Backtest(list(data.values()), SmaCrossover, benchmark="ibm", end="2005-12-31")
    assert both.benchmark is both.series[1]  # the traded IBM bars, in the window
    with pytest.raises(InvalidRequest, match="'SPY' is not among the data's symbols"):
        Backtest(data["AAPL"], SmaCrossover, benchmark="SPY")
    with pytest.raises(InvalidRequest, match="risk_free_rate"):
        Backtest(data["AAPL"], SmaCrossover, risk_free_rate=float("inf"))
    without = Backtest(data["AAPL"], SmaCrossover, start="2005-01-01", end="2005-06-30").run()
    assert without.metrics.alpha is None
    assert without.metrics.beta is None


def test_the_notebook_view_shows_the_benchmark_figures_only_with_one() -> None:
    data = load_sample("stocks", symbols=["AAPL", "IBM"])
    run = Backtest(list(data.values()), SmaCrossover, benchmark="IBM", end="2005-12-31").run()
    assert "Alpha / beta vs IBM" in run._repr_html_()
    assert "Calmar ratio" in run._repr_html_()
    plain = Backtest(data["AAPL"], SmaCrossover, end="2005-12-31").run()
    assert "Alpha / beta" not in plain._repr_html_()
