"""The ids of a session's accounts, known without rebuilding the session.

A session's accounts have deterministic ids: the ``n``-th account opened is
``uuid5(session id, "account/n")``, the one it was created with being number 0.
So a tool that only has the database (``paperbroker keys create --session``)
can tell a session's accounts from its journal's ``AccountOpened`` events.
"""

from __future__ import annotations

import uuid

from paperbroker.core.ids import AccountId
from paperbroker.model.codec import decode_event
from paperbroker.model.events import AccountOpened
from paperbroker.store.journal import Journal


def account_id(session_id: str, number: int) -> AccountId:
    """The id of the ``number``-th account opened in the session (0: its default account)."""
    return AccountId(str(uuid.uuid5(uuid.UUID(session_id), f"account/{number}")))


def session_account_ids(journal: Journal, session_id: str) -> list[str]:
    """Every account of the session, the default one first, in the order they were opened.

    Raises:
        NotFound: if the session does not exist.
    """
    ids: list[str] = [account_id(session_id, 0)]
    for stored in journal.read(session_id):
        if stored.kind == AccountOpened.__name__:
            event = decode_event(stored.kind, stored.schema_version, stored.payload)
            assert isinstance(event, AccountOpened)
            ids.append(event.account_id)
    return ids
