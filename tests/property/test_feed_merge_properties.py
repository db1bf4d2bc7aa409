"""A merged feed's order and sample times, against the sorts they stand for.

:class:`HistoricalFeed` merges its series with one stable sort by close time
and finds the distinct times of a prefix from their changes; both must equal
what a sort by (time, instrument) and ``np.unique`` give, ties and all.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import MINUTE_NS, make_series

from paperbroker.engine.feed import HistoricalFeed

#: Each series: strictly increasing minutes drawn from a small range, so series share times.
_TIMES = st.lists(
    st.sets(st.integers(1, 60), min_size=1, max_size=30).map(sorted), min_size=2, max_size=5
)


@settings(max_examples=200, deadline=None)
@given(times=_TIMES, data=st.data())
def test_the_merged_feed_is_in_time_then_instrument_order(
    times: list[list[int]], data: st.DataObject
) -> None:
    series = [
        make_series(
            [(float(i + 1),) * 4] * len(minutes),
            ts=[m * MINUTE_NS for m in minutes],
            freq="minute",
            symbol=f"S{i}",
        )
        for i, minutes in enumerate(times)
    ]
    feed = HistoricalFeed(series)
    ts = np.concatenate([s.ts for s in series])
    instrument = np.concatenate([np.full(len(s), i) for i, s in enumerate(series)])
    row = np.concatenate([np.arange(len(s)) for s in series])
    expected = np.lexsort((instrument, ts))
    assert feed.ts.tolist() == ts[expected].tolist()
    bars, instruments, rows = feed.chunk(0, len(feed))
    assert list(instruments) == instrument[expected].tolist()
    assert list(rows) == row[expected].tolist()
    assert [bar[5] for bar in bars] == [float(i + 1) for i in instrument[expected]]
    stop = data.draw(st.integers(0, len(feed)), label="stop")
    assert feed.sample_times(stop).tolist() == np.unique(feed.ts[:stop]).tolist()
