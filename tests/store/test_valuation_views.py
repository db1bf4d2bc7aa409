"""A session over prices off their tick: every view of an account values at the same marks.

ADJ has dividend-adjusted one-minute prices (eight decimals) on an equity's
0.01 tick.  Buying 10 at the 09:31 bar's open, 144.78172417, fills at
144.78 (cash 98 552.20).  At 09:33 the last close, 147.24590001, is marked
at 147.25: the account's equity is 98 552.20 + 10 x 147.25 = 100 024.70,
and the position, the session, ``last_equity`` and the portfolio history
all say the same.  SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.data.series import BarSeries
from paperbroker.model.instrument import Instrument
from paperbroker.services.account_snapshot import equity_as_of
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import OrderRequest
from paperbroker.session import MarketData
from paperbroker.store.db import SessionFactory

FIRST_OPEN = datetime_to_ns(datetime(2024, 3, 4, 14, 30, tzinfo=UTC))  # 09:30 New York
ROWS = [  # open, high, low, close
    (144.5, 145.0, 144.2, 144.61234567),
    (144.78172417, 146.0, 144.7, 145.99999999),
    (146.1, 147.5, 146.0, 147.24590001),
    (147.3, 147.6, 146.9, 147.0),
]


def adjusted_minutes() -> BarSeries:
    columns = np.array(ROWS, dtype=np.float64)
    closes = FIRST_OPEN + NANOS_PER_MINUTE * np.arange(1, len(ROWS) + 1, dtype=np.int64)
    return BarSeries(
        Instrument.equity("ADJ"),
        closes,
        *(np.ascontiguousarray(columns[:, i]) for i in range(4)),
        np.full(len(ROWS), 1e6),
        NANOS_PER_MINUTE,
    )


@pytest.fixture
def service(factory: SessionFactory) -> Iterator[SessionService]:
    service = SessionService(factory=factory, market=MarketData({"ADJ": adjusted_minutes()}))
    yield service
    service.shutdown()


def test_every_view_of_the_account_values_at_the_same_marks(
    service: SessionService, owner: str
) -> None:
    start = FIRST_OPEN + NANOS_PER_MINUTE  # 09:31: the first bar is history
    session = service.create(
        owner,
        start_ns=start,
        end_ns=start + 10 * NANOS_PER_MINUTE,
        name="adjusted",
        initial_cash=Decimal(100_000),
        execution={"preset": "ideal"},
    )
    account = session.default_account_id
    order = OrderRequest(symbol="ADJ", side="buy", qty="10", type="market")
    service.submit_order(owner, session.id, account, order)
    service.advance(owner, session.id, minutes=Decimal(2))  # to 09:33, the third close

    books = service.account(owner, session.id, account)
    assert books.cash == Decimal("98552.20")
    assert books.equity == Decimal("100024.70")
    assert books.long_market_value == Decimal("1472.50")
    (position,) = service.positions(owner, session.id, account)
    assert (position.current_price, position.market_value) == (
        Decimal("147.25"),
        books.long_market_value,
    )
    assert position.unrealized_pnl == Decimal("24.70")

    runtime = service.runtime(owner, session.id)
    assert equity_as_of(runtime, account, runtime.now_ns) == books.equity
    history = service.portfolio_history(
        owner, session.id, account, HistoryQuery(timeframe="1Min", intraday_reporting="continuous")
    )
    assert history.equity[-1] == 100_024.70

    view = service.get(owner, session.id)
    assert view.total_unrealized_pnl == Decimal("24.70")
    assert view.data_notes == (
        "ADJ: 3 of 4 bars have prices off its 0.01 tick (e.g. close 144.61234567); "
        "fills and marks use the nearest tick (144.61)",
    )
