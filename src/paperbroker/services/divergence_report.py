"""Two sessions of one strategy side by side, order by order (``/divergence``).

The matching and its explanations are :mod:`paperbroker.analytics.matching`;
this looks both sessions up (both the caller's), takes each one's default
account's fills and the closes of the bars its feed has up to its current
time (for the symbols either traded), and matches them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paperbroker.analytics.matching import Divergence, diverge
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.reports import account_fills
from paperbroker.services.sessions import SessionService
from paperbroker.session.runtime import SessionRuntime


@dataclass(frozen=True)
class DivergenceReport:
    """The matching of ``session_id`` (run ``a``) against ``against_id`` (run ``b``)."""

    session_id: str
    against_id: str
    divergence: Divergence
    explanations: list[str]


def divergence_report(
    service: SessionService, owner: str, session_id: str, against_id: str
) -> DivergenceReport:
    """Match ``owner``'s session against another of theirs.

    Raises:
        NotFound: for a session that does not exist or belongs to another owner.
        InvalidRequest: when both ids name the same session.
    """
    if session_id == against_id:
        raise InvalidRequest("against: name another session than the one compared")
    a = service.runtime(owner, session_id)
    b = service.runtime(owner, against_id)
    fills_a = account_fills(a, a.default_account_id)
    fills_b = account_fills(b, b.default_account_id)
    symbols = {f.symbol for f in fills_a} | {f.symbol for f in fills_b}
    found = diverge(fills_a, fills_b, bars_a=_closes(a, symbols), bars_b=_closes(b, symbols))
    names = (f"session {session_id[:8]}", f"session {against_id[:8]}")
    return DivergenceReport(session_id, against_id, found, found.explanations(*names))


def _closes(runtime: SessionRuntime, symbols: set[str]) -> dict[str, dict[int, float]]:
    """Close time → close of the bars of ``symbols`` up to the session's current time."""
    out: dict[str, dict[int, float]] = {}
    with runtime.locked():  # a paper session's feed appends bars under the lock
        now = runtime.now_ns
        for bars in runtime.kernel.feed.series:
            if bars.symbol not in symbols:
                continue
            ts = np.asarray(bars.ts, dtype=np.int64)
            close = np.asarray(bars.close, dtype=np.float64)
            n = min(ts.size, close.size)  # a bar being appended shows in one first
            ts, close = ts[:n], close[:n]
            keep = (ts >= runtime.spec.start_ns) & (ts <= now)
            out[bars.symbol] = dict(zip(ts[keep].tolist(), close[keep].tolist(), strict=True))
    return out
