"""Pre-trade refusals that do not depend on the books: the account's rules and the market.

The kernel asks these first, in this order, then the portfolio's buying
power and short-sale checks (:meth:`Portfolio.check
<paperbroker.portfolio.portfolio.Portfolio.check>`).  A refusal is a reason
and a message; the order becomes ``rejected`` with them.
"""

from __future__ import annotations

from typing import Final

from paperbroker.data.series import BarSeries
from paperbroker.model.account import AccountRules
from paperbroker.model.enums import RejectReason, TimeInForce
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.portfolio.portfolio import Refusal

_OPG: Final = TimeInForce.OPG


def rules_refusal(order: Order, rules: AccountRules) -> Refusal | None:
    """Why the account's own rules refuse ``order`` (``None``: they do not).

    ``suspend_trade`` refuses every order; ``fractional_trading`` off refuses
    a notional order or a quantity that is not a whole number of units.
    """
    if rules.suspend_trade:
        return RejectReason.TRADING_SUSPENDED, (
            "trading is suspended on this account (suspend_trade): no new orders are taken"
        )
    if not rules.fractional_trading:
        if order.notional is not None:
            return RejectReason.FRACTIONAL_NOT_ALLOWED, (
                "fractional trading is disabled on this account (fractional_trading): "
                "notional orders are not taken"
            )
        if order.qty % 1:
            return RejectReason.FRACTIONAL_NOT_ALLOWED, (
                "fractional trading is disabled on this account (fractional_trading): "
                f"qty {order.qty} is not a whole number"
            )
    return None


def market_refusal(
    order: Order, series: BarSeries, seen: int, instrument: Instrument, now_ns: int
) -> Refusal | None:
    """Why the market refuses ``order`` now: no more data for its symbol (``seen``
    bars of ``series`` are past), or an opening-auction order while the
    instrument's regular session is in progress."""
    if seen >= len(series) and series.complete:
        return RejectReason.MARKET_CLOSED, f"there is no more market data for {order.symbol}"
    if order.time_in_force is _OPG and instrument.hours.in_session(now_ns):
        return RejectReason.MARKET_OPEN, "opg orders are taken only while the market is closed"
    return None
