"""A paper session's controls on the Sessions page, in Chromium against a real server.

Pause and kill from the page, resume through the API: each state shows in the
session's row as it changes, with no reload.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import expect
from tests.e2e.dashboard import api

pytestmark = pytest.mark.browser


def test_pause_resume_and_kill_a_paper_session_live(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    paper = api(
        dashboard_server,
        "POST",
        "/api/paper-trading/sessions",
        {
            "name": "walk-controls",
            "symbols": ["AAPL"],
            "strategy": "sma_crossover",
            "feed": {"type": "synthetic", "seed": 7, "interval_seconds": 1},
        },
    )
    tab = tab_factory(dashboard_server)
    page = tab.page
    tab.goto("/sessions")
    tab.heading("Sessions")
    tab.live()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="walk-controls"))
    state = row.get_by_role("cell").nth(3)
    expect(state).to_have_text("running")

    row.get_by_role("button", name="Pause session walk-controls").click()
    expect(state).to_have_text("paused")

    # A change made elsewhere (here, the API) shows too: the page hears it on /ws.
    api(dashboard_server, "POST", f"/api/paper-trading/sessions/{paper['id']}/resume")
    expect(state).to_have_text("running")

    row.get_by_role("button", name="Kill session walk-controls").click()
    dialog = page.get_by_role("dialog", name="Kill session 'walk-controls'?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Kill session").click()
    expect(dialog).to_be_hidden()
    expect(state).to_have_text("killed")
    expect(row.get_by_role("button", name="Kill session walk-controls")).to_be_disabled()
    assert tab.errors == []
