"""Market data read on first use (the server's): whole for every caller, errors named, retried."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paperbroker.core.errors import OperationalError
from paperbroker.data.loaders import save_parquet
from paperbroker.data.samples import load_sample
from paperbroker.data.series import BarSeries
from paperbroker.session.market import MarketData


def test_deferred_market_data_is_read_once_on_first_use_and_is_whole() -> None:
    reads: list[int] = []

    def read() -> dict[str, BarSeries]:
        reads.append(1)
        return {**load_sample("stocks"), **load_sample("eurusd")}

    market = MarketData.deferred(read)
    assert reads == []
    seen: list[set[str]] = []
    threads = [
        threading.Thread(target=lambda: seen.append({a.symbol for a in market.assets()}))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reads == [1]
    assert seen == [seen[0]] * 4
    assert {"AAPL", "EURUSD", "IBM"} <= seen[0]
    assert market.series("AAPL") is not None


def test_a_load_that_fails_names_why_and_is_tried_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "market"
    data_dir.mkdir()
    shadow = data_dir / "AAPL.parquet"  # put there by hand: `data import` refuses bundled symbols
    save_parquet(load_sample("stocks", symbols="AAPL")["AAPL"], shadow)
    market = MarketData.load(data_dir, deferred=True)
    message = "the market data did not load: imported symbols shadow bundled ones: AAPL"
    with pytest.raises(OperationalError, match=message):
        market.preload()
    with pytest.raises(OperationalError, match=message):
        market.assets()
    shadow.unlink()  # the operator fixes it; the next use reads the data
    assert "AAPL" in {a.symbol for a in market.assets()}
