"""The rig of the crash rounds: a trading server that can be armed to die, a live
session on it, and the broker account at a second paperbroker server that fills it.

:class:`Trading` is a real ``paperbroker serve`` (:class:`~bench.server_process.ServerProcess`)
whose environment may arm a crash point (``PAPERBROKER_CRASH_AT``); :class:`Account`
is the broker's side, read through the broker's Alpaca API (``/v2``) with the key
bound to the account's backtest session, whose clock the rig moves so orders fill.
"""

from __future__ import annotations

import contextlib
import http.client
import signal
import sqlite3
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
from bench.server_process import ServerProcess, call
from tests.api.conftest import END, IDEAL, START
from tests.compat.conftest import Bot
from tests.waiting import wait_for

from paperbroker.core.crashpoints import ENVIRONMENT

#: The live session's feed: it gives the session a price to check orders by.
FEED = {"type": "synthetic", "seed": 11, "interval_seconds": 0.25}
#: How long a step of a round may take on a loaded machine before it is a failure.
DEADLINE = 60.0


def attempt(
    server: ServerProcess, method: str, path: str, body: Any = None, *, session: str | None = None
) -> tuple[int, Any] | None:
    """:func:`call`, or ``None`` when no answer came back (the server is down, or died
    while the request was on its way: its outcome is unknown to the client)."""
    try:
        return call(server, method, path, body, session=session)
    except (OSError, http.client.HTTPException):
        return None


class Account:
    """The broker account of a live session: its orders, fills and positions at the
    broker (``url``, with the account's ``key``), and its clock (``advance`` moves it by
    some minutes)."""

    def __init__(self, url: str, key: tuple[str, str], advance: Callable[[int], object]) -> None:
        self.url = url
        self.key = key
        self.advance = advance
        self._headers = {"APCA-API-KEY-ID": key[0], "APCA-API-SECRET-KEY": key[1]}

    @classmethod
    def of(cls, bot: Bot) -> Account:
        """The account of ``bot``, a session of a broker server in this process."""
        return cls(bot.server.url, bot.key, lambda minutes: bot.advance(duration=minutes))

    def get(self, path: str, **params: Any) -> Any:
        answer = httpx2.get(f"{self.url}{path}", params=params, headers=self._headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def orders(self) -> list[dict[str, Any]]:
        """Every order of the account (``/v2/orders?status=all``)."""
        found: list[dict[str, Any]] = self.get("/v2/orders", status="all", limit=500)
        assert len(found) < 500, "more orders than one page holds"
        return found

    def duplicates(self) -> dict[str, int]:
        """``client_order_id``s the broker holds more than one order of."""
        counts = Counter(str(o["client_order_id"]) for o in self.orders())
        return {cid: n for cid, n in counts.items() if n > 1}

    def positions(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Symbol → (qty, average entry price) at the broker."""
        return {
            p["symbol"]: (Decimal(p["qty"]), Decimal(p["avg_entry_price"]))
            for p in self.get("/v2/positions")
        }

    def fills(self) -> list[dict[str, Any]]:
        """The account's executions (``/v2/account/activities/FILL``), oldest first."""
        found: list[dict[str, Any]] = self.get(
            "/v2/account/activities/FILL", direction="asc", page_size=100
        )
        assert len(found) < 100, "more fills than one page holds"
        return found

    def fill_everything(self) -> None:
        """Move the account's clock a day at a time until no order of it works (a market
        order fills at the next daily bar's open)."""
        for _ in range(10):
            if not [o for o in self.orders() if o["status"] in ("new", "accepted")]:
                return
            self.advance(1440)
        raise AssertionError("the broker's orders did not fill in ten days")


def account_at(broker: ServerProcess) -> Account:
    """A new broker account at ``broker``, a ``paperbroker serve`` process: a backtest
    session of its admin key (the bundled daily bars, ideal fills) and a key bound to it."""
    body = {"startTime": START, "endTime": END, "execution": IDEAL}
    status, session = call(broker, "POST", "/v1/sessions", body)
    assert status == 201, session
    status, bound = call(broker, "POST", f"/v1/sessions/{session['id']}/keys", {"label": "bot"})
    assert status == 201, bound

    def advance(minutes: int) -> None:
        path = f"/v1/sessions/{session['id']}/time/advance"
        status, moved = call(broker, "POST", path, {"duration": minutes})
        assert status == 200, moved

    return Account(broker.base_url, (bound["key_id"], bound["secret"]), advance)


class Trading:
    """A trading server (``paperbroker serve``) and one live session on it, trading at
    ``account``'s broker."""

    def __init__(self, database_url: str, folder: Path, account: Account) -> None:
        self.account = account
        self.server = ServerProcess(
            database_url, log_dir=folder / "logs",
            # Checkpoints on demand and at shutdown only: none behind a round's back.
            env={"PAPERBROKER_DATA_DIR": str(folder / "data"),
                 "PAPERBROKER_CHECKPOINT_INTERVAL_SECONDS": "0"},
        )  # fmt: skip
        self.session: dict[str, Any] = {}
        self.runs_seen: set[str] = set()

    # -- the server -------------------------------------------------------------------
    def start(self, crash_at: str | None = None) -> None:
        """Start the server (armed at ``crash_at``, if given) and wait until the live
        session is linked to its broker: a reconciliation newer than every one seen
        (the link's stream connected and caught up)."""
        self.server.env.pop(ENVIRONMENT, None)
        if crash_at is not None:
            self.server.env[ENVIRONMENT] = crash_at
        self.server.start()
        if self.session:
            self.wait_linked()

    def wait_linked(self) -> None:
        def new_run() -> bool:
            found = attempt(self.server, "GET", f"/v1/sessions/{self.id}/reconciliations")
            if found is None or found[0] != 200:
                return False
            ids = {run["id"] for run in found[1]}
            fresh = ids - self.runs_seen
            self.runs_seen |= ids
            return bool(fresh)

        wait_for(new_run, "the live session linked to its broker again", DEADLINE)

    def wait_dead(self, point: str) -> None:
        """Wait until the server has killed itself (SIGKILL) at ``point``."""
        wait_for(lambda: self.server.pid is None, f"the server to kill itself at {point}",
                 DEADLINE)  # fmt: skip
        assert self.server.returncode == -signal.SIGKILL, "".join(self.server.output[-30:])

    def stop(self) -> None:
        self.server.stop()

    # -- the live session --------------------------------------------------------------
    def open_session(self, base_url: str | None = None) -> None:
        """A credential for the broker account and a live session trading with it, at
        ``base_url`` (default: the broker's own)."""
        key_id, secret = self.account.key
        credential = {"label": "broker", "key_id": key_id, "secret_key": secret}
        status, made = call(self.server, "POST", "/v1/broker-credentials", credential)
        assert status == 201, made
        broker = {"endpoint": "custom", "base_url": base_url or self.account.url,
                  "credentials_id": made["id"],
                  "reconcile": {"policy": "adopt", "interval_seconds": 3600}}  # fmt: skip
        body = {"name": "crash rounds", "symbols": ["AAPL"], "feed": FEED, "broker": broker}
        status, session = call(self.server, "POST", "/api/live-trading/sessions", body)
        assert status == 201, session
        self.session = session
        self.wait_linked()

    @property
    def id(self) -> str:
        return str(self.session["id"])

    @property
    def _trading(self) -> str:
        return f"/v1/trading/accounts/{self.session['default_account_id']}"

    def buy(self, qty: int) -> str | None:
        """A market buy through the API: its order id if the server acknowledged it (2xx),
        ``None`` if no answer came (the server died) or it was refused."""
        order = {"symbol": "AAPL", "side": "buy", "qty": qty, "type": "market"}
        answer = attempt(self.server, "POST", f"{self._trading}/orders", order, session=self.id)
        if answer is None or not 200 <= answer[0] < 300:
            return None
        return str(answer[1]["id"])

    def orders(self) -> dict[str, dict[str, Any]]:
        status, found = call(self.server, "GET", f"{self._trading}/orders?status=all",
                             session=self.id)  # fmt: skip
        assert status == 200, found
        return {o["id"]: o for o in found}

    def fills(self) -> list[dict[str, Any]]:
        status, found = call(self.server, "GET", f"{self._trading}/fills?limit=1000",
                             session=self.id)  # fmt: skip
        assert status == 200, found
        return list(found)

    def positions(self) -> dict[str, tuple[Decimal, Decimal]]:
        status, found = call(self.server, "GET", f"{self._trading}/positions", session=self.id)
        assert status == 200, found
        return {p["symbol"]: (Decimal(p["qty"]), Decimal(p["avg_entry_price"])) for p in found}

    def reconciliations(self) -> list[dict[str, Any]]:
        status, found = call(self.server, "GET", f"/v1/sessions/{self.id}/reconciliations")
        assert status == 200, found
        return list(found)

    def checkpoint(self, session_id: str) -> tuple[int, Any] | None:
        return attempt(self.server, "POST", f"/v1/sessions/{session_id}/checkpoints")

    def checkpoints(self, session_id: str) -> tuple[list[tuple[int, int]], Any]:
        """The session's checkpoints, newest first, as (id, seq), and how its last restore
        in this server went (``None`` before one)."""
        status, found = call(self.server, "GET", f"/v1/sessions/{session_id}/checkpoints")
        assert status == 200, found
        listed = [(c["id"], c["seq"]) for c in found["checkpoints"]]
        return listed, found["stats"]["last_restore"]

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` of the server's database (``ok``), or
        ``ok`` for PostgreSQL."""
        url = self.server.database_url
        if not url.startswith("sqlite:///"):
            return "ok"
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            (result,) = db.execute("PRAGMA integrity_check").fetchone()
        return str(result)


def at_broker(trading: Trading, orders: list[str]) -> Callable[[], bool]:
    def arrived() -> bool:
        there = {str(o["client_order_id"]) for o in trading.account.orders()}
        return set(orders) <= there

    return arrived


def settle(trading: Trading) -> None:
    """Wait until every order of the session is at the broker, fill them all there, and
    wait until the session holds what the broker holds."""
    orders = sent(trading.orders())
    try:
        wait_for(at_broker(trading, list(orders)), "every order of the session at the broker",
                 DEADLINE)  # fmt: skip
    except AssertionError:
        states = {i: (o["status"], o.get("reject_message")) for i, o in trading.orders().items()}
        log = "".join(trading.server.output[-40:])
        raise AssertionError(
            f"orders here: {states}\nat the broker: {trading.account.orders()}\n{log}"
        ) from None
    trading.account.fill_everything()

    def agree() -> bool:
        broker_filled = {str(o["client_order_id"]): Decimal(o["filled_qty"])
                         for o in trading.account.orders()}  # fmt: skip
        ours = sent(trading.orders())
        return trading.positions() == trading.account.positions() and all(
            Decimal(o["filled_qty"]) == broker_filled.get(i) for i, o in ours.items()
        )

    wait_for(agree, "the session's books to be the broker's", DEADLINE)


def sent(orders: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The orders the session sends to its broker: all but those it refused itself (before
    its first bar it has no price to check an order by)."""
    return {i: o for i, o in orders.items() if o["status"] != "rejected"}
