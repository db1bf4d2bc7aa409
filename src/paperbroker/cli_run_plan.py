"""What ``paperbroker run`` is asked to do, read from its options and checked.

:func:`read_plan` turns the command line into a :class:`RunPlan`: the
session to create (symbols, strategy, feed, cash, broker) or the one to
resume, and how long and how to run it. Every mistake is an
:class:`~paperbroker.core.errors.InvalidRequest` naming the option (exit code
2); nothing here touches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from paperbroker.cli_common import parse_params, parse_symbols
from paperbroker.core.errors import InvalidRequest

#: Marks the sessions ``paperbroker run`` creates (their stored ``origin``).
ORIGIN = "cli-run"
BROKERS = ("sim", "alpaca-paper", "alpaca-live")  # or an http(s) URL: a custom endpoint
FEEDS = ("replay", "synthetic", "alpaca")
#: Seconds between bars (decisions) unless ``--interval`` says otherwise.
DEFAULT_INTERVAL = 60.0
#: The Alpaca feed's bars are one minute long.
ALPACA_BAR_SECONDS = 60.0
#: A feed is stale after this many intervals without a bar (at least 30 s).
STALE_INTERVALS = 5


@dataclass(frozen=True)
class NewSession:
    """The session to create."""

    symbols: tuple[str, ...]
    strategy: str
    params: dict[str, str]
    #: ``FeedSettings`` JSON but the replay's speed, which needs the data's bar length.
    feed: dict[str, Any]
    #: Wall seconds between bars (replay and synthetic feeds).
    interval: float
    cash: Decimal
    execution: str
    name: str


@dataclass(frozen=True)
class RunPlan:
    """Everything ``paperbroker run`` was asked to do."""

    #: ``sim``, ``alpaca-paper``, ``alpaca-live`` or the URL of a custom endpoint.
    broker: str
    #: ``None``: create; ``"last"``: the newest resumable session ``run`` made; else its id.
    resume: str | None
    reconcile_only: bool
    #: Seconds to run (0: until interrupted).
    duration: float
    checkpoint_interval: float
    #: How many of the session's newest checkpoints the cleanup keeps.
    keep_checkpoints: int
    #: The owner's key id (``None``: the database's admin key).
    key: str | None
    credentials: str | None
    #: The session to create (``None`` when resuming).
    session: NewSession | None
    #: When resuming: what the options given say the session is (``symbols``,
    #: ``strategy``, ``params``, ``feed``, ``interval``, ``cash``), checked against it.
    given: dict[str, Any] = field(default_factory=dict)

    #: ``--confirm-real-money`` was given.
    real_money_confirmed: bool = False

    @property
    def real_money(self) -> bool:
        """Whether a session it creates trades real money (Alpaca's live endpoint)."""
        return self.broker == "alpaca-live"

    @property
    def live(self) -> bool:
        return self.broker != "sim"


def read_plan(
    *,
    symbols: str | None,
    strategy: str | None,
    param: list[str] | None,
    duration_minutes: float,
    interval: float | None,
    checkpoint_interval: float,
    keep_checkpoints: int,
    broker: str,
    feed: str | None,
    seed: int | None,
    replay_start: str | None,
    cash: str | None,
    execution: str | None,
    name: str | None,
    key: str | None,
    credentials: str | None,
    confirm_real_money: bool,
    resume: bool,
    resume_session: str | None,
    reconcile_only: bool,
) -> RunPlan:
    """The plan the options describe.

    Raises:
        InvalidRequest: naming the option that is missing, out of range or in
            conflict with another.
    """
    if broker not in BROKERS and not broker.startswith(("http://", "https://")):
        raise InvalidRequest(
            f"--broker must be one of {', '.join(BROKERS)} or an http(s) URL, got {broker!r}"
        )
    if broker != "sim" and (cash is not None or execution is not None):
        raise InvalidRequest(
            "--cash and --execution go with --broker sim: a live session's cash is its broker "
            "account's, and the broker fills its orders"
        )
    if resume and resume_session is not None:
        raise InvalidRequest("give --resume or --resume-session ID, not both")
    target = "last" if resume else resume_session
    if reconcile_only and target is None:
        raise InvalidRequest("--reconcile-only needs --resume or --resume-session ID")
    if not math.isfinite(duration_minutes) or duration_minutes < 0:
        raise InvalidRequest(
            f"--duration must be 0 (until interrupted) or more minutes, got {duration_minutes}"
        )
    if not math.isfinite(checkpoint_interval) or checkpoint_interval < 1:
        raise InvalidRequest(
            f"--checkpoint-interval must be at least 1 second, got {checkpoint_interval}"
        )
    if keep_checkpoints < 1:
        raise InvalidRequest(f"--keep-checkpoints must be at least 1, got {keep_checkpoints}")
    if broker == "alpaca-live" and not confirm_real_money and not reconcile_only:
        raise InvalidRequest(
            "--broker alpaca-live trades real money: add --confirm-real-money to go on"
        )
    if broker == "sim" and credentials is not None:
        raise InvalidRequest("--credentials goes with a live --broker (alpaca-paper, ...)")
    chosen_feed = feed or ("alpaca" if broker != "sim" else "replay")
    if chosen_feed not in FEEDS:
        raise InvalidRequest(f"--feed must be one of {', '.join(FEEDS)}, got {chosen_feed!r}")
    if interval is not None and not (math.isfinite(interval) and 0.01 <= interval <= 86_400):
        raise InvalidRequest(f"--interval must be 0.01 to 86400 seconds, got {interval}")
    if chosen_feed == "alpaca" and interval not in (None, ALPACA_BAR_SECONDS):
        raise InvalidRequest("the alpaca feed's bars are one minute long: --interval is 60 there")
    if seed is not None and chosen_feed != "synthetic":
        raise InvalidRequest("--seed goes with --feed synthetic")
    if replay_start is not None and chosen_feed != "replay":
        raise InvalidRequest("--replay-start goes with --feed replay")
    session = None
    if target is None:
        session = _new_session(
            symbols, strategy, param or [], chosen_feed, interval, seed, replay_start, cash,
            execution, name,
        )  # fmt: skip
        given: dict[str, Any] = {}
    else:
        if name is not None:
            raise InvalidRequest("--name names a new session: not with --resume")
        given = _given(symbols, strategy, param, feed, interval, cash)
    return RunPlan(
        broker=broker,
        resume=target,
        reconcile_only=reconcile_only,
        duration=duration_minutes * 60,
        checkpoint_interval=checkpoint_interval,
        keep_checkpoints=keep_checkpoints,
        key=key,
        credentials=credentials,
        session=session,
        given=given,
        real_money_confirmed=confirm_real_money,
    )


def _new_session(
    symbols: str | None,
    strategy: str | None,
    param: list[str],
    feed: str,
    interval: float | None,
    seed: int | None,
    replay_start: str | None,
    cash: str | None,
    execution: str | None,
    name: str | None,
) -> NewSession:
    if symbols is None or strategy is None:
        missing = "--symbols" if symbols is None else "--strategy"
        raise InvalidRequest(f"{missing} is missing: a new session needs it (or give --resume)")
    seconds = ALPACA_BAR_SECONDS if feed == "alpaca" else (interval or DEFAULT_INTERVAL)
    settings: dict[str, Any] = {
        "type": feed,
        "stale_after_seconds": min(86_400.0, max(30.0, STALE_INTERVALS * seconds)),
    }
    if feed == "synthetic":
        settings.update(seed=seed or 0, interval_seconds=seconds)
    if replay_start is not None:
        settings["start"] = _moment(replay_start)
    return NewSession(
        symbols=tuple(parse_symbols(symbols)),
        strategy=strategy,
        params=parse_params(param),
        feed=settings,
        interval=seconds,
        cash=_cash(cash),
        execution=execution or "equities_realistic",
        name=name or ORIGIN,
    )


def _given(
    symbols: str | None,
    strategy: str | None,
    param: list[str] | None,
    feed: str | None,
    interval: float | None,
    cash: str | None,
) -> dict[str, Any]:
    """The session-defining options given with ``--resume``, read as a new session's are."""
    given: dict[str, Any] = {
        "symbols": None if symbols is None else tuple(parse_symbols(symbols)),
        "strategy": strategy,
        "params": parse_params(param) if param else None,
        "feed": feed,
        "interval": interval,
        "cash": None if cash is None else _cash(cash),
    }
    return {k: v for k, v in given.items() if v is not None}


def _moment(text: str) -> str:
    """``--replay-start``: a date (its 00:00 in New York) or an RFC 3339 time."""
    from paperbroker.api.params import parse_time_or_date

    try:
        return parse_time_or_date(text).isoformat()
    except ValueError as error:
        raise InvalidRequest(f"--replay-start: {error}") from None


def _cash(text: str | None) -> Decimal:
    if text is None:
        return Decimal(100_000)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidRequest(f"--cash: {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise InvalidRequest(f"--cash must be a non-negative amount, got {text!r}")
    return value
