"""The API's (and the command line's) shapes of a session's checkpoints."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from paperbroker.api.formats import decimal_text, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.store.checkpoints import (
    CheckpointInfo,
    CheckpointStats,
    RestoreReport,
)


class CheckpointPublic(ResponseModel):
    """One checkpoint: the session's state at a journal seq."""

    id: int
    seq: int = Field(description="The journal seq the state is as of.")
    created_at: str = Field(description="When it was written (RFC 3339, wall time).")
    reason: str = Field(description="`interval`, `shutdown` or `manual`.")
    schema_version: int = Field(description="The version of the checkpoint document.")
    size: int = Field(description="Its stored (zlib-compressed) size in bytes.")
    digest: str = Field(description="The SHA-256 of its JSON, checked before a restore uses it.")

    @classmethod
    def of(cls, info: CheckpointInfo) -> CheckpointPublic:
        return cls(
            id=info.id, seq=info.seq, created_at=time_text(info.created_at), reason=info.reason,
            schema_version=info.schema_version, size=info.size, digest=info.digest,
        )  # fmt: skip


class RestorePublic(ResponseModel):
    """How the session's last restore in this server process went."""

    checkpoint_seq: int | None = Field(
        description="The seq of the checkpoint it started from (null: the whole journal)."
    )
    skipped: int = Field(description="Newer checkpoints skipped (damaged or unfit).")
    replayed: int = Field(description="Journal events replayed after the checkpoint.")
    seconds: str = Field(description="How long it took, wall seconds.")
    at: str = Field(description="When it finished (RFC 3339).")

    @classmethod
    def of(cls, report: RestoreReport) -> RestorePublic:
        return cls(
            checkpoint_seq=report.checkpoint_seq, skipped=report.skipped,
            replayed=report.replayed,
            seconds=decimal_text(Decimal(f"{report.seconds:.6f}")), at=time_text(report.at_ns),
        )  # fmt: skip


class CheckpointStatsPublic(ResponseModel):
    """A session's checkpoints in sum."""

    count: int
    latest_seq: int | None = Field(description="The newest one's seq (null: none).")
    latest_at: str | None = Field(description="When the newest one was written (null: none).")
    total_size: int = Field(description="Their stored size in bytes, summed.")
    last_restore: RestorePublic | None = Field(
        description="The session's last restore in this server process (null: none yet)."
    )

    @classmethod
    def of(cls, stats: CheckpointStats) -> CheckpointStatsPublic:
        last = None if stats.last_restore is None else RestorePublic.of(stats.last_restore)
        return cls(
            count=stats.count, latest_seq=stats.latest_seq,
            latest_at=None if stats.latest_at is None else time_text(stats.latest_at),
            total_size=stats.total_size, last_restore=last,
        )  # fmt: skip


class CheckpointsPublic(ResponseModel):
    """A session's checkpoints, newest first, and their figures."""

    session_id: str
    stats: CheckpointStatsPublic
    checkpoints: list[CheckpointPublic]

    @classmethod
    def of(
        cls, session_id: str, infos: list[CheckpointInfo], stats: CheckpointStats
    ) -> CheckpointsPublic:
        return cls(
            session_id=session_id,
            stats=CheckpointStatsPublic.of(stats),
            checkpoints=[CheckpointPublic.of(i) for i in infos],
        )


class CheckpointCleanupPublic(ResponseModel):
    """What a cleanup deleted."""

    session_id: str
    deleted: int = Field(description="How many checkpoints were deleted.")
