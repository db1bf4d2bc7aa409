"""Durable storage for sessions: the SQL journal, sessions and API keys.

Typical start-up::

    engine = create_engine_for(settings.database_url, settings.sqlite_synchronous)
    check_durability(engine, settings.sqlite_synchronous)
    migrate(engine)
    factory = session_factory(engine)
    journal, keys, sessions = Journal(factory), ApiKeys(factory), SessionsRepo(factory)
"""

from __future__ import annotations

from paperbroker.store.db import (
    SessionFactory,
    check_durability,
    create_engine_for,
    normalize_database_url,
    read_session,
    session_factory,
)
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.keys import ApiKeyRecord, ApiKeys
from paperbroker.store.migrate import current_revision, head_revision, migrate
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

__all__ = [
    "ApiKeyRecord",
    "ApiKeys",
    "EncodedEvent",
    "Journal",
    "SessionFactory",
    "SessionRecord",
    "SessionsRepo",
    "check_durability",
    "create_engine_for",
    "current_revision",
    "head_revision",
    "migrate",
    "normalize_database_url",
    "read_session",
    "session_factory",
]
