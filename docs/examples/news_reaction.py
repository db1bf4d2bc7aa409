"""A strategy that trades on the news: buy a symbol when its sentiment rises above
a threshold, sell when it turns bad or after a few bars.

Used by docs/agents.md, which runs it in a pipeline with the bundled sample news.
"""

from __future__ import annotations

from pydantic import Field

from paperbroker import Bar, Strategy, StrategyParams


class NewsReactionParams(StrategyParams):
    threshold: float = Field(0.3, gt=0, le=1, description="sentiment needed to buy")
    hold_bars: int = Field(5, ge=1, description="bars to hold a position at most")


class NewsReaction(Strategy):
    """Long only: enter when good news lifts the score across ``threshold``; exit on
    bad news or after ``hold_bars``."""

    name = "news_reaction"
    uses_sentiment = True  # its standard pipeline gets a sentiment agent
    Params = NewsReactionParams
    params: NewsReactionParams

    def on_start(self) -> None:
        self.held: dict[str, int] = {}
        self.last_score: dict[str, float] = {}

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        score = self.ctx.sentiment(symbol)  # the latest score heard, or None
        before = self.last_score.get(symbol, 0.0)
        if score is not None:
            self.last_score[symbol] = score
        if not self.ctx.position(symbol).qty:
            if score is not None and before < self.params.threshold <= score:
                budget = self.ctx.cash / len(self.ctx.symbols)
                qty = self.ctx.affordable_qty(symbol, price=bar.close, budget=budget)
                if qty > 0:
                    self.ctx.buy(symbol, qty)
                    self.held[symbol] = 0
            return
        self.held[symbol] = self.held.get(symbol, 0) + 1
        if self.held[symbol] >= self.params.hold_bars or (score is not None and score < 0):
            self.ctx.close_position(symbol)
