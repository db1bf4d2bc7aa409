"""A small table-driven finite state machine.

The table maps ``(state, trigger) -> next_state``.  Everything allowed is in
the table; everything else raises :class:`InvalidTransition`.  Keeping the rules
as data lets the docs be generated from the very table the code runs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from typing import Generic, TypeVar

from paperbroker.core.errors import InvalidTransition

S = TypeVar("S", bound=Hashable)
T = TypeVar("T", bound=Hashable)


class TransitionTable(Generic[S, T]):
    """An immutable ``(state, trigger) -> next_state`` table."""

    __slots__ = ("_table", "terminal")

    def __init__(self, table: Mapping[tuple[S, T], S], terminal: frozenset[S]) -> None:
        self._table = dict(table)
        self.terminal = terminal
        for (state, _trigger), _target in self._table.items():
            if state in terminal:
                raise ValueError(f"terminal state {state!r} has an outgoing transition")

    def next_state(self, state: S, trigger: T) -> S:
        """Return the state reached from ``state`` by ``trigger``.

        Raises:
            InvalidTransition: if the table has no such move.
        """
        try:
            return self._table[(state, trigger)]
        except KeyError:
            raise InvalidTransition(
                f"cannot apply {_name(trigger)} in state {_name(state)}"
            ) from None

    def allows(self, state: S, trigger: T) -> bool:
        """Whether ``trigger`` is allowed in ``state``."""
        return (state, trigger) in self._table

    def __iter__(self) -> Iterator[tuple[S, T, S]]:
        for (state, trigger), target in self._table.items():
            yield state, trigger, target

    def to_markdown(self) -> str:
        """The table as a Markdown table (state, trigger, next state), for the docs."""
        rows = ["| state | trigger | next state |", "|---|---|---|"]
        rows += [f"| `{_name(s)}` | {_name(t)} | `{_name(n)}` |" for s, t, n in self]
        table = "\n".join(rows)
        if not self.terminal:
            return table + "\n\nNo state is terminal."
        terminal = ", ".join(f"`{_name(s)}`" for s in sorted(self.terminal, key=_name))
        return table + f"\n\nTerminal states: {terminal}."

    def to_mermaid(self, initial: S) -> str:
        """The table as a Mermaid state diagram starting at ``initial``, for the docs."""
        lines = ["stateDiagram-v2", f"    [*] --> {_name(initial)}"]
        lines += [f"    {_name(s)} --> {_name(n)}: {_name(t)}" for s, t, n in self]
        lines += [f"    {_name(s)} --> [*]" for s in sorted(self.terminal, key=_name)]
        return "\n".join(lines)


class StateMachine(Generic[S, T]):
    """A current state driven by a :class:`TransitionTable`."""

    __slots__ = ("_table", "state")

    def __init__(self, table: TransitionTable[S, T], initial: S) -> None:
        self._table = table
        self.state = initial

    def trigger(self, trigger: T) -> S:
        """Apply ``trigger`` and return the new state.

        Raises:
            InvalidTransition: if the move is not in the table; the state is unchanged.
        """
        self.state = self._table.next_state(self.state, trigger)
        return self.state

    @property
    def is_terminal(self) -> bool:
        return self.state in self._table.terminal


def _name(value: object) -> str:
    return str(getattr(value, "value", value))
