"""Momentum gated by news sentiment, and a timeline of scores to feed it in backtests."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from paperbroker.core.clock import datetime_to_ns
from paperbroker.strategy.momentum import Momentum, MomentumParams

if TYPE_CHECKING:
    from paperbroker.engine.context import SentimentSource, StrategyContext

#: (published at: epoch ns or an aware datetime, symbol, score): the field order of
#: the session bus's ``SentimentScore``, so its messages can be passed as they are.
ScoreRecord = tuple[int | datetime, str, float]


class SentimentMomentumParams(MomentumParams):
    min_sentiment: float = Field(
        0.05, ge=-1, le=1, description="enter only when the symbol's sentiment is at least this"
    )
    exit_sentiment: float = Field(
        -0.05, ge=-1, le=1, description="exit early when the sentiment falls below this"
    )
    require_sentiment: bool = Field(
        True, description="with no score for the symbol: no entries (True) or plain momentum"
    )

    @model_validator(mode="after")
    def _exit_not_above_entry_sentiment(self) -> SentimentMomentumParams:
        if self.exit_sentiment > self.min_sentiment:
            raise ValueError(
                f"exit_sentiment ({self.exit_sentiment}) must not exceed "
                f"min_sentiment ({self.min_sentiment})"
            )
        return self


class SentimentMomentum(Momentum):
    """Momentum whose entries need good news, long only (see :class:`Momentum`).

    Sentiment is a score in [-1, 1] read from ``ctx.sentiment(symbol)``: the
    latest score published for the symbol by the session's sentiment source.
    Entries follow the momentum rule and are taken only when the score is at
    least ``min_sentiment``; a long position is also closed when the score
    falls below ``exit_sentiment``.  With no score for a symbol (no source, or
    nothing published yet) it takes no entries, the safe default, unless
    ``require_sentiment=False``, when it trades as plain momentum; an existing
    position then exits on the momentum rule only.

    Sizing is momentum's: at the signal bar's close, trimmed at the fill.
    """

    name = "sentiment_momentum"
    uses_sentiment = True
    Params = SentimentMomentumParams
    params: SentimentMomentumParams

    def entry_allowed(self, symbol: str) -> bool:
        score = self.ctx.sentiment(symbol)
        if score is None:
            return not self.params.require_sentiment
        return score >= self.params.min_sentiment

    def exit_early(self, symbol: str) -> bool:
        score = self.ctx.sentiment(symbol)
        return score is not None and score < self.params.exit_sentiment


class SentimentTimeline:
    """Sentiment scores stamped with the time they were published, read as of a moment.

    For backtests: :meth:`source` gives a context a sentiment source that
    answers with the latest score published at or before the kernel's clock,
    never a later one.  Scores published at the same instant: the last given wins.

    Raises:
        InvalidRequest: for a naive datetime.
    """

    def __init__(self, scores: Iterable[ScoreRecord]) -> None:
        by_symbol: dict[str, list[tuple[int, int, float]]] = {}
        for order, (published, symbol, score) in enumerate(scores):
            ts = datetime_to_ns(published) if isinstance(published, datetime) else int(published)
            by_symbol.setdefault(symbol, []).append((ts, order, float(score)))
        self._times: dict[str, list[int]] = {}
        self._scores: dict[str, list[float]] = {}
        for symbol, records in by_symbol.items():
            records.sort()
            self._times[symbol] = [ts for ts, _, _ in records]
            self._scores[symbol] = [score for _, _, score in records]

    def at(self, symbol: str, ts_ns: int) -> float | None:
        """The latest score for ``symbol`` published at or before ``ts_ns`` (``None``: none yet)."""
        times = self._times.get(symbol)
        if not times:
            return None
        index = bisect.bisect_right(times, ts_ns) - 1
        return self._scores[symbol][index] if index >= 0 else None

    def source(self, ctx: StrategyContext) -> SentimentSource:
        """A sentiment source for ``ctx``: scores as of its clock.

        Install it with ``ctx.set_sentiment_source(timeline.source(ctx))``.
        """

        def latest(symbol: str) -> float | None:
            return self.at(symbol, ctx.now_ns)

        return latest
