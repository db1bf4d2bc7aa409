"""``paperbroker sessions create|risk|emergency``: sessions made with risk rules, their risk
read and steered, and the emergency controls, from the machine the server runs on.

The commands go through the risk use cases the API serves
(:class:`~paperbroker.services.risk.RiskService`) on the settings' database,
as :mod:`paperbroker.cli_sessions` does: each action is journaled with the
session and audited in its owner's trail, as the key that owns the session,
named ``command line``. A risk settings file is the JSON document ``risk``
takes in ``POST /v1/sessions`` (docs/risk.md); ``--set`` takes a partial one
(the groups and rules to change).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperbroker.cli_sessions import (
    JsonOption,
    KeyOption,
    YesOption,
    _Db,
    _errors,
    _fail,
    _open,
    _out,
    _usage,
    escape,
    sessions_app,
)

if TYPE_CHECKING:
    from paperbroker.services.risk import Actor, EmergencyOutcome, RiskState

#: Who the audit trail names for an action taken here (the key is the session's owner's).
CLI_ACTOR = "command line"

ReasonOption = Annotated[
    str, typer.Option("--reason", metavar="TEXT", help="Why: journaled and audited.")
]


def read_json_file(path: Path, what: str) -> Any:
    """The JSON document in ``path``.

    Raises:
        InvalidRequest: if it cannot be read or is not JSON (naming ``what``).
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise _usage(f"{what}: cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise _usage(f"{what}: {path} is not JSON: {error}") from None


def _actor(owner: str) -> Actor:
    from paperbroker.services.risk import Actor

    return Actor(owner, CLI_ACTOR)


# -- create ------------------------------------------------------------------------------
@sessions_app.command("create")
def sessions_create(
    key: Annotated[
        str, typer.Option("--key", metavar="KEY_ID", help="The key that owns the session (PK…).")
    ],
    start: Annotated[str, typer.Option(metavar="TIME", help="First moment (RFC 3339).")],
    end: Annotated[str, typer.Option(metavar="TIME", help="Last moment (RFC 3339).")],
    name: Annotated[str | None, typer.Option(metavar="NAME", help="The session's name.")] = None,
    cash: Annotated[str, typer.Option(metavar="AMOUNT", help="Initial cash.")] = "100000",
    strategy: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Run this strategy (default: traded by hand)."),
    ] = None,
    symbols: Annotated[
        str | None,
        typer.Option(metavar="SYMBOL,...", help="The strategy's symbols (default: every one)."),
    ] = None,
    risk: Annotated[
        Path | None,
        typer.Option("--risk", metavar="FILE", help="Risk settings, JSON (docs/risk.md)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a backtest session, paused at its start, owned by a key.

    As ``POST /v1/sessions`` does, with the equities_realistic execution and a cash
    account; ``--risk`` gives its risk rules.
    """
    with _errors():
        from paperbroker.agents.pipeline import standard_pipeline
        from paperbroker.api.params import parse_time
        from paperbroker.core.clock import datetime_to_ns
        from paperbroker.risk.settings import RiskSettings
        from paperbroker.services.catalog import check_strategy_params
        from paperbroker.store.keys import ApiKeys

        settings = None if risk is None else RiskSettings.read(read_json_file(risk, "--risk"))
        times = []
        for option, text in (("--start", start), ("--end", end)):
            try:
                times.append(datetime_to_ns(parse_time(text)))
            except ValueError as error:
                raise _usage(f"{option}: {error}") from None
        pipeline = None
        if strategy is not None:
            check_strategy_params(strategy, {})
            chosen = [s.strip().upper() for s in (symbols or "").split(",") if s.strip()]
            pipeline = standard_pipeline(strategy, {}, chosen, strategy_files=False)
        elif symbols is not None:
            raise _usage("--symbols goes with --strategy")
        with _open() as db:
            ApiKeys(db.factory).get(key)  # NotFound for a key that does not exist
            view = db.service.create(
                key, start_ns=times[0], end_ns=times[1], name=name,
                initial_cash=_amount(cash), pipeline=pipeline, risk=settings,
            )  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"id": view.id, "name": view.name, "state": view.state}))
    else:
        _out().print(f"{view.id}: {escape(view.name)} created ({view.state})")


def _amount(text: str, option: str = "--cash") -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _usage(f"{option}: {text!r} is not a number") from None
    if not value.is_finite():
        raise _usage(f"{option}: {text!r} is not a number")
    return value


# -- risk --------------------------------------------------------------------------------
@sessions_app.command("risk")
def sessions_risk(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="The session.")],
    set_file: Annotated[
        Path | None,
        typer.Option("--set", metavar="FILE", help="Change these rules (partial JSON)."),
    ] = None,
    reset: Annotated[
        str | None,
        typer.Option(metavar="BREAKER", help="Reset this tripped breaker (or: all)."),
    ] = None,
    reason: ReasonOption = "",
    as_json: JsonOption = False,
) -> None:
    """Show a session's risk: its rules, breakers and latest denials; or change its rules
    (``--set``), or reset a breaker (``--reset``), with a ``--reason``."""
    with _errors():
        if set_file is not None and reset is not None:
            raise _usage("give --set or --reset, not both")
        if (set_file is not None or reset is not None) and not reason.strip():
            raise _usage("--set and --reset need a --reason")
        changes = None if set_file is None else read_json_file(set_file, "--set")
        if changes is not None and not isinstance(changes, dict):
            raise _usage("--set: the file must hold a JSON object")
        with _open() as db:
            from paperbroker.services.risk import RiskService

            record = db.record(session_id)
            service = RiskService(db.service)
            actor = _actor(record.owner_key_id)
            if changes is not None:
                state = service.configure(actor, record.id, changes, reason)
            elif reset is not None:
                state = service.reset_breaker(actor, record.id, reset, reason)
            else:
                state = service.view(record.owner_key_id, record.id)
            _print_risk(state, as_json)


def _print_risk(state: RiskState, as_json: bool) -> None:
    from paperbroker.api.risk_schemas import RiskView

    view = RiskView.of(state)
    if as_json:
        typer.echo(json.dumps(view.model_dump(mode="json"), indent=2))
        return
    out = _out()
    out.print(f"session {view.session_id}")
    out.print(f"halted: {'yes' if view.halted else 'no'}")
    rules = _rules(state)
    out.print("rules: " + (escape(", ".join(rules)) if rules else "none"))
    if view.override is not None:
        out.print(f"override until {view.override.until}")
    for breaker in view.breakers:
        if breaker.tripped:
            out.print(
                f"breaker {breaker.name} tripped at {breaker.tripped_at}: {escape(breaker.message)}"
            )
    for denial in view.denials[-5:]:
        out.print(
            f"denied {denial.ts} {denial.symbol} ({denial.rule}: {denial.value} over "
            f"{denial.limit}): {escape(denial.message)}"
        )


def _rules(state: RiskState) -> list[str]:
    """``group.rule=value`` for each rule in force."""
    document = state.effective.to_json()
    found = []
    for name in state.effective.active_rules():
        group, _, rule = name.partition(".")
        value = document.get(group, {}).get(rule) if rule else document.get(group)
        found.append(f"{name}={json.dumps(value) if not isinstance(value, str) else value}")
    return found


# -- emergency ---------------------------------------------------------------------------
@sessions_app.command("emergency")
def sessions_emergency(
    arguments: Annotated[
        list[str],
        typer.Argument(
            metavar="[ID] ACTION",
            help="The session (not with --all), and cancel_all, close_all, kill, reduce or "
            "tighten_stops.",
        ),
    ],
    every: Annotated[bool, typer.Option("--all", help="Every session that has not ended.")] = False,
    key: KeyOption = None,
    percent: Annotated[
        str | None,
        typer.Option(metavar="PERCENT", help="For reduce and tighten_stops: how much."),
    ] = None,
    reason: ReasonOption = "",
    yes: YesOption = False,
) -> None:
    """Use an emergency control on a session, or on every session (``--all``).

    ``kill`` cancels every working order, closes every position at market and
    halts new entries until its breaker (``kill_switch``) is reset. A session
    that fails is reported and the others go on; a second call is harmless.
    """
    failed = 0
    with _errors():
        if len(arguments) != (1 if every else 2):
            raise _usage("give a session ID and an ACTION, or --all and an ACTION")
        if key is not None and not every:
            raise _usage("--key goes with --all")
        action = arguments[-1]
        amount = None if percent is None else _percent(percent)
        with _open() as db:
            if not every:
                record = db.record(arguments[0])
                _emergency_one(db, record.owner_key_id, record.id, action, amount, reason)
            else:
                failed = _emergency_all(db, key, action, amount, reason, yes)
    if failed:
        _fail(f"{failed} session(s) failed", 1)


def _percent(text: str) -> Any:
    return _amount(text.removesuffix("%"), "--percent")


def _emergency_one(
    db: _Db, owner: str, session_id: str, action: str, percent: Any, reason: str
) -> None:
    from paperbroker.services.risk import RiskService

    done = RiskService(db.service).emergency(
        _actor(owner), session_id, action, percent=percent, reason=reason
    )
    _out().print(_outcome_line(done))


def _emergency_all(
    db: _Db, key: str | None, action: str, percent: Any, reason: str, yes: bool
) -> int:
    """The control on every owner's (or ``key``'s) sessions; how many failed."""
    from paperbroker.services.risk import RiskService

    owners = sorted({record.owner_key_id for record in db.records(key)})
    if not owners:
        _out().print("No sessions.")
        return 0
    if not yes:
        whose = "every session" if key is None else f"every session of {key}"
        typer.confirm(f"{action} on {whose}?", abort=True)
    service, failed = RiskService(db.service), 0
    for owner in owners:
        done, refused = service.emergency_all(_actor(owner), action, percent=percent, reason=reason)
        for session in done:
            _out().print(_outcome_line(session))
        for failure in refused:
            _out().print(f"{failure.session_id}: failed: {escape(failure.message)}")
        failed += len(refused)
    return failed


def _outcome_line(done: EmergencyOutcome) -> str:
    outcome = done.outcome
    return (
        f"{done.session_id}: {len(outcome.canceled)} order(s) canceled, "
        f"{len(outcome.submitted)} submitted"
    )
