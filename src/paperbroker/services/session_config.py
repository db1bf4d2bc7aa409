"""How a session's settings are read from requests and from storage, and order checks.

The service stores a session's execution models and account settings as JSON
with the session; these functions turn client requests into those settings,
read them back, and check the parts of an order request the kernel cannot
(which prices a type takes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from paperbroker.core.errors import InsufficientQuantity, InvalidRequest, OperationalError
from paperbroker.model.account import AccountConfig
from paperbroker.model.enums import AccountType, OrderClass, OrderSide, OrderType, TimeInForce
from paperbroker.model.instrument import Instrument
from paperbroker.services.views import AccountSettings
from paperbroker.venue.execution import ExecutionConfig
from paperbroker.venue.working import FRACTION_STEP

E = TypeVar("E", OrderSide, OrderType, TimeInForce, OrderClass, AccountType)

#: What a session stored before it had execution settings ran with.
LEGACY_PRESET = "ideal"
#: Reg-T's overnight multiplier: a margin account's leverage when only the intraday one is given.
_REG_T_LEVERAGE = Decimal(2)
LIMIT_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT})
STOP_TYPES = frozenset({OrderType.STOP, OrderType.STOP_LIMIT})


def account_config(settings: AccountSettings) -> AccountConfig:
    """The account configuration ``settings`` ask for.

    ``cash`` takes no leverage.  ``margin`` alone is Reg-T (2 overnight, 4
    intraday); ``leverage`` alone is one multiplier day and night;
    ``intraday_leverage`` alone keeps the overnight 2.

    Raises:
        InvalidRequest: naming the setting that is wrong (``account.leverage``, …).
    """
    kind = parse_enum(AccountType, settings.type, "account.type")
    leverage, intraday = settings.leverage, settings.intraday_leverage
    if kind is AccountType.CASH:
        for name, value in (("leverage", leverage), ("intradayLeverage", intraday)):
            if value is not None and value != 1:
                raise InvalidRequest(
                    f"account.{name}: a cash account cannot use leverage; use a margin account"
                )
        return AccountConfig()
    if leverage is None and intraday is None:
        return AccountConfig.reg_t()
    leverage = _REG_T_LEVERAGE if leverage is None else leverage
    if leverage < 1:
        raise InvalidRequest(f"account.leverage: must be at least 1, got {leverage}")
    if intraday is not None and intraday < leverage:
        raise InvalidRequest(
            f"account.intradayLeverage: {intraday} is below the overnight leverage {leverage}"
        )
    return AccountConfig(AccountType.MARGIN, leverage, intraday)


def account_json(config: AccountConfig) -> dict[str, str | None]:
    intraday = config.intraday_leverage
    return {
        "type": config.account_type.value,
        "leverage": str(config.leverage),
        "intraday_leverage": None if intraday is None else str(intraday),
    }


def stored_settings(
    session_id: str, config: dict[str, object]
) -> tuple[ExecutionConfig, AccountConfig]:
    """The execution and account settings stored with a session.

    A session stored before sessions had them ran on the ideal venue with a
    cash account: that is what it replays with.

    Raises:
        OperationalError: if the stored settings do not read.
    """
    execution, account = config.get("execution"), config.get("account")
    try:
        if execution is None:
            models = ExecutionConfig.from_json(None, default_preset=LEGACY_PRESET)
        elif isinstance(execution, Mapping):
            models = ExecutionConfig.from_json(execution)
        else:
            raise InvalidRequest("execution: must be an object")
        if account is None:
            return models, AccountConfig()
        if not isinstance(account, Mapping):
            raise InvalidRequest("account: must be an object")
        intraday = account.get("intraday_leverage")
        settings = AccountConfig(
            AccountType(str(account["type"])),
            Decimal(str(account["leverage"])),
            None if intraday is None else Decimal(str(intraday)),
        )
    except (InvalidRequest, KeyError, ValueError, ArithmeticError) as error:
        raise OperationalError(
            f"session {session_id}: stored settings do not read: {error}"
        ) from error
    return models, settings


def check_prices(
    order_type: OrderType,
    limit: str | None,
    stop: str | None,
    trail_price: str | None,
    trail_percent: str | None,
) -> None:
    """Raise InvalidRequest unless the prices given are exactly those ``order_type`` needs."""
    trailing = order_type is OrderType.TRAILING_STOP
    for name, value, needed in (
        ("limit_price", limit, order_type in LIMIT_TYPES),
        ("stop_price", stop, order_type in STOP_TYPES),
    ):
        if needed != (value is not None):
            raise InvalidRequest(
                f"{name} is {'required' if needed else 'not allowed'} for a {order_type} order"
            )
    if trailing and (trail_price is None) == (trail_percent is None):
        raise InvalidRequest(
            "a trailing_stop order needs exactly one of trail_price and trail_percent"
        )
    if not trailing:
        name = "trail_price" if trail_price is not None else "trail_percent"
        if trail_price is not None or trail_percent is not None:
            raise InvalidRequest(f"{name} is not allowed for a {order_type} order")


def parse_enum(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value.lower())
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidRequest(f"{field} {value!r} is not one of {choices}") from None


def close_quantity(
    held: Decimal,
    qty: Decimal | None,
    percentage: Decimal | None,
    instrument: Instrument,
) -> Decimal:
    """How much of a position of ``held`` (> 0) units to close: all, ``qty`` or ``percentage``.

    A percentage is rounded down to the instrument's grid: whole lots, or
    steps of 1e-9 where the instrument is fractionable.

    Raises:
        InvalidRequest: for both, a non-positive value, a percentage over 100,
            or a part that rounds to nothing.
        InsufficientQuantity: if ``qty`` exceeds ``held``.
    """
    if qty is not None and percentage is not None:
        raise InvalidRequest("give qty or percentage, not both")
    if qty is not None:
        if qty <= 0:
            raise InvalidRequest(f"qty must be positive, got {qty}")
        if qty > held:
            raise InsufficientQuantity(
                f"insufficient qty available for order (requested: {qty}, available: {held})"
            )
        return qty
    if percentage is None:
        return held
    if not 0 < percentage <= 100:
        raise InvalidRequest(f"percentage must be in (0, 100], got {percentage}")
    step = FRACTION_STEP if instrument.fractionable else instrument.lot_size
    amount = (held * percentage / 100 // step) * step
    if amount <= 0:
        raise InvalidRequest(
            f"{percentage}% of {held} {instrument.symbol} rounds to nothing "
            f"(the instrument trades in steps of {step})"
        )
    return amount.normalize()
