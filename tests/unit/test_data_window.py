"""The data a new session asks for: which symbols, and whether its window has their bars."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.coverage import moment_text, span_text
from paperbroker.services.data_window import check_window, requested_symbols
from paperbroker.session.market import MarketData


def agents(strategy: list[list[str]], data: list[str] | None = None) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {"type": "data", "name": "data", "symbols": data or []},
        {"type": "risk", "name": "risk"},
        {"type": "execution", "name": "execution"},
    ]
    specs += [
        {"type": "strategy", "name": f"s{i}", "symbols": symbols,
         "config": {"strategy": "sma_crossover"}}
        for i, symbols in enumerate(strategy)
    ]  # fmt: skip
    return specs


@pytest.mark.parametrize(
    ("pipeline", "symbols"),
    [
        (None, None),  # traded by hand: every symbol
        (agents([["MSFT"], ["AAPL", "MSFT"]]), ["AAPL", "MSFT"]),
        (agents([["MSFT"], []]), None),  # one strategy trades every symbol
        (agents([[]], data=["IBM"]), ["IBM"]),  # the data agent narrows it
    ],
)
def test_the_symbols_a_session_asks_for(
    pipeline: list[dict[str, Any]] | None, symbols: list[str] | None
) -> None:
    assert requested_symbols(pipeline) == symbols


def test_an_invalid_pipeline_is_refused_as_the_session_would_refuse_it() -> None:
    with pytest.raises(InvalidRequest, match="a pipeline needs exactly one risk agent"):
        requested_symbols([a for a in agents([["AAPL"]]) if a["type"] != "risk"])


@pytest.fixture
def market(build: Any) -> MarketData:
    days = build.daily_ts(5, date(2024, 1, 2))  # Jan 2 to Jan 8, 16:00 New York
    bar = (10.0, 11.0, 9.0, 10.5)
    return MarketData(
        {
            "DAY": build.series([bar] * 5, symbol="DAY", ts=days),
            "MIN": build.series([bar] * 3, symbol="MIN", freq="minute"),  # 09:30 to 09:33
            "LATE": build.series([bar], symbol="LATE", ts=days[-1:]),
        }
    )


def test_ranges_are_dates_for_daily_bars_and_utc_minutes_for_intraday(market: MarketData) -> None:
    assert span_text("DAY", market.series("DAY")) == "DAY: 2024-01-02 – 2024-01-08"
    assert span_text("MIN", market.series("MIN")) == "MIN: 2024-01-02 14:30Z – 2024-01-02 14:33Z"
    assert span_text("NOPE", market.series("NOPE")) == "NOPE: no data"
    assert moment_text(1_704_153_599_999_999_999) == "2024-01-01"  # the day's last ns


def test_a_window_needs_a_bar_of_each_named_symbol(build: Any, market: MarketData) -> None:
    jan_3, jan_5 = (build.ny_ns(date(2024, 1, d)) for d in (3, 5))
    check_window(market, ["DAY"], jan_3, jan_5)
    with pytest.raises(InvalidRequest) as error:
        check_window(market, ["DAY", "LATE", "NOPE"], jan_3, jan_5)
    assert str(error.value) == (
        "no bars of LATE, NOPE in the session's window 2024-01-03 21:00Z – 2024-01-05 21:00Z; "
        "the data has DAY: 2024-01-02 – 2024-01-08, LATE: 2024-01-08 – 2024-01-08, NOPE: no data"
    )
    # A bar closing at the start is history, not in the window; with bar_at_start it is.
    with pytest.raises(InvalidRequest, match="no bars of LATE"):
        check_window(market, ["LATE"], build.ny_ns(date(2024, 1, 8)), None)
    check_window(market, ["LATE"], build.ny_ns(date(2024, 1, 8)), None, bar_at_start=True)


def test_with_every_symbol_one_with_bars_in_the_window_is_enough(
    build: Any, market: MarketData
) -> None:
    check_window(market, None, build.ny_ns(date(2024, 1, 7)), build.ny_ns(date(2024, 1, 9)))
    with pytest.raises(InvalidRequest) as error:
        check_window(market, None, build.ny_ns(date(2024, 1, 9)), build.ny_ns(date(2024, 1, 12)))
    assert str(error.value) == (
        "no market data in the session's window 2024-01-09 21:00Z – 2024-01-12 21:00Z; the data "
        "has DAY: 2024-01-02 – 2024-01-08, LATE: 2024-01-08 – 2024-01-08, "
        "MIN: 2024-01-02 14:30Z – 2024-01-02 14:33Z"
    )
