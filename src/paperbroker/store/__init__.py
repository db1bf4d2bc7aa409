"""Durable storage for sessions: the SQL journal, sessions and API keys.

Typical start-up::

    engine = create_engine_for(settings.database_url, settings.sqlite_synchronous)
    check_durability(engine, settings.sqlite_synchronous)
    migrate(engine)
    factory = session_factory(engine)
    journal, keys, sessions = Journal(factory), ApiKeys(factory), SessionsRepo(factory)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperbroker.core.lazy import lazy_attributes

if TYPE_CHECKING:
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

_MODULES = {
    "paperbroker.store.db": (
        "SessionFactory",
        "check_durability",
        "create_engine_for",
        "normalize_database_url",
        "read_session",
        "session_factory",
    ),
    "paperbroker.store.journal": ("EncodedEvent", "Journal"),
    "paperbroker.store.keys": ("ApiKeyRecord", "ApiKeys"),
    "paperbroker.store.migrate": ("current_revision", "head_revision", "migrate"),
    "paperbroker.store.sessions_repo": ("SessionRecord", "SessionsRepo"),
}

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

__getattr__ = lazy_attributes(
    __name__, {name: module for module, names in _MODULES.items() for name in names}
)
