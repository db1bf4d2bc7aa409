"""A paper session's feed settings (JSON, stored with the session) and the feed they make.

The settings say everything the feed needs except secrets: an Alpaca feed's
keys come from the server's settings, never from a request or the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from paperbroker.core.clock import NANOS_PER_MINUTE, Clock, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.feeds.base import BarFeed
from paperbroker.feeds.replay import MAX_SPEED, ReplayFeed, around_the_clock
from paperbroker.feeds.synthetic import MIN_INTERVAL_SECONDS, SyntheticFeed
from paperbroker.model.instrument import Instrument
from paperbroker.strategy.base import invalid_fields

if TYPE_CHECKING:
    from paperbroker.session.market import MarketData


class FeedSettings(BaseModel):
    """Where a paper session's bars come from (``type``) and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["replay", "synthetic", "alpaca"] = "replay"
    speed: float = Field(1.0, gt=0, le=MAX_SPEED, description="replay: times real time")
    start: datetime | None = Field(
        None, description="replay: the historical moment it starts from (default: the data's)"
    )
    seed: int = Field(0, ge=0, lt=2**32, description="synthetic: the walk's seed")
    interval_seconds: float = Field(
        1.0, ge=MIN_INTERVAL_SECONDS, le=86_400, description="synthetic: seconds per bar"
    )
    url: str | None = Field(
        None, max_length=300, pattern=r"^wss?://", description="alpaca: the stream's URL"
    )
    stale_after_seconds: float = Field(
        30.0, gt=0, le=86_400, description="no bar for this long: the feed is stale"
    )
    on_stale: Literal["report", "pause"] = Field(
        "report", description="what a stale feed does to the session: reported, or paused"
    )

    @classmethod
    def parse(cls, values: object) -> FeedSettings:
        """Validate feed settings.

        Raises:
            InvalidRequest: naming the first bad field.
        """
        try:
            return cls.model_validate(values or {})
        except ValidationError as error:
            raise invalid_fields(
                error, field="feed field", unknown="for a feed", known=cls.model_fields,
                rule="invalid feed settings",
            ) from None  # fmt: skip


class AlpacaCredentials(NamedTuple):
    key_id: str
    secret_key: str


def feed_instruments(
    settings: FeedSettings, symbols: Sequence[str], market: MarketData
) -> tuple[list[Instrument], int]:
    """The instruments a feed delivers and its bar length, without starting it.

    Raises:
        InvalidRequest: for a replay of symbols the server has no data for.
    """
    if settings.type == "replay":
        series = [_series(market, s) for s in symbols]
        durations = {s.duration_ns for s in series}
        if len(durations) != 1:
            raise InvalidRequest("a replay needs symbols with bars of one length")
        duration = max(1, int(durations.pop() / settings.speed))
        return [around_the_clock(s.instrument) for s in series], duration
    if settings.type == "synthetic":
        interval = round(settings.interval_seconds * 1000) * 1_000_000
        return [around_the_clock(Instrument.equity(s)) for s in symbols], interval
    return [Instrument.equity(s) for s in symbols], NANOS_PER_MINUTE


def build_feed(
    settings: FeedSettings,
    symbols: Sequence[str],
    market: MarketData,
    *,
    wall_start_ns: int,
    clock: Clock,
    credentials: AlpacaCredentials | None = None,
) -> BarFeed:
    """The feed the settings describe, scheduled from ``wall_start_ns``.

    Raises:
        InvalidRequest: for unknown symbols, or an Alpaca feed without keys.
    """
    if settings.type == "replay":
        series = [_series(market, s) for s in symbols]
        start = (
            min(int(s.ts[0]) for s in series)
            if settings.start is None
            else datetime_to_ns(settings.start)
        )
        return ReplayFeed(
            series, start_ns=start, speed=settings.speed, wall_start_ns=wall_start_ns, clock=clock
        )
    if settings.type == "synthetic":
        return SyntheticFeed(
            symbols, seed=settings.seed, interval_seconds=settings.interval_seconds,
            wall_start_ns=wall_start_ns, clock=clock,
        )  # fmt: skip
    if credentials is None:
        raise InvalidRequest(
            "an alpaca feed needs the server's PAPERBROKER_ALPACA_KEY_ID and "
            "PAPERBROKER_ALPACA_SECRET_KEY"
        )
    from paperbroker.feeds.alpaca import AlpacaBarFeed  # only sessions that use it load it

    if settings.url is None:
        return AlpacaBarFeed(
            symbols, key_id=credentials.key_id, secret_key=credentials.secret_key, clock=clock
        )
    return AlpacaBarFeed(
        symbols, key_id=credentials.key_id, secret_key=credentials.secret_key, clock=clock,
        url=settings.url,
    )  # fmt: skip


def _series(market: MarketData, symbol: str) -> BarSeries:
    series = market.series(symbol)
    if series is None:
        raise InvalidRequest(f"no data to replay for {symbol!r}")
    return series
