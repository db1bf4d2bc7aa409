"""Live sessions: a paper session's feed and clock, a broker's account for a venue.

:class:`LiveSessions` is the part of
:class:`~paperbroker.services.sessions.SessionService` that creates live
sessions and keeps each one's **broker link** running: the
:class:`~paperbroker.session.broker_link.BrokerLink` that sends the
session's journaled orders to the broker and journals what the broker
reports. A live session is fed like a paper session (its feed gives the
marks its strategy and risk rules see); its orders go to the broker.

Creating one (:meth:`LiveSessions.create_live`):

- a real-money endpoint (``broker.endpoint: live``) is refused unless the
  request confirms it (``confirm_real_money``);
- the credential must be the caller's (or ``server``, the server's own keys);
- the session's initial cash is the broker account's cash, read through the
  broker when the session is created (its positions there, if any, are the
  first reconciliation's business: see docs/live.md); its account is a cash
  account, so that its own checks never spend more than that cash;
- it starts ``running``: its feed and its broker link start.

A server restores every live session's link when it starts
(:meth:`~paperbroker.services.sessions.SessionService.restore_all`), opening
its credential again; one whose credential no longer opens (deleted, or the
server's secret key changed) fails (``error``, its reason saying why). A
link runs in every state but the ended ones: a paused session's working
orders still fill at the broker. A kill stops it at once (what is working at
the broker stays there); a graceful stop keeps it until the closing orders
are done and the session has ended; a shutdown stops every link.

Credentials (:meth:`add_credential`, …) are the owner's, kept encrypted by
:class:`~paperbroker.broker.credentials.CredentialStore`; none is ever
returned, logged or journaled.
"""

from __future__ import annotations

import builtins
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, cast

from paperbroker.broker.adapter import BrokerAdapter, BrokerRefused, BrokerUnavailable
from paperbroker.broker.credentials import BrokerCredentials, CredentialRecord, CredentialStore
from paperbroker.broker.settings import BrokerSettings
from paperbroker.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    OperationalError,
    PaperbrokerError,
    TemporaryFailure,
)
from paperbroker.risk.settings import RiskSettings
from paperbroker.services.paper import PAPER_SPAN_NS
from paperbroker.services.session_config import account_config, account_json
from paperbroker.services.views import AccountSettings, SessionView
from paperbroker.session.lifecycle import ENDED, SessionTrigger
from paperbroker.venue.execution import preset

if TYPE_CHECKING:
    from paperbroker.core.clock import Clock
    from paperbroker.feeds.config import FeedSettings
    from paperbroker.services.loaded import LoadedSession
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.runtime import SessionRuntime
    from paperbroker.store.sessions_repo import SessionsRepo

log = logging.getLogger(__name__)


class Link(Protocol):
    """What a session's broker link does for the service: run, and stop."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


#: Makes the adapter of a broker's settings and credentials (the server's: Alpaca's).
BrokerFactory = Callable[[BrokerSettings, BrokerCredentials], BrokerAdapter]
#: Makes a session's broker link over its runtime and its broker's adapter.
LinkFactory = Callable[["SessionRuntime", BrokerAdapter], Link]


def alpaca_broker(settings: BrokerSettings, credentials: BrokerCredentials) -> BrokerAdapter:
    """The Alpaca adapter of ``settings`` (its endpoint's URL) with ``credentials``."""
    from paperbroker.broker.alpaca import AlpacaBroker

    return AlpacaBroker(
        credentials.key_id, credentials.secret_key,
        endpoint=settings.endpoint, base_url=settings.base_url,
    )  # fmt: skip


def broker_link(runtime: SessionRuntime, adapter: BrokerAdapter) -> Link:
    """The broker link of a live session's runtime."""
    from paperbroker.session.broker_link import BrokerLink

    return BrokerLink(runtime, adapter)


def broker_of(config: Mapping[str, Any]) -> BrokerSettings | None:
    """The broker settings a session stored (``None`` for a backtest or paper session)."""
    stored = config.get("broker")
    return None if stored is None else BrokerSettings.read(stored)


class LiveSessions:
    """Live sessions and broker credentials of a :class:`SessionService` (see the module doc)."""

    _wall: Clock
    _repo: SessionsRepo
    drive: bool
    #: The owners' broker credentials (set by the session service).
    credentials: CredentialStore
    #: How the service reaches a broker, and links a session to it (tests lend their own).
    brokers: BrokerFactory = staticmethod(alpaca_broker)
    links: LinkFactory = staticmethod(broker_link)

    # Provided by the session service and its paper part.
    def _create(
        self, owner: str, name: str, start_ns: int, end_ns: int, config: str
    ) -> LoadedSession:
        raise NotImplementedError

    def _view(self, live: LoadedSession) -> SessionView:
        raise NotImplementedError

    def _after_move(self, live: LoadedSession) -> None:
        raise NotImplementedError

    def _start_feeding(self, live: LoadedSession) -> None:
        raise NotImplementedError

    def _fed_symbols(
        self, symbols: Sequence[str], feed: Mapping[str, object] | None, kind: str
    ) -> tuple[builtins.list[str], FeedSettings]:
        raise NotImplementedError

    def list(self, owner: str) -> builtins.list[SessionView]:
        raise NotImplementedError

    # -- sessions -----------------------------------------------------------------
    def create_live(
        self,
        owner: str,
        *,
        name: str | None,
        symbols: Sequence[str],
        pipeline: builtins.list[dict[str, Any]] | None,
        feed: Mapping[str, object] | None,
        broker: BrokerSettings,
        risk: RiskSettings | None = None,
        confirm_real_money: bool = False,
        start: bool = True,
        origin: str | None = None,
    ) -> SessionView:
        """Create a live session trading through ``broker`` and (``start``) start it.

        ``origin`` marks who made it, as :meth:`create_paper`'s does.

        Without ``start`` (the command line, which runs no feed or link) it is
        created ``paused``, for the server to run once it is resumed.

        Raises:
            InvalidRequest: for a real-money endpoint without ``confirm_real_money``,
                a credential that is not the owner's (``broker.credentials_id``), a
                broker that refuses the credential, or invalid symbols, feed or
                pipeline (the message names the field).
            TemporaryFailure: if the broker cannot be reached.
        """
        unique, settings = self._fed_symbols(symbols, feed, "live")
        if broker.real_money and not confirm_real_money:
            raise InvalidRequest(
                "confirm_real_money: the live endpoint trades real money; "
                "set confirm_real_money to true to create the session"
            )
        adapter = self._adapter(owner, broker)
        try:
            cash = _account_cash(adapter, broker)
        except PaperbrokerError:
            adapter.close()
            raise
        begin = self._wall.now_ns()
        config = json.dumps(
            {
                "kind": "live",
                "initial_cash": str(cash),
                "playback_speed": 1.0,
                "execution": preset("ideal").to_json(),
                "account": account_json(account_config(AccountSettings())),
                "pipeline": pipeline,
                "symbols": unique,
                "feed": settings.model_dump(mode="json"),
                "risk": None if risk is None else risk.to_json(),
                "broker": broker.to_json(),
                **({} if origin is None else {"origin": origin}),
            }
        )
        try:
            live = self._create(owner, name or "live", begin, begin + PAPER_SPAN_NS, config)
        except PaperbrokerError:
            adapter.close()
            raise
        if not start:
            adapter.close()
            return self._view(live)
        live.runtime.transition(SessionTrigger.RESUME)
        self._after_move(live)
        self._start_feeding(live)
        self._start_link(live, adapter)
        return self._view(live)

    def live_sessions(self, owner: str) -> builtins.list[SessionView]:
        """The owner's live sessions, oldest first."""
        return [view for view in self.list(owner) if view.type == "live"]

    # -- credentials --------------------------------------------------------------------
    def add_credential(
        self, owner: str, *, label: str, broker: str, key_id: str, secret_key: str
    ) -> CredentialRecord:
        """Keep a broker credential of ``owner``'s, encrypted; return what may be shown of it.

        Raises:
            InvalidRequest: naming an invalid field (never the secret's value).
            Conflict: if this server has no secret key.
        """
        return self.credentials.create(
            owner, label=label, broker=broker, key_id=key_id, secret_key=secret_key
        )

    def credentials_of(self, owner: str) -> builtins.list[CredentialRecord]:
        """``owner``'s credentials, oldest first (never a secret)."""
        return self.credentials.list(owner)

    def remove_credential(self, owner: str, credential_id: str) -> None:
        """Forget ``owner``'s credential.

        Raises:
            NotFound: for an unknown id, or another owner's credential.
            Conflict: while a live session that has not ended trades with it.
        """
        store = self.credentials
        store.get(owner, credential_id)  # NotFound first: another owner's is not probed
        ended = {state.value for state in ENDED}
        for record in self._repo.list_for_owner(owner):  # as stored: nothing is restored
            if record.kind != "live" or record.status in ended:
                continue
            stored = json.loads(record.config).get("broker") or {}
            if stored.get("credentials_id") == credential_id:
                raise Conflict(
                    f"live session {record.id} trades with credential {credential_id}; "
                    "stop it first"
                )
        store.delete(owner, credential_id)

    # -- the broker link -------------------------------------------------------------------
    def _start_link(self, live: LoadedSession, adapter: BrokerAdapter | None = None) -> None:
        """Start the session's broker link, unless it runs, the session is not live or has
        ended, or this process does not drive sessions. A link that cannot start (its
        credential no longer opens, the broker refuses it) fails the session."""
        runtime = live.runtime
        if runtime.spec.kind != "live" or not self.drive or runtime.ended:
            if adapter is not None:
                adapter.close()
            return
        if runtime.diverged is not None or live.link is not None:
            if adapter is not None:
                adapter.close()
            return
        try:
            settings = broker_of(json.loads(live.record.config))
            if settings is None:
                raise OperationalError("the session stores no broker settings")
            if adapter is None:
                adapter = self._adapter(live.record.owner_key_id, settings)
            from paperbroker.services.reconcile_schedule import with_reconciliation

            link = self.links(runtime, adapter)
            service = cast("SessionService", self)  # the session service this is part of
            link = with_reconciliation(service, live.record.owner_key_id, runtime, adapter, link)
            link.start()
        except PaperbrokerError as error:
            if adapter is not None:
                adapter.close()
            log.error("session %s: its broker link did not start: %s", live.record.id, error)
            if not runtime.ended and not runtime.poisoned:
                runtime.transition(SessionTrigger.FAIL, f"the broker link did not start: {error}")
            self._after_move(live)
            return
        live.link, live.adapter = link, adapter

    def _stop_link(self, live: LoadedSession) -> None:
        """Stop the session's broker link, if it runs (what works at the broker stays)."""
        link, adapter = live.link, live.adapter
        live.link, live.adapter = None, None
        if link is not None:
            try:
                link.stop()
            except PaperbrokerError:
                log.exception("session %s: its broker link did not stop cleanly", live.record.id)
        if adapter is not None:
            adapter.close()

    def _adapter(self, owner: str, broker: BrokerSettings) -> BrokerAdapter:
        """The adapter of ``broker`` with ``owner``'s credential, opened here.

        Raises:
            InvalidRequest: for a credential that is not ``owner``'s (or ``server``
                without server keys).
            OperationalError: for one that no longer decrypts.
        """
        credential_id = broker.credentials_id
        try:
            credentials = self.credentials.open(owner, credential_id)
        except NotFound:
            raise InvalidRequest(
                f"broker.credentials_id: no broker credential {credential_id} of yours "
                "(see /v1/broker-credentials)"
            ) from None
        return self.brokers(broker, credentials)


def _account_cash(adapter: BrokerAdapter, broker: BrokerSettings) -> Decimal:
    """The broker account's cash, read now: a live session's initial cash.

    Raises:
        TemporaryFailure: if the broker cannot be reached.
        InvalidRequest: if it refuses the credential, or its cash is negative.
    """
    try:
        account = adapter.account()
    except BrokerUnavailable as error:
        raise TemporaryFailure(
            f"the broker at {broker.url} could not be reached: {error}"
        ) from None
    except BrokerRefused as error:
        raise InvalidRequest(
            f"broker.credentials_id: the broker at {broker.url} refused the credential "
            f"({error.status or 'no status'}: {error})"
        ) from None
    if account.cash < 0:
        raise InvalidRequest(
            f"broker: the account's cash is negative ({account.cash}); a live session "
            "starts from the account's cash"
        )
    return account.cash
