"""Alpaca's JSON read exactly: decimal strings stay decimals, times keep their nanoseconds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperbroker.broker.adapter import BrokerUnavailable
from paperbroker.broker.alpaca_json import (
    activity_fill,
    execution_id,
    position_of,
    time_ns,
    time_text,
)
from paperbroker.broker.alpaca_stream import stream_url


def test_times_keep_up_to_nine_fractional_digits() -> None:
    assert time_ns("1970-01-01T00:00:01.123456789Z") == 1_123_456_789
    assert time_ns("1970-01-01T00:00:01.5+00:00") == 1_500_000_000
    assert time_ns("1970-01-01T00:00:02Z") == 2_000_000_000
    assert time_ns(None) == 0
    assert time_text(1_123_456_789) == "1970-01-01T00:00:01.123456Z"
    with pytest.raises(BrokerUnavailable):
        time_ns("yesterday")


def test_an_activity_names_its_fill_by_the_execution_id_after_the_time() -> None:
    assert execution_id("20120103093000000::5c1e6a4e-0000-4000-8000-000000000001") == (
        "5c1e6a4e-0000-4000-8000-000000000001"
    )
    fill = activity_fill(
        {"id": "20120103093000000::abc", "order_id": "o", "symbol": "AAPL", "side": "buy",
         "qty": "1.5", "price": "58.485", "transaction_time": "2012-01-03T14:30:00Z"}
    )  # fmt: skip
    assert (fill.id, fill.qty, fill.price) == ("abc", Decimal("1.5"), Decimal("58.485"))


def test_a_short_position_has_a_negative_qty() -> None:
    short = position_of({"symbol": "X", "qty": "3", "side": "short", "avg_entry_price": "2"})
    assert short.qty == -3
    assert position_of({"symbol": "X", "qty": "-3", "avg_entry_price": "2"}).qty == -3


def test_the_stream_url_follows_the_rest_url() -> None:
    assert stream_url("https://paper-api.alpaca.markets") == "wss://paper-api.alpaca.markets/stream"
    assert stream_url("http://127.0.0.1:5000/") == "ws://127.0.0.1:5000/stream"
