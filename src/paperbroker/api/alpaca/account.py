"""Alpaca-compatible account: ``GET /v2/account``, valued at the session's current time."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Final

from fastapi import APIRouter

from paperbroker.api.alpaca.common import NEW_YORK
from paperbroker.api.alpaca.target import Trading
from paperbroker.api.formats import decimal_text, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.model.account import Account, AccountRules
from paperbroker.model.values import ZERO
from paperbroker.services.account_snapshot import equity_as_of
from paperbroker.services.views import AccountView

router = APIRouter(prefix="/v2/account", tags=["alpaca"])

#: FINRA Rule 4210's maintenance minimums: 25 % of long and 30 % of short market value.
_LONG_MAINTENANCE: Final = Decimal("0.25")
_SHORT_MAINTENANCE: Final = Decimal("0.30")


class AlpacaAccount(ResponseModel):
    """A trading account (``alpaca.trading.models.TradeAccount``)."""

    id: str
    account_number: str
    status: str
    crypto_status: str
    currency: str
    buying_power: str
    regt_buying_power: str
    daytrading_buying_power: str
    non_marginable_buying_power: str
    options_buying_power: str
    cash: str
    accrued_fees: str
    pending_transfer_in: str
    pending_transfer_out: str
    portfolio_value: str
    equity: str
    last_equity: str
    long_market_value: str
    short_market_value: str
    initial_margin: str
    maintenance_margin: str
    last_maintenance_margin: str
    sma: str
    multiplier: str
    daytrade_count: int
    pattern_day_trader: bool
    trading_blocked: bool
    transfers_blocked: bool
    account_blocked: bool
    trade_suspended_by_user: bool
    shorting_enabled: bool
    options_approved_level: int
    options_trading_level: int
    created_at: str


@router.get("", summary="Read the account")
def get_account(target: Trading) -> AlpacaAccount:
    """Cash, equity, buying power and margin, valued at the session's current time.

    ``last_equity`` is the equity when the current day began in New York
    (the previous close); ``multiplier`` the most leverage the account
    trades with (intraday), capped by its ``max_margin_multiplier``
    configuration.
    """
    service, runtime = target.service, target.runtime
    view = service.account(target.owner, target.session_id, target.account_id)
    rules = service.account_rules(target.owner, target.session_id, target.account_id)
    account = runtime.books(target.account_id).account
    # Alpaca's classes: 1 no margin, 2 Reg-T, 4 Reg-T with 4x intraday (pattern day trader).
    multiplier = account.multiplier(intraday=True)
    today = ns_to_datetime(runtime.now_ns).astimezone(NEW_YORK).date()
    day_start = datetime_to_ns(datetime.combine(today, time(), tzinfo=NEW_YORK))
    last_equity = equity_as_of(runtime, target.account_id, day_start)
    return _account(view, rules, account, multiplier, last_equity)


def _account(
    view: AccountView,
    rules: AccountRules,
    account: Account,
    multiplier: Decimal,
    last_equity: Decimal,
) -> AlpacaAccount:
    """Alpaca's figures of ``view``.

    ``buying_power`` is what the pre-trade check allows now (the intraday
    figure while the market is open); ``regt_buying_power`` the overnight,
    Reg-T one (2x for a Reg-T margin account, whatever the hour), and
    ``daytrading_buying_power`` the intraday one of a 4x account (0 below 4x).
    """
    long_value, short_value = view.long_market_value, view.short_market_value
    gross = long_value - short_value
    maintenance = _LONG_MAINTENANCE * long_value - _SHORT_MAINTENANCE * short_value
    regt = account.buying_power(view.equity, gross, intraday=False)
    intraday = account.buying_power(view.equity, gross, intraday=True) if multiplier >= 4 else ZERO
    return AlpacaAccount(
        id=view.id,
        account_number="PB" + view.id.replace("-", "")[:10].upper(),
        status="ACTIVE",
        crypto_status="ACTIVE",
        currency="USD",
        buying_power=decimal_text(view.buying_power),
        regt_buying_power=decimal_text(regt),
        daytrading_buying_power=decimal_text(intraday),
        non_marginable_buying_power=decimal_text(max(view.cash, ZERO)),
        options_buying_power="0",
        cash=decimal_text(view.cash),
        accrued_fees="0",
        pending_transfer_in="0",
        pending_transfer_out="0",
        portfolio_value=decimal_text(view.equity),
        equity=decimal_text(view.equity),
        last_equity=decimal_text(last_equity),
        long_market_value=decimal_text(long_value),
        short_market_value=decimal_text(short_value),
        initial_margin=decimal_text(gross / multiplier),
        maintenance_margin=decimal_text(maintenance),
        last_maintenance_margin=decimal_text(maintenance),
        sma="0",
        multiplier=decimal_text(multiplier),
        daytrade_count=0,
        pattern_day_trader=False,
        trading_blocked=False,
        transfers_blocked=False,
        account_blocked=False,
        trade_suspended_by_user=rules.suspend_trade,
        shorting_enabled=account.shorting_enabled,
        options_approved_level=0,
        options_trading_level=0,
        created_at=time_text(view.created_at),
    )
