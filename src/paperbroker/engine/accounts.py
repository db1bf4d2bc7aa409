"""A kernel's accounts: their books and rules, and the events that change them.

Opening an account publishes ``AccountOpened``; setting its rules publishes
``AccountConfigured`` with every rule as it stands afterwards, so a journal
replays to the same rules whatever the order of changes.
"""

from __future__ import annotations

from collections.abc import Callable

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.core.ids import AccountId
from paperbroker.model.account import Account, AccountRules
from paperbroker.model.events import AccountConfigured, AccountOpened, Event
from paperbroker.portfolio.portfolio import Portfolio


class Accounts:
    """Every account of one kernel by id, the default one first.

    ``new_books`` builds an account's portfolio, ``publish`` hands an event
    to the kernel's subscribers and ``now`` reads the kernel's clock.
    """

    def __init__(
        self,
        default: Portfolio,
        new_books: Callable[[Account], Portfolio],
        publish: Callable[[Event], None],
        now: Callable[[], int],
    ) -> None:
        self.default = default
        self.portfolios: dict[str, Portfolio] = {default.account.id: default}
        self._new_books = new_books
        self._publish = publish
        self._now = now

    def open(self, account: Account) -> Portfolio:
        """Add an account (an ``AccountOpened`` event) and return its books.

        Raises:
            Conflict: if an account with that id already exists.
        """
        if account.id in self.portfolios:
            raise Conflict(f"account {account.id} already exists")
        portfolio = self._new_books(account)
        self.portfolios[account.id] = portfolio
        config = account.config
        self._publish(
            AccountOpened(
                ts=self._now(),
                account_id=account.id,
                initial_cash=account.initial_cash,
                account_type=config.account_type,
                leverage=config.leverage,
                intraday_leverage=config.intraday_leverage,
            )
        )
        return portfolio

    def restore(self, account: Account) -> Portfolio:
        """Add an account as a checkpoint had it, publishing nothing (it opened before).

        Raises:
            Conflict: if an account with that id already exists.
        """
        if account.id in self.portfolios:
            raise Conflict(f"account {account.id} already exists")
        portfolio = self.portfolios[account.id] = self._new_books(account)
        return portfolio

    def books(self, account_id: str | None = None) -> Portfolio:
        """The portfolio of ``account_id`` (the default account if ``None``).

        Raises:
            NotFound: if the kernel has no such account.
        """
        if account_id is None:
            return self.default
        portfolio = self.portfolios.get(account_id)
        if portfolio is None:
            raise NotFound(f"account {account_id} not found")
        return portfolio

    def rules(self, account_id: str | None = None) -> AccountRules:
        """The rules ``account_id`` trades under now (see :class:`AccountRules`)."""
        return self.books(account_id).account.rules

    def configure(self, account_id: str, rules: AccountRules) -> AccountRules:
        """Make ``rules`` the account's rules from now on, and return them.

        Rules equal to the current ones change nothing and publish nothing.

        Raises:
            NotFound: if the kernel has no such account.
        """
        portfolio = self.books(account_id)
        account = portfolio.account
        if rules == account.rules:
            return rules
        account.rules = rules
        portfolio.forget_reservations()  # the margin cap may have moved the buying power
        self._publish(configured(self._now(), account.id, rules))
        return rules


def configured(ts: int, account_id: AccountId, rules: AccountRules) -> AccountConfigured:
    """The event that sets an account's rules to ``rules`` at ``ts``."""
    return AccountConfigured(
        ts=ts,
        account_id=account_id,
        dtbp_check=rules.dtbp_check,
        fractional_trading=rules.fractional_trading,
        max_margin_multiplier=rules.max_margin_multiplier,
        no_shorting=rules.no_shorting,
        pdt_check=rules.pdt_check,
        suspend_trade=rules.suspend_trade,
        trade_confirm_email=rules.trade_confirm_email,
        ptp_no_exception_entry=rules.ptp_no_exception_entry,
        max_options_trading_level=rules.max_options_trading_level,
    )


def rules_of(event: AccountConfigured) -> AccountRules:
    """The rules an ``AccountConfigured`` event sets."""
    return AccountRules(
        dtbp_check=event.dtbp_check,
        fractional_trading=event.fractional_trading,
        max_margin_multiplier=event.max_margin_multiplier,
        no_shorting=event.no_shorting,
        pdt_check=event.pdt_check,
        suspend_trade=event.suspend_trade,
        trade_confirm_email=event.trade_confirm_email,
        ptp_no_exception_entry=event.ptp_no_exception_entry,
        max_options_trading_level=event.max_options_trading_level,
    )
