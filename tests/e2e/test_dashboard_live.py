"""The dashboard's live connection survives the server going away, in Chromium.

The server is killed (SIGKILL, as on a crash) and started again on the same
database and port. The page says it is offline, reconnects by itself and
resumes: an order submitted while it was away shows in the activity feed,
once, and what it showed before is not repeated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import expect
from tests.e2e.dashboard import api, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def restartable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's own: its test kills it."""
    yield from serve(tmp_path_factory.mktemp("live"))


def submit(server: ServerProcess, session_id: str, account_id: str, qty: int) -> None:
    api(
        server,
        "POST",
        f"/v1/trading/accounts/{account_id}/orders",
        {"symbol": "AAPL", "side": "buy", "qty": str(qty), "type": "market"},
        session=session_id,
    )


def test_the_page_reconnects_after_a_crash_and_misses_no_event(
    restartable: ServerProcess, tab_factory: Any
) -> None:
    server = restartable
    session = api(
        server,
        "POST",
        "/v1/sessions",
        {"name": "dropped", "startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z"},
    )
    account = api(server, "POST", "/v1/accounts", {"initialCash": "100000"}, session=session["id"])
    submit(server, session["id"], account["id"], 3)

    tab = tab_factory(server)
    page = tab.page
    tab.goto("/activity")
    tab.heading("Activity")
    tab.live()
    feed = page.get_by_role("table", name="Activity events, newest first")
    before = feed.get_by_role("row").filter(has_text=re.compile(r"buy 3 AAPL market submitted"))
    expect(before).to_have_count(1)

    server.kill()
    expect(page.get_by_label("live updates disconnected")).to_be_visible()
    server.start()
    submit(server, session["id"], account["id"], 4)  # before the page is back

    # It reconnects by itself, within its longest backoff (15 s) of the server's return.
    expect(page.get_by_label("live updates connected")).to_be_visible(timeout=40_000)
    during = feed.get_by_role("row").filter(has_text=re.compile(r"buy 4 AAPL market submitted"))
    expect(during).to_have_count(1)
    expect(before).to_have_count(1)
    rows = feed.get_by_role("row").all_inner_texts()
    assert len(rows) == len(set(rows)), rows
    assert tab.errors == []
