"""A data agent replays a news file as its clock reaches each headline, never earlier.

And the standard pipeline of a strategy that reads sentiment has a sentiment
agent, so ``news: sample`` is all a sentiment strategy needs in a backtest.
"""

from __future__ import annotations

import logging
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from paperbroker.agents.bus import Bus, Topic
from paperbroker.agents.decision import DataAgent
from paperbroker.agents.pipeline import Pipeline, standard_pipeline
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.data.samples import load_sample
from paperbroker.engine.backtest import Backtest
from paperbroker.model.enums import OrderSide
from paperbroker.news import load_sample_news, parse_rfc3339
from paperbroker.strategy.registry import resolve_strategy

AGENT_ID = "00000000-0000-4000-8000-00000000000d"
NEWS_CSV = """time,symbols,headline
2024-03-04T15:00:00Z,AAPL,Apple opens a new store
2024-03-04T21:00:00Z,MSFT,Microsoft closes a deal at the bell
2024-03-05T09:00:00Z,AAPL;MSFT,Apple and Microsoft agree a patent truce
2024-03-06T23:00:00Z,AAPL,Apple after the last bar
"""


def ts(text: str) -> int:
    return parse_rfc3339(text)


def bar(symbol: str, close_time: str) -> Bar:
    return Bar(symbol, ts(close_time), 10.0, 11.0, 9.0, 10.5, 1000.0)


class Recorder:
    """A data agent on a bus, a clock it reads, and everything it publishes, in order."""

    def __init__(self, symbols: list[str], config: dict[str, Any], news_dir: Path | None) -> None:
        self.now = 0
        self.heard: list[tuple[int, Topic, Any]] = []
        bus = Bus()
        self.agent = DataAgent(
            AGENT_ID, "data", symbols, config, logging.getLogger("test.data"), news_dir=news_dir
        )
        self.agent.attach(bus, lambda: self.now)
        for topic in (Topic.BARS, Topic.NEWS):
            bus.subscribe("listener", topic, lambda t, m: self.heard.append((self.now, t, m)))
        self.agent.start()

    def close(self, *bars: Bar) -> None:
        for each in bars:
            self.now = each.ts
            self.agent.on_bar(each)

    def headlines(self) -> list[tuple[int, str]]:
        return [(when, m.headline) for when, t, m in self.heard if t is Topic.NEWS]


@pytest.fixture
def news_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "news"
    directory.mkdir()
    (directory / "wire.csv").write_text(NEWS_CSV)
    return directory


def test_each_headline_goes_out_at_the_first_bar_close_at_or_after_it(news_dir: Path) -> None:
    data = Recorder([], {"news": "wire.csv"}, news_dir)
    data.close(bar("AAPL", "2024-03-04T21:00:00Z"), bar("MSFT", "2024-03-04T21:00:00Z"))
    data.close(bar("AAPL", "2024-03-05T21:00:00Z"))
    data.close(bar("AAPL", "2024-03-06T21:00:00Z"))
    assert data.headlines() == [
        (ts("2024-03-04T21:00:00Z"), "Apple opens a new store"),
        # Stamped at the close itself: known at that close, so it goes out then.
        (ts("2024-03-04T21:00:00Z"), "Microsoft closes a deal at the bell"),
        (ts("2024-03-05T21:00:00Z"), "Apple and Microsoft agree a patent truce"),
    ]  # the 23:00 headline is after the last close: never published
    # Before its bar: a strategy deciding on that bar already knows the news.
    topics = [t for _, t, _ in data.heard]
    assert topics[:3] == [Topic.NEWS, Topic.NEWS, Topic.BARS]
    assert all(m.ts <= when for when, t, m in data.heard if t is Topic.NEWS)
    assert data.agent.metrics["news"] == 3


def test_a_data_agent_publishes_only_the_news_of_its_symbols(news_dir: Path) -> None:
    data = Recorder(["MSFT"], {"news": "wire.csv"}, news_dir)
    data.close(bar("AAPL", "2024-03-04T21:00:00Z"), bar("MSFT", "2024-03-05T21:00:00Z"))
    assert [h for _, h in data.headlines()] == [
        "Microsoft closes a deal at the bell",
        "Apple and Microsoft agree a patent truce",
    ]


def test_headlines_due_while_stopped_are_not_published_later(news_dir: Path) -> None:
    data = Recorder([], {"news": "wire.csv"}, news_dir)
    data.agent.stop()
    data.close(bar("AAPL", "2024-03-04T21:00:00Z"))
    data.agent.start()
    data.close(bar("AAPL", "2024-03-05T21:00:00Z"))
    assert [h for _, h in data.headlines()] == ["Apple and Microsoft agree a patent truce"]


def test_another_news_file_takes_over_from_now_on(news_dir: Path) -> None:
    (news_dir / "late.jsonl").write_text(
        '{"time": "2024-03-04T12:00:00Z", "symbols": ["IBM"], "headline": "IBM old news"}\n'
        '{"time": "2024-03-05T12:00:00Z", "symbols": ["IBM"], "headline": "IBM new news"}\n'
    )
    data = Recorder([], {"news": "wire.csv"}, news_dir)
    data.close(bar("AAPL", "2024-03-04T21:00:00Z"))
    data.agent.configure({"news": "late.jsonl"})
    data.close(bar("AAPL", "2024-03-05T21:00:00Z"))
    assert [h for _, h in data.headlines()][-1:] == ["IBM new news"]
    assert "IBM old news" not in [h for _, h in data.headlines()]


def test_the_sample_news_is_replayed_whole_over_its_half_year() -> None:
    data = Recorder([], {"news": "sample"}, None)
    days = [int(t) for t in load_sample("stocks", symbols=["AAPL"])["AAPL"].ts]
    span = [d for d in days if ts("2012-01-01T00:00:00Z") <= d <= ts("2012-07-31T00:00:00Z")]
    data.close(*(bar("AAPL", "2000-01-01T00:00:00Z")._replace(ts=d) for d in span))
    assert len(data.headlines()) == len(load_sample_news())
    assert all(item.ts <= when for when, item in zip(
        [w for w, t, _ in data.heard if t is Topic.NEWS],
        [m for _, t, m in data.heard if t is Topic.NEWS], strict=True,
    ))  # fmt: skip


TRAVERSALS = [
    "../wire.csv", "..", ".", "/etc/passwd", "news/../wire.csv", "wire.csv/", "..%2fwire.csv",
    "%2e%2e/wire.csv", "wire.csv\x00", "./wire.csv", "\\wire.csv", "C:\\wire.csv", "~/wire.csv",
    " wire.csv", ".hidden", "outside.csv", "missing.csv",
]  # fmt: skip


@pytest.mark.parametrize("name", TRAVERSALS)
def test_in_a_server_a_news_name_is_a_file_directly_in_the_news_directory(
    name: str, news_dir: Path
) -> None:
    secret = news_dir.parent / "wire.csv"
    secret.write_text("time,symbols,headline\n2024-03-04T15:00:00Z,AAPL,SECRET\n")
    os.symlink(secret, news_dir / "outside.csv")
    with pytest.raises(InvalidRequest) as refused:
        Recorder([], {"news": name}, news_dir)
    assert "SECRET" not in str(refused.value)


def test_without_a_news_directory_a_news_name_is_a_path(news_dir: Path) -> None:
    data = Recorder([], {"news": str(news_dir / "wire.csv")}, None)
    data.close(bar("AAPL", "2024-03-04T21:00:00Z"))
    assert len(data.headlines()) == 2


def test_a_bad_news_file_is_refused_naming_its_line(news_dir: Path) -> None:
    (news_dir / "bad.csv").write_text("time,symbols,headline\nyesterday,AAPL,Apple\n")
    with pytest.raises(InvalidRequest, match=r"bad\.csv:2"):
        Recorder([], {"news": "bad.csv"}, news_dir)


def test_the_standard_pipeline_has_a_sentiment_agent_when_its_strategy_reads_sentiment() -> None:
    types = [a["type"] for a in standard_pipeline("sentiment_momentum", news="sample")]
    assert types == ["data", "sentiment", "strategy", "risk", "execution"]
    assert "sentiment" not in [a["type"] for a in standard_pipeline("sma_crossover")]
    assert standard_pipeline("sma_crossover", news="sample")[0]["config"] == {"news": "sample"}


def test_a_server_resolves_strategies_by_name_only(tmp_path: Path) -> None:
    source = tmp_path / "mine.py"
    source.write_text("from paperbroker import Strategy\nclass Mine(Strategy):\n    pass\n")
    assert resolve_strategy(f"{source}:Mine").__name__ == "Mine"
    with pytest.raises(InvalidRequest, match="by name only"):
        resolve_strategy(f"{source}:Mine", files=False)
    with pytest.raises(InvalidRequest, match="by name only"):
        standard_pipeline(f"{source}:Mine", strategy_files=False)


def sentiment_backtest(news: str | None) -> list[Any]:
    agents = standard_pipeline("sentiment_momentum", symbols=["AAPL"], news=news)
    result = Backtest(
        load_sample("stocks", symbols=["AAPL"]), Pipeline, params={"agents": agents},
        execution="ideal", start="2012-01-01", end="2012-06-30",
    ).run()  # fmt: skip
    return [o for o in result.orders if o.side is OrderSide.BUY and o.filled_qty > Decimal(0)]


def test_sample_news_lets_sentiment_momentum_enter_only_after_good_apple_news() -> None:
    assert sentiment_backtest(None) == []  # no score: no entries (require_sentiment)
    buys = sentiment_backtest("sample")
    assert buys
    first_good_news = min(
        item.ts for item in load_sample_news()
        if "AAPL" in item.symbols and "beat expectations" in item.headline
    )  # fmt: skip
    assert buys[0].ts_created >= first_good_news
