"""The sentiment agent: scores each headline it hears and publishes per-symbol sentiment.

Each headline on the ``news`` topic is scored with the lexicon model
(:class:`~paperbroker.news.LexiconScorer`, VADER) and added to a decayed
per-symbol score (:class:`~paperbroker.news.SentimentTracker`); for every
symbol the headline names, the agent publishes that symbol's score as of the
headline's time on ``sentiment``. Nothing later than the headline is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from paperbroker.agents.base import Agent, AgentConfig
from paperbroker.agents.bus import NewsHeadline, SentimentScore, Topic
from paperbroker.news import LexiconScorer, NewsItem, SentimentTracker


class SentimentConfig(AgentConfig):
    half_life_seconds: float = Field(
        86_400.0, gt=0, le=365 * 86_400, description="how fast a headline's weight halves"
    )
    prior_weight: float = Field(
        1.0, ge=0, le=100, description="weight of the neutral prior (0: a plain decayed mean)"
    )


class SentimentAgent(Agent):
    """Headlines in, decayed per-symbol scores in [-1, 1] out."""

    kind = "sentiment"
    Config = SentimentConfig
    subscribes = (Topic.NEWS,)
    publishes = (Topic.SENTIMENT,)
    config: SentimentConfig

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scorer = LexiconScorer()
        self._tracker = self._new_tracker()

    def _new_tracker(self) -> SentimentTracker:
        return SentimentTracker(
            self.config.half_life_seconds, prior_weight=self.config.prior_weight
        )

    def on_configure(self) -> None:
        # The decay changed: the scores so far are rebuilt only from later headlines.
        self._tracker = self._new_tracker()

    def save(self) -> dict[str, Any]:
        return {"tracker": self._tracker.to_state()}

    def load(self, state: Mapping[str, Any]) -> None:
        self._tracker = self._new_tracker()
        self._tracker.from_state(state["tracker"])

    def on_message(self, topic: Topic, message: Any) -> None:
        assert isinstance(message, NewsHeadline)
        item = NewsItem(message.ts, message.symbols, message.headline, message.source or None)
        score = self._scorer.score(item)
        self.metrics["headlines"] += 1
        self._tracker.update(item, score)
        self.log.info("%+.4f %s: %s", score, ",".join(item.symbols), item.headline)
        for symbol in item.symbols:
            value = self._tracker.score(symbol, message.ts)
            if value is not None:
                self.publish(Topic.SENTIMENT, SentimentScore(message.ts, symbol, value))
