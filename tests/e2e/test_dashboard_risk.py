"""The risk layer from the dashboard, in Chromium against a real server.

A backtest made in the wizard with a position limit denies an order above
it: the denial shows in the session's Risk panel and in the activity feed.
The kill switch flattens a paper session and halts its entries. A breaker
that tripped is reset with a reason from the Risk page, and the audit shows
who did it and why. The pages are photographed for docs/dashboard.md.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess, call
from playwright.sync_api import expect
from tests.e2e.dashboard import Tab, api, click_to_open, describe, run_axe, screenshots_dir

pytestmark = pytest.mark.browser

START = "2012-01-03T14:30:00Z"
END = "2012-06-29T21:00:00Z"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_dir(tmp_path_factory)


def wait_for(what: str, check: Any, timeout: float = 30.0) -> Any:
    """``check()`` once it is truthy; fails after ``timeout`` seconds naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.2)


def create_with_a_position_limit(tab: Tab) -> str:
    """A backtest of AAPL made in the wizard, at most 10 shares per symbol; its id."""
    page = tab.page
    tab.goto("/sessions/new")
    tab.heading("New session")
    page.get_by_role("button", name="Backtest").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="sma_crossover").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Symbols").fill("AAPL")
    page.get_by_role("option", name=re.compile("^AAPL")).click()
    page.get_by_label("Start (UTC)").fill("2012-01-03")
    page.get_by_label("End (UTC, included)").fill("2012-03-30")
    page.get_by_label("Execution preset").click()
    page.get_by_role("option", name=re.compile("^ideal")).click()
    page.get_by_label("Session name").fill("limited-aapl")
    page.get_by_role("button", name="Next").click()

    step = page.get_by_role("region", name="Risk")
    step.get_by_label("Max position (qty)").fill("10")
    step.get_by_label("Daily loss ($)").fill("5000")
    step.get_by_label("Stop loss (%)").fill("8")
    violations = run_axe(page)
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Next").click()

    rules = page.get_by_role("list", name="Risk rules")
    expect(rules).to_contain_text("Max position (qty) 10")
    expect(rules).to_contain_text("Stop loss (%) 8")
    return tab.create_session("limited-aapl")


def test_an_order_over_the_position_limit_is_denied_and_shown(
    dashboard_server: ServerProcess, tab_factory: Any, shots: Path
) -> None:
    tab = tab_factory(dashboard_server)
    page = tab.page
    session_id = create_with_a_position_limit(tab)
    tab.live()
    settings = api(dashboard_server, "GET", f"/v1/sessions/{session_id}/risk")["settings"]
    assert settings["limits"]["max_position_qty"] == "10"
    assert settings["breakers"]["daily_loss"] == "5000"

    risk = page.get_by_role("region", name="Risk")
    expect(risk.get_by_text("No order denied lately.")).to_be_visible()
    order_form = page.get_by_role("form", name="Submit order")
    order_form.get_by_label("Quantity").fill("15")
    order_form.get_by_role("button", name="Submit order").click()
    expect(order_form.get_by_role("alert")).to_contain_text("Order refused")

    denials = risk.get_by_role("table", name="Recent denials")
    row = denials.get_by_role("row").filter(has_text="AAPL")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Max position (qty)")
    expect(row.get_by_role("cell").nth(3)).to_have_text("10")
    expect(row.get_by_role("cell").nth(4)).to_have_text("15")
    usage = risk.get_by_role("table", name="Limit usage")
    expect(usage.get_by_role("row").filter(has_text="Max position (qty)")).to_have_count(1)
    risk.scroll_into_view_if_needed()
    risk.screenshot(path=shots / "session-risk-light.png", animations="disabled")

    tab.goto("/activity")
    tab.heading("Activity")
    feed = page.get_by_role("table", name="Activity events, newest first")
    denied = feed.get_by_role("row").filter(has_text="OrderDenied")
    expect(denied).to_have_count(1)
    expect(denied).to_contain_text(
        re.compile(r"denied by limits\.max_position_qty \(limit 10, (would be|value) 15\)")
    )
    assert tab.errors == []


def test_the_kill_switch_flattens_a_paper_session_and_halts_it(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    server = dashboard_server
    paper = api(
        server,
        "POST",
        "/api/paper-trading/sessions",
        {
            "name": "walk-kill",
            "symbols": ["AAPL"],
            "feed": {"type": "synthetic", "seed": 11, "interval_seconds": 1},
        },
    )
    session_id = paper["id"]
    account = api(server, "GET", f"/v1/sessions/{session_id}")["default_account_id"]
    trading = f"/v1/trading/accounts/{account}"
    buy = {"symbol": "AAPL", "side": "buy", "qty": "5", "type": "market"}
    # The feed's first bar gives AAPL a price; until then an order is refused.
    wait_for(
        "a buy taken",
        lambda: 200 <= call(server, "POST", f"{trading}/orders", buy, session=session_id)[0] < 300,
    )
    wait_for(
        "the buy fills", lambda: api(server, "GET", f"{trading}/positions", session=session_id)
    )

    tab = tab_factory(server)
    page = tab.page
    tab.goto(f"/sessions/{session_id}")
    tab.heading("walk-kill")
    tab.live()
    positions = page.get_by_role("table", name="Positions", exact=True)
    expect(positions.get_by_role("row").filter(has_text="AAPL")).to_have_count(1)

    emergency = page.get_by_role("region", name="Emergency")
    dialog = page.get_by_role("dialog", name="Kill switch")
    click_to_open(emergency.get_by_role("button", name="Kill switch"), dialog)
    expect(dialog).to_contain_text("Kill switch for 'walk-kill'")
    dialog.get_by_label("Reason (optional)").fill("drill")
    dialog.get_by_role("button", name="Kill").click()
    expect(emergency.get_by_role("status")).to_have_text(
        re.compile(r"^Kill switch: \d+ orders? canceled, 1 order submitted\.")
    )
    expect(page.get_by_text("No open positions.")).to_be_visible()
    halted = page.get_by_role("region", name="Risk").get_by_role("alert")
    expect(halted).to_contain_text("New entries are halted")
    expect(halted).to_contain_text("kill_switch")
    assert api(server, "GET", f"{trading}/positions", session=session_id) == []
    api(server, "POST", f"/api/paper-trading/sessions/{session_id}/stop")
    assert tab.errors == []


def tripped(server: ServerProcess, session_id: str) -> list[str]:
    view = api(server, "GET", f"/v1/sessions/{session_id}/risk")
    return [breaker["name"] for breaker in view["breakers"] if breaker["tripped"]]


def test_a_tripped_breaker_is_reset_with_a_reason_from_the_risk_page(
    dashboard_server: ServerProcess, tab_factory: Any, shots: Path
) -> None:
    server = dashboard_server
    session = api(
        server,
        "POST",
        "/v1/sessions",
        {
            "name": "drawdown-bt",
            "startTime": START,
            "endTime": END,
            "initialCash": "100000",
            "execution": {"preset": "ideal"},
            "strategy": {"name": "sma_crossover", "symbols": ["AAPL"]},
            "risk": {"breakers": {"max_drawdown_pct": "0.01"}},
        },
    )
    session_id = session["id"]
    account = session["default_account_id"]
    api(
        server,
        "POST",
        f"/v1/trading/accounts/{account}/orders",
        {"symbol": "AAPL", "side": "buy", "qty": "100", "type": "market"},
        session=session_id,
    )
    # 100 shares of AAPL move more than $10 a day: the first day down trips it.
    for _day in range(30):
        api(server, "POST", f"/v1/sessions/{session_id}/time/advance", {"duration": 1440})
        if tripped(server, session_id):
            break
    names = tripped(server, session_id)
    assert names, "no breaker tripped in 30 days"
    name = names[0]

    tab = tab_factory(server)
    page = tab.page
    tab.goto("/risk")
    tab.heading("Risk")
    tab.live()
    table = page.get_by_role("table", name="Risk by session")
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name="session drawdown-bt"))
    expect(row).to_contain_text("halted")
    page.mouse.move(0, 0)
    page.screenshot(path=shots / "risk-halted-light.png", animations="disabled", full_page=True)
    violations = run_axe(page)
    assert violations == [], describe(violations)

    row.get_by_role("button", name=f"Reset {name} of drawdown-bt").click()
    dialog = page.get_by_role("dialog", name=f"Reset {name}")
    confirm = dialog.get_by_role("button", name="Reset")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("Reason").fill("drawdown reviewed")
    confirm.click()
    expect(row).to_contain_text("taken")
    expect(row.get_by_role("button", name=f"Reset {name} of drawdown-bt")).to_have_count(0)
    audit = page.get_by_role("table", name="Risk audit")
    entry = audit.get_by_role("row").filter(has_text="drawdown reviewed")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("reset_breaker")
    expect(entry).to_contain_text("drawdown-bt")
    assert tripped(server, session_id) == []
    assert tab.errors == []
