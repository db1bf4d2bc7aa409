"""The trading account: cash and the rules that turn it into buying power."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Final

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.model.enums import AccountType, CheckTiming, ConfirmEmail
from paperbroker.model.values import ZERO

#: The leverage caps an account may choose (Alpaca's ``max_margin_multiplier``).
MARGIN_MULTIPLIERS: Final = (Decimal(1), Decimal(2), Decimal(4))
#: The highest options trading level (3: spreads and straddles).
MAX_OPTIONS_LEVEL: Final = 3
_SWITCHES: Final = ("fractional_trading", "no_shorting", "suspend_trade", "ptp_no_exception_entry")
_MARGIN: Final = AccountType.MARGIN


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
        return self.account_type is _MARGIN


@dataclass(frozen=True, slots=True)
class AccountRules:
    """The rules an account's holder sets for it: Alpaca's account configurations.

    The defaults are those of a fresh Alpaca paper account.  Four rules bind
    every order of the account, whichever client sends it:

    - ``suspend_trade``: every new order, replacements included, is rejected
      (``trading_suspended``); cancels still work;
    - ``no_shorting``: an order that would open or add to a short position is
      rejected (``short_not_allowed``);
    - ``fractional_trading`` off: fractional quantities and notional orders are
      rejected (``fractional_not_allowed``), closing ones too;
    - ``max_margin_multiplier`` (1, 2 or 4): caps a margin account's leverage,
      overnight and intraday; 1 leaves a buying power of equity less exposure.
      It never raises the leverage the account was opened with.

    The others are kept and reported, without effect, because the simulation
    has nothing for them to act on: ``dtbp_check`` and ``pdt_check`` time the
    day-trading margin call and pattern day trader checks (no day trades are
    counted and no margin calls are made); ``trade_confirm_email`` (no mail is
    sent); ``ptp_no_exception_entry`` (no publicly traded partnerships are
    flagged); ``max_options_trading_level`` (no options are traded).
    """

    dtbp_check: CheckTiming = CheckTiming.ENTRY
    fractional_trading: bool = True
    max_margin_multiplier: Decimal = Decimal(4)
    no_shorting: bool = False
    pdt_check: CheckTiming = CheckTiming.ENTRY
    suspend_trade: bool = False
    trade_confirm_email: ConfirmEmail = ConfirmEmail.ALL
    ptp_no_exception_entry: bool = False
    max_options_trading_level: int | None = None

    def __post_init__(self) -> None:
        # Values may come as text (a request, a journal): each is checked and
        # stored as its own type, so equal rules compare and encode alike.
        for name in ("dtbp_check", "pdt_check", "trade_confirm_email"):
            kind = ConfirmEmail if name == "trade_confirm_email" else CheckTiming
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                choices = ", ".join(k.value for k in kind)
                raise InvalidRequest(f"{name} must be one of {choices}, got {value!r}") from None
        for name in _SWITCHES:
            if type(getattr(self, name)) is not bool:
                raise InvalidRequest(f"{name} must be true or false, got {getattr(self, name)!r}")
        multiplier: object = self.max_margin_multiplier
        if isinstance(multiplier, str) and multiplier.strip() in {"1", "2", "4"}:
            multiplier = Decimal(multiplier)
        if isinstance(multiplier, bool) or multiplier not in MARGIN_MULTIPLIERS:
            raise InvalidRequest(f"max_margin_multiplier must be 1, 2 or 4, got {multiplier!r}")
        object.__setattr__(self, "max_margin_multiplier", Decimal(str(multiplier)).quantize(1))
        level = self.max_options_trading_level
        if level is not None and (type(level) is not int or not 0 <= level <= MAX_OPTIONS_LEVEL):
            raise InvalidRequest(
                f"max_options_trading_level must be 0 to {MAX_OPTIONS_LEVEL}, got {level}"
            )

    def updated(self, **changes: object) -> AccountRules:
        """These rules with ``changes`` applied; a ``None`` change keeps the rule as it is.

        Raises:
            InvalidRequest: for a name that is not a rule, or a value out of range.
        """
        names = {f.name for f in fields(self)}
        for name in changes:
            if name not in names:
                raise InvalidRequest(f"{name!r} is not an account configuration")
        given = {name: value for name, value in changes.items() if value is not None}
        return replace(self, **given)  # type: ignore[arg-type]


class Account:
    """Cash, configuration and rules of one account; positions live in the portfolio.

    ``config`` is fixed when the account opens; ``rules`` (see
    :class:`AccountRules`) change with ``AccountConfigured`` events.
    """

    __slots__ = ("cash", "config", "currency", "id", "initial_cash", "rules")

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
        self.rules = AccountRules()

    def multiplier(self, intraday: bool = False) -> Decimal:
        """The leverage the account trades with now: 1 for a cash account, else the
        (intraday) leverage it was opened with, capped by ``max_margin_multiplier``."""
        config = self.config
        if config.account_type is AccountType.CASH:
            return Decimal(1)
        leverage = config.leverage
        if intraday and config.intraday_leverage is not None:
            leverage = config.intraday_leverage
        return min(leverage, self.rules.max_margin_multiplier)

    @property
    def shorting_enabled(self) -> bool:
        """Whether the account may sell short: a margin account without ``no_shorting``."""
        return self.config.allows_short and not self.rules.no_shorting

    def buying_power(
        self, equity: Decimal, gross_exposure: Decimal, intraday: bool = False
    ) -> Decimal:
        """What the account can still commit to new positions.

        Cash account: its cash.  Margin account: ``multiplier * equity`` minus
        the gross value of open positions, never below zero, where the
        multiplier is the intraday one while the market is open, capped by the
        account's ``max_margin_multiplier`` (see :meth:`multiplier`).
        """
        if self.config.account_type is AccountType.CASH:
            return max(self.cash, ZERO)
        return max(self.multiplier(intraday) * equity - gross_exposure, ZERO)
