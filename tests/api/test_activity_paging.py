"""/api/activity's ``before``: paging back through the feed, on SQLite and PostgreSQL,
without a repeat or a gap where many events share a commit time."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import IDEAL, Api, Auth


def activity(api: Api, auth: Auth | None = None, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/api/activity", params=params, auth=auth or api.alice)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def cursor(item: dict[str, Any]) -> str:
    return f"{item['stream']}:{item['seq']}"


def busy(api: Api, orders: int) -> None:
    """Two sessions' events: ``orders`` orders each, filled in one advance (their fills
    share a commit time), and the system events of their creation."""
    for _ in range(2):
        session = api.create_session(execution=IDEAL)
        book = (session["id"], session["default_account_id"])
        for _ in range(orders):
            buy = {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"}
            assert api.trading("POST", *book, "/orders", json=buy).status_code == 200
        moved = api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
        assert moved.status_code == 200, moved.text


def test_pages_of_100_give_every_event_once_newest_first(api: Api) -> None:
    busy(api, 65)
    everything = activity(api, limit=1000)
    assert len(everything) >= 250
    keys = [(i["recorded_at"], i["stream"], i["seq"]) for i in everything]
    assert len(set(keys)) == len(keys)
    # Page boundaries fall inside runs of events committed together.
    assert everything[99]["recorded_at"] == everything[100]["recorded_at"]
    pages: list[list[dict[str, Any]]] = [activity(api, limit=100)]
    while pages[-1]:
        pages.append(activity(api, limit=100, before=cursor(pages[-1][-1])))
    listed = [item for page in pages for item in page]
    assert [len(page) for page in pages[:2]] == [100, 100]
    assert listed == everything
    assert listed[:250] == everything[:250]


def test_paging_keeps_the_filters(api: Api) -> None:
    busy(api, 30)
    fills = activity(api, type="OrderFilled", limit=1000)
    assert len(fills) == 60
    first = activity(api, type="OrderFilled", limit=25)
    rest = activity(api, type="OrderFilled", limit=1000, before=cursor(first[-1]))
    assert first + rest == fills
    one = fills[0]["session_id"]
    mine = activity(api, session_id=one, limit=1000)
    page = activity(api, session_id=one, limit=10)
    assert page + activity(api, session_id=one, limit=1000, before=cursor(page[-1])) == mine


def test_a_cursor_the_key_may_not_see_is_a_404(api: Api) -> None:
    busy(api, 1)
    theirs = api.create_session(auth=api.bob, execution=IDEAL)
    for before in (
        f"session:{theirs['id']}:1",
        f"system:{api.bob[0]}:1",
        "session:00000000-0000-4000-8000-000000000000:1",
        f"{activity(api)[0]['stream']}:999999",
    ):
        response = api.client.get("/api/activity", params={"before": before}, auth=api.alice)
        assert response.status_code == 404, (before, response.text)
    response = api.client.get("/api/activity", params={"before": "nonsense"}, auth=api.alice)
    assert response.status_code == 422
