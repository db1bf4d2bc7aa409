"""Headline sentiment: a lexicon scorer and a per-symbol score that decays with time.

:class:`LexiconScorer` gives a headline VADER's compound score in [-1, 1]
(Hutto & Gilbert, ICWSM 2014; the ``vaderSentiment`` package, whose lexicon
ships inside it).  It is a fixed word list with rules: the same text always
gets the same score, and nothing is downloaded or trained.

:class:`SentimentTracker` turns scored items into one number per symbol:

    S(t) = sum_i w_i s_i / (w0 + sum_i w_i),   w_i = 2 ** (-(t - t_i) / H)

over the items i about the symbol with ``t_i <= t``; ``H`` is the half-life
and ``w0`` the weight of a neutral prior (``docs/news.md`` explains the
choice).  S stays in [-1, 1], fades to 0 when the news stops, and depends on
nothing after ``t``.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_right
from typing import Any

from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.news.items import NewsItem

DEFAULT_HALF_LIFE = 86_400.0
"""One day, in seconds."""

DEFAULT_PRIOR_WEIGHT = 1.0
"""A neutral prior worth one fresh headline."""

_analyzer: Any = None
_analyzer_lock = threading.Lock()


def _vader() -> Any:
    """The one VADER analyzer of the process, built on first use.

    Importing and building it takes tens of milliseconds (it reads its
    lexicon), so it stays out of import time; the lock makes sure two threads
    scoring at once build it only once.  Scoring itself only reads it.
    """
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


class LexiconScorer:
    """VADER's compound score of a headline, in [-1, 1]; deterministic.

    Scores are rounded to 4 decimals by VADER.  The lexicon was built for
    social-media text: it knows "strong", "losses" and "lawsuit" but not
    market words such as "falls" or "misses", which score 0.
    """

    __slots__ = ()

    def warm_up(self) -> None:
        """Load the lexicon now rather than on the first score."""
        _vader()

    def score_text(self, text: str) -> float:
        """The compound score of ``text``."""
        return float(_vader().polarity_scores(text)["compound"])

    def score(self, item: NewsItem) -> float:
        """The compound score of the item's headline (the body is not read)."""
        return self.score_text(item.headline)


class _History:
    """One symbol's scored items in time order, with running decayed sums.

    ``num[k]`` and ``den[k]`` are sum w s and sum w over items ``0..k``,
    weighted as seen at ``ts[k]``; a query at ``t >= ts[k]`` scales both by
    ``2 ** (-(t - ts[k]) / H)``, so each query is a bisection and two
    multiplications.
    """

    __slots__ = ("den", "num", "scores", "ts")

    def __init__(self) -> None:
        self.ts: list[int] = []
        self.scores: list[float] = []
        self.num: list[float] = []
        self.den: list[float] = []

    def insert(self, ts: int, score: float, half_life_ns: float) -> None:
        position = bisect_right(self.ts, ts)  # after equal times: arrival order
        self.ts.insert(position, ts)
        self.scores.insert(position, score)
        del self.num[position:], self.den[position:]
        # Appending in time order recomputes one entry; a late item, its suffix.
        for k in range(position, len(self.ts)):
            if k == 0:
                self.num.append(self.scores[0])
                self.den.append(1.0)
                continue
            decay = _decay(self.ts[k] - self.ts[k - 1], half_life_ns)
            self.num.append(self.num[k - 1] * decay + self.scores[k])
            self.den.append(self.den[k - 1] * decay + 1.0)


def _decay(elapsed_ns: int, half_life_ns: float) -> float:
    return math.pow(2.0, -elapsed_ns / half_life_ns)


class SentimentTracker:
    """Per-symbol sentiment: a time-decayed mean of headline scores, shrunk toward 0.

    ``S(t) = sum_i w_i s_i / (w0 + sum_i w_i)`` with ``w_i = 2 ** (-(t - t_i) / H)``
    over the symbol's items with ``t_i <= t``; ``H`` is ``half_life`` (seconds)
    and ``w0`` is ``prior_weight``.  ``prior_weight=0`` gives the plain decayed
    mean, which never fades.  Items may be added in any order; a score at
    ``t`` only ever reads items stamped at or before ``t``.
    """

    __slots__ = ("_half_life", "_half_life_ns", "_history", "_ids", "_prior")

    def __init__(
        self,
        half_life: float = DEFAULT_HALF_LIFE,
        *,
        prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    ) -> None:
        """Raises InvalidRequest unless ``half_life > 0`` and ``prior_weight >= 0``, finite."""
        if not _finite(half_life) or half_life <= 0:
            raise InvalidRequest(f"half_life must be a positive number of seconds, not {half_life}")
        if not _finite(prior_weight) or prior_weight < 0:
            raise InvalidRequest(f"prior_weight must be a number >= 0, not {prior_weight}")
        self._half_life = float(half_life)
        self._half_life_ns = self._half_life * NANOS_PER_SECOND
        self._prior = float(prior_weight)
        self._history: dict[str, _History] = {}
        self._ids: set[str] = set()

    @property
    def half_life(self) -> float:
        """The half-life of a headline's weight, in seconds."""
        return self._half_life

    @property
    def prior_weight(self) -> float:
        """The weight ``w0`` of the neutral prior."""
        return self._prior

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols with at least one scored item, sorted."""
        return tuple(sorted(self._history))

    def update(self, item: NewsItem, score: float) -> None:
        """Count ``score`` (in [-1, 1]) for each of the item's symbols from ``item.ts`` on.

        Raises:
            InvalidRequest: if ``score`` is not a finite number in [-1, 1].
            Conflict: if this item (by id) was counted before.
        """
        if isinstance(score, bool) or not _finite(score) or not -1.0 <= score <= 1.0:
            raise InvalidRequest(f"score must be a number in [-1, 1], not {score!r}")
        if item.id in self._ids:
            raise Conflict(f"news id {item.id!r} was already counted")
        self._ids.add(item.id)
        for symbol in item.symbols:
            history = self._history.setdefault(symbol, _History())
            history.insert(item.ts, float(score), self._half_life_ns)

    def to_state(self) -> dict[str, Any]:
        """The items counted (by id) and each symbol's scored history, for a checkpoint."""
        return {
            "ids": sorted(self._ids),
            "history": {
                symbol: [h.ts, h.scores, h.num, h.den] for symbol, h in self._history.items()
            },
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take what :meth:`to_state` wrote (the scores are finite: JSON numbers, exact)."""
        self._ids = {str(i) for i in state["ids"]}
        self._history = {}
        for symbol, (ts, scores, num, den) in state["history"].items():
            history = _History()
            history.ts = [int(t) for t in ts]
            history.scores, history.num, history.den = (
                [float(v) for v in values] for values in (scores, num, den)
            )
            self._history[symbol] = history

    def score(self, symbol: str, at_ts: int) -> float | None:
        """``S(at_ts)`` for ``symbol``, or None if it has no news at or before ``at_ts``."""
        history = self._history.get(symbol.strip().upper())
        if history is None:
            return None
        k = bisect_right(history.ts, at_ts) - 1
        if k < 0:
            return None
        if self._prior == 0.0:
            # The decay cancels out of a plain mean; skipping it avoids 0/0
            # once the weights underflow.
            return history.num[k] / history.den[k]
        decay = _decay(at_ts - history.ts[k], self._half_life_ns)
        # + 0.0 turns the -0.0 of a fully decayed negative score into 0.0.
        return (decay * history.num[k]) / (self._prior + decay * history.den[k]) + 0.0

    def scores(self, at_ts: int) -> dict[str, float]:
        """``S(at_ts)`` of every symbol with news at or before ``at_ts``, by symbol."""
        result: dict[str, float] = {}
        for symbol in self.symbols:
            value = self.score(symbol, at_ts)
            if value is not None:
                result[symbol] = value
        return result


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)
