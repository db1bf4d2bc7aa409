"""The market-data stream's messages: what the session's clock brings, and how it is framed.

When the clock moves from ``before`` to ``now``, a subscriber hears, per symbol:

- ``"b"`` (``bars``): each stored bar that closed in ``(before, now]``, as
  ``/v2/stocks/bars/latest`` shows it (stamped at the start of its own
  timeframe: a minute bar at its minute, a daily bar at 00:00 New York);
- ``"d"`` (``dailyBars``): after each such bar, its New York day so far,
  aggregated from that day's closed bars, as ``/v2/stocks/bars?timeframe=1Day``
  would serve it then (on daily bars, the bar itself);
- ``"t"`` and ``"q"`` (``trades``, ``quotes``): the derived trades and quotes
  (:mod:`.derived`) that became known, flagged ``"derived": true``.

``"u"`` (``updatedBars``) is Alpaca's correction of a bar already sent after
late trades; a session's bars never change once closed, so none is sent.
Messages go out in time order; at one instant a bar's close comes before the
next bar's open, and within a close its trade, quote, bar and day bar in
that order. Frames hold at most :data:`FRAME_MESSAGES` messages.

Frames are MessagePack for a client that asked for it (the ``Content-Type:
application/msgpack`` of its handshake, as both Alpaca clients send), times
as MessagePack timestamps; JSON text otherwise, times as RFC 3339.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import msgpack
import numpy as np

from paperbroker.api.alpaca import derived
from paperbroker.api.alpaca.market_data import SeriesLookup, bar_stamp
from paperbroker.api.formats import time_text
from paperbroker.data.aggregate import TimeFrame, Unit, bucket_starts
from paperbroker.data.series import BarSeries

#: The channels a client may subscribe to, as Alpaca names them, and their message type.
CHANNELS: Final = {
    "trades": "t",
    "quotes": "q",
    "bars": "b",
    "dailyBars": "d",
    "updatedBars": "u",
    "statuses": "s",
    "lulds": "l",
    "corrections": "c",
    "cancelErrors": "x",
}
#: Messages in one frame at most.
FRAME_MESSAGES: Final = 500
_DAY: Final = TimeFrame(1, Unit.DAY)
# Order of a symbol's messages at one instant: a close, its quote, bar, day bar; then an open.
_RANK: Final = {("t", 0): 0, ("q", 0): 1, ("b", 0): 2, ("d", 0): 3, ("t", 1): 4, ("q", 1): 5}


@dataclass(frozen=True, slots=True)
class Message:
    """One message: when it happened (ns) and its fields (``t`` in ns, framed later)."""

    ts: int
    rank: int
    fields: dict[str, Any]


def messages(
    lookup: SeriesLookup,
    channels: Mapping[str, frozenset[str]],
    before_ns: int,
    now_ns: int,
    half_spread_cost: float,
) -> list[Message]:
    """What subscribers to ``channels`` (channel → symbols) hear as the clock moves
    from ``before_ns`` to ``now_ns``, in time order."""
    found: list[Message] = []
    wanted = {channel: symbols for channel, symbols in channels.items() if symbols}
    for symbol in sorted(set().union(*wanted.values()) if wanted else ()):
        series = lookup(symbol)
        if series is None:
            continue
        if symbol in wanted.get("bars", ()):
            found.extend(_bars(series, before_ns, now_ns))
        if symbol in wanted.get("dailyBars", ()):
            found.extend(_daily_bars(series, before_ns, now_ns))
        trades, quotes = symbol in wanted.get("trades", ()), symbol in wanted.get("quotes", ())
        if trades or quotes:
            found.extend(_ticks(series, before_ns, now_ns, trades, quotes, half_spread_cost))
    found.sort(key=lambda m: (m.ts, m.rank, m.fields["S"]))
    return found


def most_messages(
    lookup: SeriesLookup, channels: Mapping[str, frozenset[str]], before_ns: int, now_ns: int
) -> int:
    """At most how many messages :func:`messages` makes for this move (cheap: no message
    is built), so a move too large to send can be refused before it costs memory."""
    total = 0
    per_bar = {"bars": 1, "dailyBars": 1, "trades": 2, "quotes": 2}
    for channel, symbols in channels.items():
        weight = per_bar.get(channel, 0)
        for symbol in symbols if weight else ():
            series = lookup(symbol)
            if series is not None:
                total += weight * (len(_closed_rows(series, before_ns, now_ns)) + 1)
    return total


def frames(found: Iterable[Message], *, packed: bool) -> list[str | bytes]:
    """``found`` in frames of at most :data:`FRAME_MESSAGES`, MessagePack or JSON."""
    batch = list(found)
    return [
        encode([m.fields for m in batch[i : i + FRAME_MESSAGES]], packed=packed)
        for i in range(0, len(batch), FRAME_MESSAGES)
    ]


def encode(items: list[dict[str, Any]], *, packed: bool) -> str | bytes:
    """One frame: a list of messages, their ``t`` (ns) as a timestamp of the frame's kind."""
    if packed:
        frame: bytes = msgpack.packb([_timed(item, _packed_time) for item in items])
        return frame
    return json.dumps([_timed(item, time_text) for item in items], separators=(",", ":"))


def _packed_time(ts_ns: int) -> Any:
    """A MessagePack timestamp (extension -1), which both Alpaca clients read."""
    return msgpack.Timestamp.from_unix_nano(ts_ns)


def _timed(item: dict[str, Any], convert: Any) -> dict[str, Any]:
    if "t" not in item:
        return item
    return {**item, "t": convert(item["t"])}


def _closed_rows(series: BarSeries, before_ns: int, now_ns: int) -> range:
    lo = int(np.searchsorted(series.ts, before_ns, side="right"))
    hi = int(np.searchsorted(series.ts, now_ns, side="right"))
    return range(lo, max(hi, lo))


def _bar_fields(kind: str, symbol: str, t: int, o: float, h: float, lo: float, c: float,
                v: float) -> dict[str, Any]:  # fmt: skip
    volume: int | float = int(v) if float(v).is_integer() else v
    return {"T": kind, "S": symbol, "o": o, "h": h, "l": lo, "c": c, "v": volume, "t": t,
            "n": None, "vw": None}  # fmt: skip


def _bars(series: BarSeries, before_ns: int, now_ns: int) -> list[Message]:
    return [
        Message(
            int(series.ts[row]),
            _RANK[("b", 0)],
            _bar_fields(
                "b",
                series.symbol,
                bar_stamp(series, row),
                float(series.open[row]),
                float(series.high[row]),
                float(series.low[row]),
                float(series.close[row]),
                float(series.volume[row]),
            ),
        )
        for row in _closed_rows(series, before_ns, now_ns)
    ]


def _daily_bars(series: BarSeries, before_ns: int, now_ns: int) -> list[Message]:
    """After each bar that closed, its day so far (see the module doc)."""
    rows = _closed_rows(series, before_ns, now_ns)
    if not rows or series.duration_ns > _DAY.min_width_ns:
        return []
    opens = series.ts - series.duration_ns
    days = bucket_starts(opens[rows.start : rows.stop], _DAY)
    found = []
    day = None
    o = h = lo = v = 0.0
    for row, stamp in zip(rows, days.tolist(), strict=True):
        if stamp != day:
            day, first = stamp, int(np.searchsorted(opens, stamp, side="left"))
            o = float(series.open[first])
            h = float(np.max(series.high[first : row + 1]))
            lo = float(np.min(series.low[first : row + 1]))
            v = float(np.sum(series.volume[first : row + 1]))
        else:
            h, lo = max(h, float(series.high[row])), min(lo, float(series.low[row]))
            v += float(series.volume[row])
        fields = _bar_fields("d", series.symbol, stamp, o, h, lo, float(series.close[row]), v)
        found.append(Message(int(series.ts[row]), _RANK[("d", 0)], fields))
    return found


def _ticks(
    series: BarSeries,
    before_ns: int,
    now_ns: int,
    trades: bool,
    quotes: bool,
    half_spread_cost: float,
) -> list[Message]:
    """The derived trades and quotes known at ``now_ns`` but not at ``before_ns``."""
    picked = derived.ticks(series, before_ns, now_ns, now_ns)
    fresh = ~((picked.kind == derived.CLOSE) & (picked.t == before_ns))  # known before already
    picked = picked.take(np.flatnonzero(fresh))
    symbol, found = series.symbol, []
    if trades:
        for (t, kind, _row), trade in zip(
            picked.rows(), derived.trades(series, picked), strict=True
        ):
            size: int | float = int(trade.size) if trade.size.is_integer() else trade.size
            found.append(Message(t, _RANK[("t", kind)], {
                "T": "t", "S": symbol, "i": trade.id, "x": "", "p": trade.price, "s": size,
                "c": [derived.DERIVED], "t": t, "z": "", "derived": True,
            }))  # fmt: skip
    if quotes:
        rendered = derived.quotes(series, picked, half_spread_cost)
        for (t, kind, _row), quote in zip(picked.rows(), rendered, strict=True):
            found.append(Message(t, _RANK[("q", kind)], {
                "T": "q", "S": symbol, "bx": "", "bp": quote.bid, "bs": 0, "ax": "",
                "ap": quote.ask, "as": 0, "c": [derived.DERIVED], "t": t, "z": "",
                "derived": True,
            }))  # fmt: skip
    return found
