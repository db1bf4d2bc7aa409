"""Kernel primitives: the simulated clock, the state machine, errors and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from paperbroker.core import errors
from paperbroker.core.clock import (
    NANOS_PER_MINUTE,
    NANOS_PER_SECOND,
    SimClock,
    WallClock,
    datetime_to_ns,
    ns_to_datetime,
)
from paperbroker.core.fsm import StateMachine, TransitionTable
from paperbroker.core.ids import IdFactory, random_uuid

# ---- clock -------------------------------------------------------------------------------


def test_simclock_starts_where_told_and_advances() -> None:
    clock = SimClock(1_000)
    assert clock.now_ns() == 1_000
    clock.advance_to(5_000)
    clock.advance_by(250)
    assert clock.now_ns() == 5_250


def test_simclock_advance_to_same_time_is_allowed() -> None:
    clock = SimClock(42)
    clock.advance_to(42)
    assert clock.now_ns() == 42


def test_simclock_never_moves_back_and_keeps_its_time() -> None:
    clock = SimClock(10 * NANOS_PER_SECOND)
    with pytest.raises(errors.InvalidRequest, match="backwards"):
        clock.advance_to(10 * NANOS_PER_SECOND - 1)
    with pytest.raises(errors.InvalidRequest, match="backwards"):
        clock.advance_by(-1)
    assert clock.now_ns() == 10 * NANOS_PER_SECOND


def test_simclock_now_is_aware_utc_datetime() -> None:
    clock = SimClock(datetime_to_ns(datetime(2024, 1, 2, 14, 31, tzinfo=UTC)))
    assert clock.now() == datetime(2024, 1, 2, 14, 31, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_datetime_ns_round_trip_and_offsets() -> None:
    moment = datetime(2024, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)
    assert ns_to_datetime(datetime_to_ns(moment)) == moment
    plus_two = datetime(2024, 3, 10, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert datetime_to_ns(plus_two) == datetime_to_ns(moment)
    assert datetime_to_ns(datetime(1970, 1, 1, 0, 1, tzinfo=UTC)) == NANOS_PER_MINUTE


def test_datetime_to_ns_naive_raises() -> None:
    with pytest.raises(errors.InvalidRequest, match="no time zone"):
        datetime_to_ns(datetime(2024, 1, 1))


def test_wallclock_reads_real_time() -> None:
    before = datetime.now(UTC)
    now = WallClock().now()
    assert now.tzinfo is not None
    assert abs(now - before) < timedelta(seconds=5)


# ---- state machine -----------------------------------------------------------------------

TABLE = TransitionTable(
    {("idle", "go"): "running", ("running", "stop"): "done", ("running", "pause"): "idle"},
    terminal=frozenset({"done"}),
)


def test_fsm_follows_table_to_terminal_state() -> None:
    machine = StateMachine(TABLE, "idle")
    assert machine.trigger("go") == "running"
    assert not machine.is_terminal
    assert machine.trigger("stop") == "done"
    assert machine.is_terminal


def test_fsm_move_not_in_table_raises_and_keeps_state() -> None:
    machine = StateMachine(TABLE, "idle")
    with pytest.raises(errors.InvalidTransition, match="cannot apply stop in state idle"):
        machine.trigger("stop")
    assert machine.state == "idle"


def test_fsm_terminal_state_refuses_everything() -> None:
    machine = StateMachine(TABLE, "done")
    for trigger in ("go", "stop", "pause"):
        with pytest.raises(errors.InvalidTransition):
            machine.trigger(trigger)
        assert machine.state == "done"


def test_fsm_table_with_outgoing_move_from_terminal_is_refused() -> None:
    with pytest.raises(ValueError, match="terminal"):
        TransitionTable({("done", "go"): "idle"}, terminal=frozenset({"done"}))


def test_fsm_table_allows_exactly_its_listed_moves() -> None:
    assert TABLE.allows("idle", "go")
    assert not TABLE.allows("idle", "stop")
    assert set(TABLE) == {
        ("idle", "go", "running"),
        ("running", "stop", "done"),
        ("running", "pause", "idle"),
    }


def test_fsm_table_is_a_copy_of_its_input() -> None:
    source = {("a", "x"): "b"}
    table = TransitionTable(source, terminal=frozenset())
    source[("b", "x")] = "a"
    assert not table.allows("b", "x")


# ---- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "parents", "code"),
    [
        (errors.InvalidRequest, (errors.PaperbrokerError,), "invalid_request"),
        (errors.LookAheadError, (errors.InvalidRequest,), "look_ahead"),
        (errors.NotFound, (errors.PaperbrokerError,), "not_found"),
        (errors.Conflict, (errors.PaperbrokerError,), "conflict"),
        (errors.InvalidTransition, (errors.Conflict,), "invalid_transition"),
        (errors.TemporaryFailure, (errors.PaperbrokerError,), "temporary_failure"),
        (errors.OperationalError, (errors.PaperbrokerError,), "operational_error"),
    ],
)
def test_errors_class_has_documented_parent_and_code(
    error: type[errors.PaperbrokerError], parents: tuple[type, ...], code: str
) -> None:
    assert issubclass(error, (Exception, *parents))
    assert all(issubclass(error, parent) for parent in parents)
    assert error.code == code
    assert issubclass(error, errors.PaperbrokerError)


def test_errors_groups_are_disjoint() -> None:
    groups = [
        errors.InvalidRequest,
        errors.NotFound,
        errors.Conflict,
        errors.TemporaryFailure,
        errors.OperationalError,
    ]
    for a in groups:
        for b in groups:
            assert issubclass(a, b) == (a is b)
    assert not issubclass(errors.LookAheadError, errors.Conflict)
    assert not issubclass(errors.InvalidTransition, errors.InvalidRequest)


def test_errors_codes_are_unique() -> None:
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.PaperbrokerError)
    ]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes))


# ---- ids ---------------------------------------------------------------------------------


def test_id_factory_is_deterministic_across_instances() -> None:
    first, second = IdFactory(), IdFactory()
    a = [first.order_id(), first.fill_id(), first.order_id(), first.fill_id()]
    b = [second.order_id(), second.fill_id(), second.order_id(), second.fill_id()]
    assert a == b == ["O-00000001", "F-00000001", "O-00000002", "F-00000002"]


def test_id_factory_counters_are_independent_and_sort_in_issue_order() -> None:
    ids = IdFactory()
    orders = [ids.order_id() for _ in range(12)]
    assert ids.fill_id() == "F-00000001"
    assert orders == sorted(orders)
    assert len(set(orders)) == 12


def test_random_uuid_two_calls_differ() -> None:
    assert random_uuid() != random_uuid()
    assert len(random_uuid()) == 36
