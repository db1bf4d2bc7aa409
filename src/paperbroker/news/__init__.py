"""News for trading agents: items, file loaders, a no-look-ahead feed and headline sentiment.

- :class:`NewsItem`: one headline about one or more symbols, stamped in epoch ns.
- :func:`load_news` / :func:`parse_news`: CSV and JSON Lines news files;
  :func:`load_sample_news`: the bundled example (fictional headlines, 2012 H1).
- :class:`NewsFeed`: hands out items as time reaches them, never earlier.
- :class:`LexiconScorer` and :class:`SentimentTracker`: a headline's VADER
  score and a per-symbol, time-decayed score built from them.

The VADER lexicon is loaded on the first score, not when this package is imported.
See ``docs/news.md``.
"""

from __future__ import annotations

from paperbroker.news.feed import NewsFeed
from paperbroker.news.items import NewsItem, content_id, format_rfc3339, parse_rfc3339
from paperbroker.news.loaders import load_named_news, load_news, load_sample_news, parse_news
from paperbroker.news.sentiment import LexiconScorer, SentimentTracker

__all__ = [
    "LexiconScorer",
    "NewsFeed",
    "NewsItem",
    "SentimentTracker",
    "content_id",
    "format_rfc3339",
    "load_named_news",
    "load_news",
    "load_sample_news",
    "parse_news",
    "parse_rfc3339",
]
