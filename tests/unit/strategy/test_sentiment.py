"""The context's sentiment hook, the sentiment timeline and the sentiment-gated momentum."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy import SentimentMomentum, SentimentTimeline
from paperbroker.strategy.base import Strategy

CLOSES = [10.0, 10.0, 10.0, 10.5, 12.0, 12.5, 12.4, 11.0, 10.0, 10.0]
MOMENTUM = {"lookback": 2, "threshold": 0.10, "exit_threshold": -0.05}


def series(build: Any) -> BarSeries:
    rows = [(c, c + 0.25, c - 0.25, c) for c in CLOSES]
    return build.series(rows)  # type: ignore[no-any-return]


# ---- the context hook ----------------------------------------------------------------------


def test_context_sentiment_none_without_source(build: Any) -> None:
    ctx = build.kernel(series(build)).ctx
    assert ctx.sentiment("XYZ") is None


def test_context_sentiment_reads_the_source(build: Any) -> None:
    ctx = build.kernel(series(build)).ctx
    scores: dict[str, float] = {"XYZ": 0.25}
    ctx.set_sentiment_source(scores.get)
    assert ctx.sentiment("XYZ") == 0.25
    assert ctx.sentiment("ABC") is None
    scores["XYZ"] = float("nan")  # not a score: treated as none
    assert ctx.sentiment("XYZ") is None
    ctx.set_sentiment_source(lambda symbol: 1)  # type: ignore[arg-type, return-value]
    assert ctx.sentiment("XYZ") == 1.0
    assert isinstance(ctx.sentiment("XYZ"), float)
    ctx.set_sentiment_source(None)
    assert ctx.sentiment("XYZ") is None


# ---- the timeline --------------------------------------------------------------------------


def test_sentiment_timeline_answers_as_of_a_time() -> None:
    timeline = SentimentTimeline(
        [(300, "AAA", 0.5), (100, "AAA", -0.2), (300, "AAA", 0.7), (200, "BBB", 0.1)]
    )
    assert timeline.at("AAA", 99) is None  # nothing published yet
    assert timeline.at("AAA", 100) == -0.2
    assert timeline.at("AAA", 299) == -0.2
    assert timeline.at("AAA", 300) == 0.7  # same instant: the last given wins
    assert timeline.at("BBB", 10**18) == 0.1
    assert timeline.at("CCC", 10**18) is None
    # Close times straight from a series (NumPy integers) work as well.
    assert SentimentTimeline([(np.int64(5), "AAA", 0.1)]).at("AAA", 5) == 0.1


def test_sentiment_timeline_accepts_aware_datetimes_only() -> None:
    moment = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
    timeline = SentimentTimeline([(moment, "AAA", 0.4)])
    ns = int(moment.timestamp()) * 10**9
    assert timeline.at("AAA", ns - 1) is None
    assert timeline.at("AAA", ns) == 0.4
    with pytest.raises(InvalidRequest):
        SentimentTimeline([(datetime(2024, 1, 2), "AAA", 0.4)])


# ---- sentiment momentum --------------------------------------------------------------------


def fed(timeline: SentimentTimeline | None) -> type[Strategy]:
    """SentimentMomentum with ``timeline`` as its context's sentiment source."""

    class Fed(SentimentMomentum):
        def on_start(self) -> None:
            if timeline is not None:
                self.ctx.set_sentiment_source(timeline.source(self.ctx))
            super().on_start()

    return Fed


def trades(build: Any, strategy: type[Strategy], **params: Any) -> list[tuple[int, str]]:
    bars = series(build)
    result = Backtest(
        bars, strategy, params={**MOMENTUM, **params}, cash=10_000, execution="ideal"
    ).run()
    index = {int(t): i for i, t in enumerate(bars.ts)}
    return [(index[f.bar_ts], f.side.value) for f in result.fills]


def test_sentiment_momentum_without_scores_takes_no_entries_by_default(build: Any) -> None:
    # Momentum alone: ROC at t=4 is +20 % -> buy at t=5, exit decided at t=7 -> t=8.
    assert trades(build, fed(None)) == []
    assert trades(build, fed(None), require_sentiment=False) == [(5, "buy"), (8, "sell")]


def test_sentiment_momentum_waits_for_good_news(build: Any) -> None:
    # A neutral 0.0 from the start (below min_sentiment 0.05, above exit_sentiment -0.05):
    # t=4's momentum is not taken.  0.5 is published at t=5's close: t=5's ROC (+19 %) is
    # taken -> buy at t=6; the momentum exit at t=7 -> t=8.
    ts = [int(t) for t in series(build).ts]
    timeline = SentimentTimeline([(ts[0], "XYZ", 0.0), (ts[5], "XYZ", 0.5)])
    assert trades(build, fed(timeline)) == [(6, "buy"), (8, "sell")]


def test_sentiment_momentum_score_published_after_the_close_is_not_seen(build: Any) -> None:
    # 0.5 published 1 ns after t=4's close reaches the strategy at t=5 only.
    ts = [int(t) for t in series(build).ts]
    timeline = SentimentTimeline([(ts[4] + 1, "XYZ", 0.5)])
    assert trades(build, fed(timeline)) == [(6, "buy"), (8, "sell")]
    on_time = SentimentTimeline([(ts[4], "XYZ", 0.5)])
    assert trades(build, fed(on_time)) == [(5, "buy"), (8, "sell")]


def test_sentiment_momentum_exits_early_on_bad_news(build: Any) -> None:
    # Bought at t=5 on t=4's signal; -0.3 (< -0.05) published at t=5's close -> sell at t=6
    # although momentum still holds (ROC +19 %).
    ts = [int(t) for t in series(build).ts]
    timeline = SentimentTimeline([(ts[0], "XYZ", 0.5), (ts[5], "XYZ", -0.3)])
    assert trades(build, fed(timeline)) == [(5, "buy"), (6, "sell")]
    # Between the two levels (-0.05 <= score < 0.05) the position is kept.
    neutral = SentimentTimeline([(ts[0], "XYZ", 0.5), (ts[5], "XYZ", -0.05)])
    assert trades(build, fed(neutral)) == [(5, "buy"), (8, "sell")]


def test_sentiment_momentum_plain_class_runs_from_params(build: Any) -> None:
    # Resolvable by name and runnable without a source: no entries, equity unchanged.
    result = Backtest(series(build), SentimentMomentum, params=MOMENTUM, execution="ideal").run()
    assert result.fills == []
    assert result.final_equity == Decimal(100_000)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"min_sentiment": 1.5}, ["'min_sentiment'"]),
        ({"exit_sentiment": -2}, ["'exit_sentiment'"]),
        ({"min_sentiment": 0.0, "exit_sentiment": 0.2}, ["exit_sentiment", "min_sentiment"]),
        ({"threshold": 0.0, "exit_threshold": 0.1}, ["exit_threshold", "threshold"]),
        ({"require_sentiment": "maybe"}, ["'require_sentiment'"]),
    ],
)
def test_sentiment_momentum_params_errors_name_the_parameter(
    params: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        SentimentMomentum(**params)
    for name in names:
        assert name in str(raised.value)
