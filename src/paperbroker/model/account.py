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
    ``margin`` account may hold long and short positions worth up to
    ``leverage`` times its equity overnight and ``intraday_leverage`` times
    while the exchange's regular session is open (Reg-T: 2 and 4 for a
    pattern day trader; ``None`` means the same as ``leverage``).
    """

    account_type: AccountType = AccountType.CASH
    leverage: Decimal = Decimal(1)
    intraday_leverage: Decimal | None = None

    def __post_init__(self) -> None:
        if self.leverage < 1:
            raise InvalidRequest(f"leverage must be at least 1, got {self.leverage}")
        if self.intraday_leverage is not None and self.intraday_leverage < self.leverage:
            raise InvalidRequest(
                f"intraday leverage {self.intraday_leverage} is below the overnight "
                f"leverage {self.leverage}"
            )
        if self.account_type is AccountType.CASH and (
            self.leverage != 1 or self.intraday_leverage not in (None, 1)
        ):
            raise InvalidRequest("a cash account cannot use leverage; use a margin account")

    @classmethod
    def reg_t(cls) -> AccountConfig:
        """A Reg-T margin account: 2x overnight, 4x intraday buying power."""
        return cls(AccountType.MARGIN, Decimal(2), Decimal(4))

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

    def buying_power(
        self, equity: Decimal, gross_exposure: Decimal, intraday: bool = False
    ) -> Decimal:
        """What the account can still commit to new positions.

        Cash account: its cash.  Margin account: ``multiplier * equity`` minus
        the gross value of open positions, never below zero, where the
        multiplier is the intraday one while the market is open.
        """
        config = self.config
        if config.account_type is AccountType.CASH:
            return max(self.cash, ZERO)
        multiplier = config.leverage
        if intraday and config.intraday_leverage is not None:
            multiplier = config.intraday_leverage
        return max(multiplier * equity - gross_exposure, ZERO)
