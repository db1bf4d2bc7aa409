"""The trading account: cash and the rules that turn it into buying power."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.model.enums import AccountType
from paperbroker.model.values import ZERO


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """How an account may trade.

    A ``cash`` account buys with its cash only and cannot sell short.  A
    ``margin`` account may borrow up to ``leverage`` times its equity across
    long and short positions (Reg-T style; intraday/overnight multipliers come
    with the margin model).
    """

    account_type: AccountType = AccountType.CASH
    leverage: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if self.leverage < 1:
            raise InvalidRequest(f"leverage must be at least 1, got {self.leverage}")
        if self.account_type is AccountType.CASH and self.leverage != 1:
            raise InvalidRequest("a cash account cannot use leverage; use a margin account")

    @property
    def allows_short(self) -> bool:
        return self.account_type is AccountType.MARGIN


class Account:
    """Cash and configuration of one account; positions live in the portfolio."""

    __slots__ = ("cash", "config", "currency", "id", "initial_cash")

    def __init__(
        self,
        account_id: AccountId,
        initial_cash: Decimal,
        config: AccountConfig | None = None,
        currency: str = "USD",
    ) -> None:
        if initial_cash < ZERO:
            raise InvalidRequest(f"initial cash must not be negative, got {initial_cash}")
        self.id = account_id
        self.initial_cash = initial_cash
        self.cash = initial_cash
        self.config = config or AccountConfig()
        self.currency = currency

    def buying_power(self, equity: Decimal, gross_exposure: Decimal) -> Decimal:
        """What the account can still commit to new positions.

        Cash account: its cash.  Margin account: ``leverage * equity`` minus
        the gross value of open positions, never below zero.
        """
        if self.config.account_type is AccountType.CASH:
            return max(self.cash, ZERO)
        return max(self.config.leverage * equity - gross_exposure, ZERO)
