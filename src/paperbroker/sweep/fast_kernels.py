"""The fast path's inner loops, compiled with Numba.

Three loops visit every round trip, every bar or every fill of a run, and in
Python they would cost more than everything else together:

- :func:`replay_trades`: the cash from one round trip to the next, in integer
  units (sizing, the trim at the fill, the fees), exactly as
  :func:`~paperbroker.sweep.fast_units.simulate_units` describes it;
- :func:`equity_and_drawdowns`: the equity curve as ``FillLedger.equity_curve``
  values it and ``drawdown_stats`` of it, in one pass: the same IEEE
  operations in the same order as the NumPy code (no fast-math, so no fused
  multiply-add), hence the same floats;
- :func:`digest_text`: the fills digest's text, written as bytes.

They are compiled once per machine (``cache=True`` keeps the machine code next
to this module) and take only integers and floats.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

#: Status of :func:`replay_trades`.
REPLAYED, ENTRY_FAILED, TOO_LARGE = 0, 1, 2

_jit = numba.njit(cache=True, nogil=True)
#: The largest product of a quantity and a price the replay computes.
_PRODUCTS = 2**62


@_jit  # type: ignore[misc]
def replay_trades(
    sizing: Any, paid: Any, got: Any, exits: int, cash: int, fee: int, limit: int
) -> Any:
    """Each round trip's quantity and the cash after its entry and exit.

    ``sizing`` (closes), ``paid`` (entry opens) have one item per entry,
    ``got`` (exit opens) one per exit. Returns ``(status, qty, cash_in,
    cash_out, cash, ordered)``: ``ENTRY_FAILED`` when an entry cannot be made
    (the general replay must run), ``TOO_LARGE`` when an amount would pass
    ``limit``.
    """
    count = sizing.shape[0]
    qty = np.zeros(count, dtype=np.int64)
    cash_in = np.zeros(count, dtype=np.int64)
    cash_out = np.zeros(exits, dtype=np.int64)
    ordered = 0
    for i in range(count):
        if cash <= fee:
            return ENTRY_FAILED, qty, cash_in, cash_out, cash, ordered
        want = (cash - fee) // sizing[i]
        at = paid[i]
        if want > _PRODUCTS // at:  # want x at must stay inside int64
            return TOO_LARGE, qty, cash_in, cash_out, cash, ordered
        take = want if want * at + fee <= cash else (cash - fee) // at
        if want <= 0 or take <= 0:
            return ENTRY_FAILED, qty, cash_in, cash_out, cash, ordered
        ordered += want
        cash -= take * at + fee
        qty[i] = take
        cash_in[i] = cash
        if i < exits:
            out = got[i]
            if take > (limit - cash + fee) // out:
                return TOO_LARGE, qty, cash_in, cash_out, cash, ordered
            cash += take * out - fee
            ordered += take
            cash_out[i] = cash
    return REPLAYED, qty, cash_in, cash_out, cash, ordered


@_jit  # type: ignore[misc]
def equity_and_drawdowns(
    ts: Any, marks: Any, rows: Any, cash: Any, deltas: Any, initial: float
) -> Any:
    """The equity at every bar, the bars with a position, and ``drawdown_stats``.

    ``rows`` are the fills' bars (increasing), ``cash`` the cash after each fill
    and ``deltas`` its signed quantity, as floats. Returns ``(equity, exposed,
    max_drawdown, max_duration_ns, recovery_ns)`` with ``recovery_ns`` -1 for
    not recovered.
    """
    n = ts.shape[0]
    equity = np.empty(n, dtype=np.float64)
    exposed = 0
    fills = rows.shape[0]
    j = 0
    level = initial
    held = 0.0
    for i in range(n):
        while j < fills and rows[j] <= i:
            level = cash[j]
            held += deltas[j]
            j += 1
        equity[i] = level + held * marks[i]
        if held != 0.0:
            exposed += 1
    # drawdown(): equity / running peak - 1 where the peak is positive, else 0.
    peak = equity[0]
    deepest = 0.0
    trough = 0
    first = True
    longest = 0
    last_peak = 0
    for i in range(n):
        value = equity[i]
        if value > peak:
            peak = value
        dd = value / peak - 1.0 if peak > 0 else 0.0
        if first or dd < deepest:
            deepest = dd
            trough = i
            first = False
        if value >= peak:  # at a peak: an underwater stretch (if any) ends here
            if i - last_peak > 1:
                span = ts[i] - ts[last_peak]
                if span > longest:
                    longest = span
            last_peak = i
    if n >= 2 and last_peak < n - 1:
        span = ts[n - 1] - ts[last_peak]
        if span > longest:
            longest = span
    if n < 2:
        longest = 0
    recovery = 0
    if deepest < 0.0:
        top = equity[0]
        for i in range(trough + 1):
            if equity[i] > top:
                top = equity[i]
        recovery = -1
        for i in range(trough, n):
            if equity[i] >= top:
                recovery = ts[i] - ts[trough]
                break
    return equity, exposed, deepest, longest, recovery


@_jit  # type: ignore[misc]
def _digits(buf: Any, pos: int, value: int) -> int:
    if value == 0:
        buf[pos] = 48
        return pos + 1
    start = pos
    while value > 0:
        buf[pos] = 48 + value % 10
        value //= 10
        pos += 1
    end = pos - 1
    while start < end:
        buf[start], buf[end] = buf[end], buf[start]
        start += 1
        end -= 1
    return pos


@_jit  # type: ignore[misc]
def _fixed(buf: Any, pos: int, value: int, decimals: int) -> int:
    if decimals == 0:
        return _digits(buf, pos, value)
    scale = 10**decimals
    pos = _digits(buf, pos, value // scale)
    buf[pos] = 46  # "."
    pos += 1
    part = value % scale
    for k in range(decimals - 1, -1, -1):
        buf[pos + k] = 48 + part % 10
        part //= 10
    return pos + decimals


@_jit  # type: ignore[misc]
def _bytes(buf: Any, pos: int, text: Any) -> int:
    for k in range(text.shape[0]):
        buf[pos + k] = text[k]
    return pos + text.shape[0]


@_jit  # type: ignore[misc]
def digest_text(
    buys: Any,
    qty: Any,
    price: Any,
    stamps: Any,
    decimals: int,
    lot_decimals: int,
    parts: Any,
    lengths: Any,
) -> Any:
    """Every fill's line of ``fills_digest`` as bytes.

    ``parts`` holds, one after the other (``lengths`` each), the constant pieces
    of a line: ``|SYMBOL|buy|``, ``|SYMBOL|sell|``, ``|FEE|``,
    ``|taker|market_at_open|``, ``|SLIPPAGE|open|`` and ``|MODEL|0\\n``.
    """
    offsets = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    for k in range(lengths.shape[0]):
        offsets[k + 1] = offsets[k] + lengths[k]
    count = qty.shape[0]
    buf = np.empty(count * (offsets[-1] + 140), dtype=np.uint8)
    pos = 0
    for i in range(count):
        number = i + 1
        pos = _digits(buf, pos, number)
        buf[pos] = 124  # "|"
        pos = _digits(buf, pos + 1, number)
        side = 0 if buys[i] else 1
        pos = _bytes(buf, pos, parts[offsets[side] : offsets[side + 1]])
        pos = _fixed(buf, pos, qty[i], lot_decimals)
        buf[pos] = 124
        pos = _fixed(buf, pos + 1, price[i], decimals)
        pos = _bytes(buf, pos, parts[offsets[2] : offsets[3]])
        pos = _digits(buf, pos, stamps[i])
        pos = _bytes(buf, pos, parts[offsets[3] : offsets[4]])
        pos = _fixed(buf, pos, price[i], decimals)
        pos = _bytes(buf, pos, parts[offsets[4] : offsets[5]])
        pos = _digits(buf, pos, stamps[i])
        pos = _bytes(buf, pos, parts[offsets[5] : offsets[6]])
    return buf[:pos]
