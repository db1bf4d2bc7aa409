"""The error hierarchy, grouped by what the caller should do next.

- :class:`InvalidRequest`: the request is wrong; fix it and do not retry as is.
- :class:`NotFound` / :class:`Conflict`: the request is well formed but does not
  fit the current state; look again before retrying.
- :class:`TemporaryFailure`: nothing is wrong with the request; retry later.
- :class:`OperationalError`: the system is in a state that needs a human.

Order refusals are *not* errors: they are ``OrderRejected`` events with a
reason (``OrderDenied`` with the rule, when the session's risk layer refuses),
because a refused order is a normal business outcome.
"""

from __future__ import annotations


class PaperbrokerError(Exception):
    """Base of every error raised on purpose by paperbroker."""

    code = "error"


class InvalidRequest(PaperbrokerError):
    """The caller's input is invalid (bad parameter, symbol, date, order field)."""

    code = "invalid_request"


class LookAheadError(InvalidRequest):
    """A strategy or indicator used information from the future."""

    code = "look_ahead"


class InsufficientQuantity(InvalidRequest):
    """More than a position holds was asked to be closed (Alpaca answers 403)."""

    code = "insufficient_qty"


class NotFound(PaperbrokerError):
    """The named thing (symbol, order, session) does not exist."""

    code = "not_found"


class Conflict(PaperbrokerError):
    """The request is valid but the current state forbids it."""

    code = "conflict"


class InvalidTransition(Conflict):
    """A state machine was asked to make a move its table does not allow."""

    code = "invalid_transition"


class TemporaryFailure(PaperbrokerError):
    """A transient condition (a busy resource, a dropped connection): retry later."""

    code = "temporary_failure"


class OperationalError(PaperbrokerError):
    """Something is broken in a way that needs an operator (corrupt data, bad config)."""

    code = "operational_error"
