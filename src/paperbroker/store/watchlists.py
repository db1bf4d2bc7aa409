"""The ``watchlists`` table: named lists of symbols, per account of a session.

A watchlist is account configuration, not trading state: nothing the
session replays depends on it, so it is kept beside the journal rather than
in it, survives a restart as any row does, and is deleted with its session
(``ON DELETE CASCADE``). Every call is scoped by session and account: a
watchlist of another account is reported as :class:`NotFound`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import WatchlistRow

#: A watchlist's name is at most this long (Alpaca's limit).
MAX_NAME = 64
#: A watchlist holds at most this many symbols.
MAX_SYMBOLS = 1_000


@dataclass(frozen=True, slots=True)
class WatchlistRecord:
    """One watchlist: its symbols in order; times in epoch ns (the session's clock)."""

    id: str
    session_id: str
    account_id: str
    name: str
    symbols: tuple[str, ...]
    created_at: int
    updated_at: int


class Watchlists:
    """Create, read, rename, fill and delete the watchlists of an account.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        new_id: the id of a new watchlist (random UUIDs by default).
    """

    def __init__(
        self, session_factory: SessionFactory, *, new_id: Callable[[], str] | None = None
    ) -> None:
        self._factory = session_factory
        self._new_id = new_id or (lambda: str(uuid.uuid4()))

    def of_account(self, session_id: str, account_id: str) -> list[WatchlistRecord]:
        """The account's watchlists, oldest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(WatchlistRow)
                .where(WatchlistRow.session_id == session_id, WatchlistRow.account_id == account_id)
                .order_by(WatchlistRow.created_at, WatchlistRow.id)
            )
            return [_record(row) for row in rows]

    def get(self, session_id: str, account_id: str, watchlist_id: str) -> WatchlistRecord:
        """One watchlist by id. Raises NotFound."""
        with read_session(self._factory) as session:
            return _record(_row(session, session_id, account_id, watchlist_id))

    def find(self, session_id: str, account_id: str, name: str) -> WatchlistRecord:
        """One watchlist by name. Raises NotFound."""
        with read_session(self._factory) as session:
            return _record(_named(session, session_id, account_id, name))

    def create(
        self, session_id: str, account_id: str, name: str, symbols: Sequence[str], now_ns: int
    ) -> WatchlistRecord:
        """A new watchlist.

        Raises:
            InvalidRequest: for a bad name, too many or repeated symbols, or a
                name the account already uses.
        """
        row = WatchlistRow(
            id=self._new_id(),
            session_id=session_id,
            account_id=account_id,
            name=_name(name),
            symbols=_symbols_text(symbols),
            created_at=now_ns,
            updated_at=now_ns,
        )
        try:
            with self._factory.begin() as session:
                session.add(row)
                session.flush()
                return _record(row)
        except IntegrityError:
            raise _taken(name) from None

    def update(
        self,
        session_id: str,
        account_id: str,
        watchlist_id: str,
        now_ns: int,
        *,
        name: str | None = None,
        symbols: Sequence[str] | None = None,
        add: str | None = None,
        remove: str | None = None,
    ) -> WatchlistRecord:
        """Rename a watchlist, replace its symbols, add one at the end or remove one.

        Raises:
            NotFound: for no such watchlist, or a ``remove`` it does not hold.
            InvalidRequest: as :meth:`create`, or an ``add`` it already holds.
        """
        try:
            with self._factory.begin() as session:
                row = _row(session, session_id, account_id, watchlist_id)
                held = list(json.loads(row.symbols))
                if symbols is not None:
                    held = list(symbols)
                if add is not None:
                    if add in held:
                        raise InvalidRequest(f"symbol: {add} is already in the watchlist")
                    held.append(add)
                if remove is not None:
                    if remove not in held:
                        raise NotFound(f"symbol {remove} is not in watchlist {watchlist_id}")
                    held.remove(remove)
                row.symbols = _symbols_text(held)
                if name is not None:
                    row.name = _name(name)
                row.updated_at = max(now_ns, row.updated_at)
                session.flush()
                return _record(row)
        except IntegrityError:
            raise _taken(name or "") from None

    def delete(self, session_id: str, account_id: str, watchlist_id: str) -> None:
        """Delete a watchlist. Raises NotFound."""
        with self._factory.begin() as session:
            result = session.execute(
                delete(WatchlistRow).where(
                    WatchlistRow.id == watchlist_id,
                    WatchlistRow.session_id == session_id,
                    WatchlistRow.account_id == account_id,
                )
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"watchlist {watchlist_id} not found")


def _row(session: Session, session_id: str, account_id: str, watchlist_id: str) -> WatchlistRow:
    row = session.get(WatchlistRow, watchlist_id)
    if row is None or row.session_id != session_id or row.account_id != account_id:
        raise NotFound(f"watchlist {watchlist_id} not found")
    return row


def _named(session: Session, session_id: str, account_id: str, name: str) -> WatchlistRow:
    row = session.scalar(
        select(WatchlistRow).where(
            WatchlistRow.session_id == session_id,
            WatchlistRow.account_id == account_id,
            WatchlistRow.name == name,
        )
    )
    if row is None:
        raise NotFound(f"watchlist {name[:MAX_NAME]!r} not found")
    return row


def _record(row: WatchlistRow) -> WatchlistRecord:
    return WatchlistRecord(
        row.id, row.session_id, row.account_id, row.name, tuple(json.loads(row.symbols)),
        row.created_at, row.updated_at,
    )  # fmt: skip


def _name(name: str) -> str:
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidRequest(f"name: must be 1 to {MAX_NAME} characters, got {len(name)}")
    return name


def _symbols_text(symbols: Sequence[str]) -> str:
    if len(symbols) > MAX_SYMBOLS:
        raise InvalidRequest(f"symbols: at most {MAX_SYMBOLS}, got {len(symbols)}")
    if len(set(symbols)) != len(symbols):
        repeated = sorted({s for s in symbols if list(symbols).count(s) > 1})
        raise InvalidRequest(f"symbols: {', '.join(repeated)} given more than once")
    return json.dumps(list(symbols))


def _taken(name: str) -> InvalidRequest:
    return InvalidRequest(f"name: the account already has a watchlist named {name[:MAX_NAME]!r}")
