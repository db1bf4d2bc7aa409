"""Whatever risk actions a key takes, in any order, valid or not, the audit trail lists
each one once, newest first, ``ok`` exactly when the API answered 200; and the
session's journal holds one ``RiskCommanded`` per action that succeeded, in the
same order, with the key and the reason."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.api.conftest import IDEAL, Api

from paperbroker.model.codec import decode_event
from paperbroker.model.events import RiskCommanded
from paperbroker.store.journal import Journal

LIMIT = st.one_of(
    st.none(), st.sampled_from(["-1", "0", "5", "50", "1e3", "abc"]), st.integers(-2, 90)
)
#: One action: (what the audit trail calls it, method, path under the session, body).
ACTIONS = st.one_of(
    LIMIT.map(lambda v: ("configure", "PATCH", "/risk",
                         {"settings": {"limits": {"max_order_qty": v}}, "reason": "p"})),
    st.integers(-5, 120).map(lambda m: ("override", "POST", "/risk/override",
                                        {"settings": {}, "minutes": m, "reason": "p"})),
    st.just(("clear_override", "DELETE", "/risk/override?reason=p", None)),
    st.sampled_from(["all", "kill_switch", "daily_loss", "nope"]).map(
        lambda b: ("reset_breaker", "POST", f"/risk/breakers/{b}/reset", {"reason": "p"})),
    st.tuples(st.sampled_from(["cancel_all", "kill", "reduce", "tighten_stops"]),
              st.one_of(st.none(), st.integers(-10, 150))).map(
        lambda a: (a[0], "POST", "/emergency",
                   {"action": a[0], "reason": "p",
                    **({} if a[1] is None else {"percent": a[1]})})),
)  # fmt: skip


def test_every_action_is_audited_once_and_journaled_when_it_succeeds(api: Api) -> None:
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(actions=st.lists(ACTIONS, min_size=1, max_size=6))
    def check(actions: list[tuple[str, str, str, Any]]) -> None:
        session = api.create_session(execution=IDEAL)
        base = f"/v1/sessions/{session['id']}"
        answered = []
        for action, method, path, body in actions:
            response = api.client.request(method, base + path, json=body, auth=api.alice)
            assert response.status_code in (200, 422), response.text
            # A malformed body never reaches the service: only those that do are audited.
            reached = response.status_code == 200 or not response.json()["message"].startswith(
                "field "
            )
            if reached:
                answered.append((action, "ok" if response.status_code == 200 else "failed"))
        entries = api.client.get(
            "/v1/risk/audit", params={"session_id": session["id"], "limit": 500}, auth=api.alice
        ).json()["entries"]
        assert [(e["action"], e["outcome"]) for e in reversed(entries)] == answered
        assert all((e["by"], e["by_name"]) == (api.alice[0], "alice") for e in entries)
        journal = Journal(api.server.service.factory).read(session["id"])
        commanded = [
            event for event in (decode_event(e.kind, e.schema_version, e.payload) for e in journal)
            if isinstance(event, RiskCommanded)
        ]  # fmt: skip
        assert [c.action for c in commanded] == [a for a, outcome in answered if outcome == "ok"]
        assert all((c.by, c.reason) == (api.alice[0], "p") for c in commanded)

    check()
