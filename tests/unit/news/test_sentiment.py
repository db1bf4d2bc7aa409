"""Headline scores (pinned VADER values) and the decayed per-symbol score."""

from __future__ import annotations

import math
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.news import LexiconScorer, NewsItem, SentimentTracker, load_sample_news, sentiment

HOUR_NS = 3_600 * 1_000_000_000
T0 = 1_327_406_400_000_000_000  # 2012-01-24T12:00:00Z


def item(ts: int, name: str, *symbols: str) -> NewsItem:
    return NewsItem(ts, symbols or ("AAPL",), f"Headline {name}", id=name)


# --- the scorer ---------------------------------------------------------------------

#: VADER 3.3.2 compound scores, computed once and pinned.
PINNED = {
    "Apple supplier warns of weak demand and costly production delays": -0.6369,
    "Apple tops smartphone rankings with strong sales growth": 0.8481,
    "Apple to hold product event in March": 0.0,
    "Microsoft warns of weak demand and losses at online unit": -0.7579,
    "IBM research team wins award for chip breakthrough": 0.802,
    # The lexicon is general-purpose: "fall" and "slowing" are not in it, and
    # "shares" (as in sharing) and "growth" outweigh "cut".
    "Apple shares fall sharply after analysts cut targets on slowing growth": 0.4019,
}


@pytest.mark.parametrize(("headline", "expected"), PINNED.items())
def test_scorer_pinned_values(headline: str, expected: float) -> None:
    scorer = LexiconScorer()
    assert scorer.score_text(headline) == expected
    assert scorer.score(NewsItem(T0, ("AAPL",), headline)) == expected


def test_scorer_reads_the_headline_only() -> None:
    news = NewsItem(T0, ("AAPL",), "Apple names new head of retail operations", body="Great!")
    assert LexiconScorer().score(news) == 0.0


#: Key headlines of the bundled sample and their scores.
SAMPLE_SCORES = {
    "sample-010": -0.6369,  # AAPL 2012-01-24T12:00Z, before that day's open: supplier warning
    "sample-005": 0.6705,  # AAPL 2012-01-11T21:15Z: tablet sales beat expectations
    "sample-016": -0.6908,  # AAPL 2012-02-09T12:00Z: regulators criticise supplier plants
    "sample-040": 0.8481,  # AAPL 2012-04-25T12:00Z: tops smartphone rankings
    "sample-023": -0.6597,  # AAPL and GOOG 2012-03-01T16:30Z: patent complaints
    "sample-050": 0.6597,  # AAPL, MSFT, GOOG 2012-05-30T16:30Z: industry survey
    "sample-041": -0.7579,  # MSFT 2012-05-02T12:00Z: weak demand and losses
    "sample-024": 0.802,  # IBM 2012-03-06T16:30Z: research award
    "sample-001": 0.0,  # AAPL 2012-01-05T12:00Z: product event date
}


def test_sample_scores() -> None:
    scorer = LexiconScorer()
    scored = {news.id: scorer.score(news) for news in load_sample_news()}
    for news_id, expected in SAMPLE_SCORES.items():
        assert scored[news_id] == expected, news_id
    # Written as 22 positive, 21 negative and 20 neutral headlines; VADER agrees.
    assert sum(value >= 0.4 for value in scored.values()) == 22
    assert sum(value <= -0.4 for value in scored.values()) == 21
    assert sum(value == 0.0 for value in scored.values()) == 20


def test_vader_is_not_imported_with_the_package() -> None:
    code = (
        "import sys, paperbroker.news; "
        "assert 'vaderSentiment' not in sys.modules; "
        "paperbroker.news.LexiconScorer().warm_up(); "
        "assert 'vaderSentiment.vaderSentiment' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_analyzer_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "_analyzer", None)
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        seen.append(sentiment._vader())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(analyzer is seen[0] for analyzer in seen)


# --- the tracker --------------------------------------------------------------------


def test_none_before_any_news() -> None:
    tracker = SentimentTracker(3_600)
    assert tracker.score("AAPL", T0) is None
    tracker.update(item(T0, "a"), 0.8)
    assert tracker.score("AAPL", T0 - 1) is None
    assert tracker.score("MSFT", T0) is None
    assert tracker.symbols == ("AAPL",)


def test_hand_computed_decay_with_the_neutral_prior() -> None:
    # H = 1 h, w0 = 1.  s = 0.8 at T0 and -0.2 at T0 + 1 h.
    tracker = SentimentTracker(3_600)
    tracker.update(item(T0, "a"), 0.8)
    assert tracker.score("AAPL", T0) == 0.4  # 0.8 / (1 + 1)
    assert tracker.score("aapl", T0 + HOUR_NS) == pytest.approx(0.4 / 1.5, abs=1e-15)
    tracker.update(item(T0 + HOUR_NS, "b"), -0.2)
    # (0.8 * 0.5 - 0.2) / (1 + 0.5 + 1) = 0.2 / 2.5
    assert tracker.score("AAPL", T0 + HOUR_NS) == pytest.approx(0.08, abs=1e-15)
    # an hour later both weights halve: (0.2 - 0.1) / (1 + 0.25 + 0.5) = 0.1 / 1.75
    assert tracker.score("AAPL", T0 + 2 * HOUR_NS) == pytest.approx(0.1 / 1.75, abs=1e-15)
    # between the two items only the first counts: 0.8 * 2^-0.5 / (1 + 2^-0.5)
    half = 2**-0.5
    assert tracker.score("AAPL", T0 + HOUR_NS // 2) == pytest.approx(
        0.8 * half / (1 + half), abs=1e-15
    )


def test_plain_decayed_mean_without_prior() -> None:
    tracker = SentimentTracker(3_600, prior_weight=0)
    tracker.update(item(T0, "a"), 0.8)
    assert tracker.score("AAPL", T0 + 1_000 * HOUR_NS) == 0.8  # a plain mean never fades
    tracker.update(item(T0 + HOUR_NS, "b"), -0.2)
    # (0.8 * 0.5 - 0.2) / (0.5 + 1) = 0.2 / 1.5
    assert tracker.score("AAPL", T0 + HOUR_NS) == pytest.approx(0.2 / 1.5, abs=1e-15)
    assert tracker.score("AAPL", T0 + 10**6 * HOUR_NS) == pytest.approx(0.2 / 1.5, abs=1e-15)


def test_score_fades_to_zero() -> None:
    tracker = SentimentTracker(3_600)
    tracker.update(item(T0, "a"), -0.9)
    assert tracker.score("AAPL", T0 + 10 * HOUR_NS) == pytest.approx(-0.9 / 1025, abs=1e-15)
    faded = tracker.score("AAPL", T0 + 10**7 * HOUR_NS)
    assert faded == 0.0
    assert math.copysign(1.0, faded or 0.0) == 1.0  # +0.0, not -0.0


def test_multi_symbol_items_count_for_each_symbol() -> None:
    tracker = SentimentTracker(3_600)
    tracker.update(item(T0, "a", "AAPL", "MSFT"), 0.6)
    tracker.update(item(T0, "b", "MSFT"), -0.6)
    assert tracker.score("AAPL", T0) == 0.3
    assert tracker.score("MSFT", T0) == 0.0  # (0.6 - 0.6) / (1 + 2)
    assert tracker.scores(T0) == {"AAPL": 0.3, "MSFT": 0.0}
    assert tracker.scores(T0 - 1) == {}


def test_late_items_are_placed_by_time() -> None:
    in_order = SentimentTracker(3_600)
    late = SentimentTracker(3_600)
    first, second = item(T0, "a"), item(T0 + HOUR_NS, "b")
    in_order.update(first, 0.8)
    in_order.update(second, -0.2)
    late.update(second, -0.2)
    late.update(first, 0.8)
    for at in (T0, T0 + HOUR_NS, T0 + 3 * HOUR_NS):
        assert late.score("AAPL", at) == in_order.score("AAPL", at)


def test_refusals() -> None:
    with pytest.raises(InvalidRequest, match="half_life must be a positive number"):
        SentimentTracker(0)
    with pytest.raises(InvalidRequest, match="half_life must be a positive number"):
        SentimentTracker(math.inf)
    with pytest.raises(InvalidRequest, match="prior_weight must be a number >= 0"):
        SentimentTracker(60, prior_weight=-1)
    tracker = SentimentTracker(60)
    for bad in (1.5, -1.01, math.nan, True):
        with pytest.raises(InvalidRequest, match=r"score must be a number in \[-1, 1\]"):
            tracker.update(item(T0, "a"), bad)
    tracker.update(item(T0, "a"), 1)
    with pytest.raises(Conflict, match="news id 'a' was already counted"):
        tracker.update(item(T0, "a"), 0.5)
    assert tracker.half_life == 60.0
    assert tracker.prior_weight == 1.0


def test_sample_replay_around_the_aapl_warning() -> None:
    scorer = LexiconScorer()
    tracker = SentimentTracker()  # half-life one day, w0 = 1
    for news in load_sample_news():
        tracker.update(news, scorer.score(news))
    # AAPL before the warning (sample-010, -0.6369 at T0): sample-001 (0.0) 19 days
    # earlier and sample-005 (0.6705) 12 days 14.75 hours earlier.
    w1, w5 = 2.0**-19, 2.0 ** -(12 + 14.75 / 24)
    before = tracker.score("AAPL", T0 - 1)
    at = tracker.score("AAPL", T0)
    assert before == pytest.approx(0.6705 * w5 / (1 + w1 + w5), rel=1e-9)
    assert at == pytest.approx((0.6705 * w5 - 0.6369) / (1 + w1 + w5 + 1), rel=1e-9)
    assert at == pytest.approx(-0.31837, abs=1e-5)
    # One day later, with no AAPL news in between, the warning has half its weight.
    day = 24 * HOUR_NS
    assert tracker.score("AAPL", T0 + day) == pytest.approx(
        (0.6705 * w5 - 0.6369) / 2 / (1 + (w1 + w5 + 1) / 2), rel=1e-9
    )


# --- properties ---------------------------------------------------------------------

scores = st.floats(-1.0, 1.0, allow_nan=False)
times = st.integers(0, 30 * 24 * HOUR_NS)
events = st.lists(st.tuples(times, scores, st.sampled_from(["AAPL", "MSFT"])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(
    events=events,
    half_life=st.floats(1e-3, 1e7),
    prior=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    queries=st.lists(times, min_size=1, max_size=8),
)
def test_score_is_bounded(
    events: list[tuple[int, float, str]], half_life: float, prior: float, queries: list[int]
) -> None:
    tracker = SentimentTracker(half_life, prior_weight=prior)
    for index, (ts, value, symbol) in enumerate(events):
        tracker.update(item(ts, f"n{index}", symbol), value)
    for at in queries:
        for symbol in ("AAPL", "MSFT"):
            result = tracker.score(symbol, at)
            assert result is None or -1.0 <= result <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    events=events,
    later=st.lists(st.tuples(st.integers(1, 10**15), scores), min_size=1, max_size=5),
    half_life=st.floats(1.0, 1e6),
    at=times,
)
def test_later_items_never_change_an_earlier_score(
    events: list[tuple[int, float, str]],
    later: list[tuple[int, float]],
    half_life: float,
    at: int,
) -> None:
    tracker = SentimentTracker(half_life)
    for index, (ts, value, symbol) in enumerate(events):
        tracker.update(item(ts, f"n{index}", symbol), value)
    before = {symbol: tracker.score(symbol, at) for symbol in ("AAPL", "MSFT")}
    for index, (delta, value) in enumerate(later):
        tracker.update(item(at + delta, f"later{index}", "AAPL", "MSFT"), value)
    assert {symbol: tracker.score(symbol, at) for symbol in ("AAPL", "MSFT")} == before
