"""Alpaca-compatible account configurations: ``/v2/account/configurations``.

The configurations are the account's rules in the engine
(:class:`~paperbroker.model.account.AccountRules`), so they bind every
client of the account, ``/v1`` included, and are journaled (a restart keeps
them).  ``suspend_trade``, ``no_shorting``, ``fractional_trading`` and
``max_margin_multiplier`` take effect on orders and buying power; the others
are kept and echoed, with nothing in the simulation for them to act on.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BeforeValidator, Field, StrictBool

from paperbroker.api.alpaca.target import Trading
from paperbroker.api.formats import decimal_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.schemas import RequestModel
from paperbroker.model.account import MAX_OPTIONS_LEVEL, AccountRules

router = APIRouter(prefix="/v2/account/configurations", tags=["alpaca"])

Timing = Literal["entry", "exit", "both"]


def _multiplier_text(value: object) -> object:
    # alpaca-py sends the multiplier as a string; a plain JSON number is read alike.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class AlpacaAccountConfiguration(ResponseModel):
    """An account's configurations (``alpaca.trading.models.AccountConfiguration``)."""

    dtbp_check: Timing
    fractional_trading: bool
    max_margin_multiplier: str
    no_shorting: bool
    pdt_check: Timing
    suspend_trade: bool
    trade_confirm_email: Literal["all", "none"]
    ptp_no_exception_entry: bool
    max_options_trading_level: int | None

    @classmethod
    def of(cls, rules: AccountRules) -> AlpacaAccountConfiguration:
        return cls(
            dtbp_check=rules.dtbp_check.value,
            fractional_trading=rules.fractional_trading,
            max_margin_multiplier=decimal_text(rules.max_margin_multiplier),
            no_shorting=rules.no_shorting,
            pdt_check=rules.pdt_check.value,
            suspend_trade=rules.suspend_trade,
            trade_confirm_email=rules.trade_confirm_email.value,
            ptp_no_exception_entry=rules.ptp_no_exception_entry,
            max_options_trading_level=rules.max_options_trading_level,
        )


class AccountConfigurationPatch(RequestModel):
    """Body of ``PATCH /v2/account/configurations``: every field optional, ``null`` keeps it.

    ``alpaca-py`` sends the whole model, nulls included; an unknown field is a 422.
    """

    dtbp_check: Timing | None = None
    fractional_trading: StrictBool | None = None
    max_margin_multiplier: Annotated[
        Literal["1", "2", "4"] | None, BeforeValidator(_multiplier_text)
    ] = None
    no_shorting: StrictBool | None = None
    pdt_check: Timing | None = None
    suspend_trade: StrictBool | None = None
    trade_confirm_email: Literal["all", "none"] | None = None
    ptp_no_exception_entry: StrictBool | None = None
    max_options_trading_level: Annotated[
        int | None, Field(ge=0, le=MAX_OPTIONS_LEVEL, strict=True)
    ] = None


@router.get("", summary="Read the account configurations")
def get_configurations(target: Trading) -> AlpacaAccountConfiguration:
    """The account's configurations; a new account has a fresh Alpaca paper account's."""
    rules = target.service.account_rules(target.owner, target.session_id, target.account_id)
    return AlpacaAccountConfiguration.of(rules)


@router.patch("", summary="Change the account configurations")
def patch_configurations(
    body: AccountConfigurationPatch, target: Trading
) -> AlpacaAccountConfiguration:
    """Set the fields given (not ``null``); answer every configuration as it stands after.

    The change is journaled; a completed session is a 409.
    """
    rules = target.service.configure_account(
        target.owner, target.session_id, target.account_id, body.model_dump()
    )
    return AlpacaAccountConfiguration.of(rules)
