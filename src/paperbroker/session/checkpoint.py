"""Checkpoints: a session's whole state at journal seq N, to bound its restore time.

The journal is what makes a session durable; a checkpoint only saves
replaying it from the start. It is one JSON document (``schema_version``,
never pickle) holding the runtime's :meth:`~.checkpoint_state.CheckpointState.to_state`
at seq N: the kernel's clock, ids, orders (their event histories), accounts
and books, the venue's working orders and requests in flight (a live
session's broker venue: its outbox, broker ids and applied fills), the OCO
and bracket links, the risk layer, a live feed's bars (a backtest's bars are
re-derived from the data, only where it is is written), the pipeline of
agents (their states, metrics and the strategies' own state), the
indicators' series (a backtest's recomputed from the bars) and the
lifecycle state. Stored, it is zlib-compressed, with the SHA-256 digest of its JSON.

Recovery (:func:`resume_latest`) takes the newest checkpoint whose digest
verifies and which decodes and fits the session, then replays the journal's
events after its seq, checking each derived event as a full replay does. A
checkpoint that fails is skipped for the one before it, down to a full
replay of the journal; a tail that does not replay exactly is left to the
full replay too, which says where the journal departs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import paperbroker
from paperbroker.core.clock import Clock
from paperbroker.core.errors import PaperbrokerError
from paperbroker.core.snapshot import CheckpointMismatch
from paperbroker.model.codec import decode_event
from paperbroker.store.checkpoints import RestoreReport, StoredCheckpoint

if TYPE_CHECKING:
    from paperbroker.session.market import MarketData
    from paperbroker.session.runtime import SessionRuntime
    from paperbroker.session.spec import SessionSpec
    from paperbroker.store.journal import Journal

log = logging.getLogger(__name__)

#: The version of the checkpoint document this code writes and reads.
SCHEMA_VERSION = 1

R = TypeVar("R", bound="SessionRuntime")


class CheckpointCorrupt(Exception):
    """A stored checkpoint whose digest does not verify, or that does not decode."""


class CheckpointSource(Protocol):
    """Where a restore finds a session's checkpoints (the store's repository)."""

    def candidates(self, session_id: str) -> Iterator[StoredCheckpoint]:
        """The session's checkpoints, newest first, each read only when asked for."""
        ...

    def record_restore(self, session_id: str, report: RestoreReport) -> None:
        """Remember how the session's last restore went."""
        ...


def encode(document: dict[str, Any]) -> tuple[bytes, str]:
    """The compressed payload of a checkpoint document and the SHA-256 of its JSON."""
    text = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    return zlib.compress(text, 1), hashlib.sha256(text).hexdigest()


def decode(stored: StoredCheckpoint, session_id: str) -> dict[str, Any]:
    """The document of a stored checkpoint, its digest verified.

    Raises:
        CheckpointCorrupt: if the payload does not decompress, its digest does not
            match, or it is not a checkpoint of this session in this version.
    """
    if stored.schema_version != SCHEMA_VERSION:
        raise CheckpointCorrupt(f"schema version {stored.schema_version} is not {SCHEMA_VERSION}")
    try:
        text = zlib.decompress(stored.payload)
    except zlib.error as exc:
        raise CheckpointCorrupt(f"the payload does not decompress: {exc}") from None
    if hashlib.sha256(text).hexdigest() != stored.digest:
        raise CheckpointCorrupt("the digest does not match the payload")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CheckpointCorrupt(f"the payload is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("session_id") != session_id:
        raise CheckpointCorrupt("the payload is not a checkpoint of this session")
    if document.get("schema_version") != SCHEMA_VERSION or document.get("seq") != stored.seq:
        raise CheckpointCorrupt("the payload's version or seq is not the stored one")
    if document.get("written_by") != paperbroker.__version__:
        # Another version's state may not be what this one's rules make of the journal:
        # the journal is replayed, and checked, under this version's rules.
        raise CheckpointCorrupt(f"written by paperbroker {document.get('written_by')}")
    return document


def document_of(runtime: SessionRuntime) -> dict[str, Any]:
    """The checkpoint document of ``runtime`` as of its last committed event.

    Raises:
        NotSnapshottable: if the session's state cannot be written exactly yet.
    """
    with runtime.locked():
        state = runtime.to_state()
    return {
        "schema_version": SCHEMA_VERSION,
        "written_by": paperbroker.__version__,
        "session_id": runtime.spec.session_id,
        "seq": state["seq"],
        "runtime": state,
    }


def resume_latest(
    cls: type[R],
    spec: SessionSpec,
    market: MarketData,
    journal: Journal,
    source: CheckpointSource,
    *,
    full: Callable[[], R],
    wall: Clock | None = None,
) -> R:
    """The session rebuilt from its newest usable checkpoint and the journal after it,
    else by ``full`` (a replay of the whole journal).

    A checkpoint that does not verify, decode or fit is skipped for the one
    before it. A journal tail that does not replay exactly ends the search:
    the full replay finds where the journal departs and makes the session
    read-only from there, as without checkpoints. How it went is recorded
    with ``source.record_restore``.

    Raises:
        OperationalError: from ``full``, if the journal does not replay.
    """
    started = time.perf_counter()
    skipped = 0
    for stored in source.candidates(spec.session_id):
        runtime, usable = _resume_one(cls, spec, market, journal, stored, wall)
        if runtime is not None:
            _record(source, spec, stored.seq, skipped, runtime.last_seq - stored.seq, started)
            return runtime
        if not usable:
            break
        skipped += 1
    runtime = full()
    _record(source, spec, None, skipped, runtime.last_seq, started)
    return runtime


def _record(
    source: CheckpointSource,
    spec: SessionSpec,
    seq: int | None,
    skipped: int,
    replayed: int,
    started: float,
) -> None:
    seconds = time.perf_counter() - started
    source.record_restore(
        spec.session_id, RestoreReport(seq, skipped, replayed, seconds, time.time_ns())
    )


def _resume_one(
    cls: type[R],
    spec: SessionSpec,
    market: MarketData,
    journal: Journal,
    stored: StoredCheckpoint,
    wall: Clock | None,
) -> tuple[R | None, bool]:
    """The runtime resumed from ``stored`` (or ``None``), and whether an older
    checkpoint may still serve (not when the journal's tail departs)."""
    session_id = spec.session_id
    try:
        document = decode(stored, session_id)
        encoded = journal.read(session_id, after_seq=stored.seq)
        last = encoded[-1].seq if encoded else journal.last_seq(session_id)
        if last < stored.seq:
            raise CheckpointMismatch(f"the journal ends at seq {last}, before the checkpoint")
        tail = [decode_event(e.kind, e.schema_version, e.payload) for e in encoded]
        runtime = cls(spec, market, journal, replaying=True, wall=wall)
        with runtime.locked():
            if runtime._resume(document["runtime"], stored.seq, tail, last):
                return runtime, True
        log.warning(
            "session %s: the journal after checkpoint seq %d does not replay; replaying all",
            session_id, stored.seq,
        )  # fmt: skip
        return None, False
    except _UNFIT as exc:
        log.warning("session %s: checkpoint at seq %d skipped: %s", session_id, stored.seq, exc)
    return None, True


#: What a checkpoint that does not fit its session raises while it is read.
_UNFIT = (
    CheckpointCorrupt, CheckpointMismatch, PaperbrokerError, KeyError, IndexError, ValueError,
    TypeError,
    AttributeError,
)  # fmt: skip
