"""Live sessions from the dashboard, in Chromium against a real server trading at a real broker.

The broker is a second paperbroker server, which speaks Alpaca's trading
API: a backtest session there, with a key bound to it, is the broker
account, and the test moves its clock. The operator adds the key as broker
credentials, creates a live session in the wizard on a custom endpoint (the
broker server's URL), and sees its broker and reconciliation panels. An
order placed at the broker by hand (outside the session) fills there; the
reconciliation run now finds it, halts the session, and the operator
approves the broker's figures. A paper session is checkpointed and its
checkpoints cleaned up. Alpaca's live endpoint needs the real-money
confirmation before the wizard goes on (nothing connects for that). The
pages are photographed for docs/dashboard.md.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import Locator, expect
from tests.e2e.dashboard import Tab, api, describe, run_axe, screenshots_dir, serve
from tests.waiting import wait_for

pytestmark = pytest.mark.browser

START = "2012-01-03T14:30:00Z"
END = "2012-06-29T21:00:00Z"
#: One minute past the broker account's start: a market order sent before fills at the open.
FIRST_FILL = "2012-01-03T14:31:00Z"


@dataclass
class BrokerAccount:
    """A backtest session on the broker server and the key bound to it."""

    server: ServerProcess
    session_id: str
    key_id: str
    secret: str

    def advance(self, target: str) -> None:
        api(self.server, "POST", f"/v1/sessions/{self.session_id}/time/advance",
            {"targetTime": target})  # fmt: skip

    def v2(self, method: str, path: str, body: Any = None) -> Any:
        """A call of Alpaca's trading API with the account's key, as a person at the broker."""
        auth = base64.b64encode(f"{self.key_id}:{self.secret}".encode()).decode()
        request = urllib.request.Request(
            self.server.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def broker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The broker: a second paperbroker server."""
    yield from serve(tmp_path_factory.mktemp("broker"))


@pytest.fixture
def account(broker_server: ServerProcess) -> BrokerAccount:
    session = api(broker_server, "POST", "/v1/sessions",
                  {"name": "broker account", "startTime": START, "endTime": END,
                   "execution": {"preset": "ideal"}})  # fmt: skip
    key = api(broker_server, "POST", f"/v1/sessions/{session['id']}/keys", {"label": "bot"})
    return BrokerAccount(broker_server, session["id"], key["key_id"], key["secret"])


def no_violations(tab: Tab) -> None:
    violations = run_axe(tab.page)
    assert violations == [], describe(violations)


def add_credentials(tab: Tab, label: str, key_id: str, secret: str) -> None:
    page = tab.page
    tab.goto("/credentials")
    tab.heading("Broker credentials")
    page.get_by_role("button", name="Add credentials").click()
    dialog = page.get_by_role("dialog", name="Add broker credentials")
    dialog.get_by_role("textbox", name="Label").fill(label)
    dialog.get_by_role("textbox", name="Key id").fill(key_id)
    dialog.get_by_label("Secret key").fill(secret)
    dialog.get_by_role("button", name="Add credentials").click()
    expect(dialog).to_be_hidden()
    row = (
        page.get_by_role("table", name="Broker credentials")
        .get_by_role("row")
        .filter(has_text=label)
    )
    expect(row).to_contain_text(f"…{key_id[-4:]}")
    expect(page.get_by_text(secret)).to_have_count(0)


def to_trading_step(tab: Tab) -> Locator:
    """The wizard's trading step of a live session of sma_crossover on AAPL; its broker group."""
    page = tab.page
    tab.goto("/sessions/new")
    tab.heading("New session")
    page.get_by_role("button", name=re.compile(r"^Live \(broker\)")).click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="sma_crossover").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Symbols").fill("AAPL")
    page.get_by_role("option", name=re.compile("^AAPL")).click()
    return page.get_by_role("group", name="Broker")


def pick_credentials(tab: Tab, label: str) -> None:
    tab.page.get_by_role("combobox", name="Credentials").click()
    tab.page.get_by_role("option", name=re.compile(f"^{re.escape(label)}")).click()


def test_a_live_session_is_made_in_the_wizard_reconciled_and_approved(
    dashboard_server: ServerProcess, account: BrokerAccount, tab_factory: Any, shots: Path
) -> None:
    tab = tab_factory(dashboard_server)
    page = tab.page
    add_credentials(tab, "broker bot", account.key_id, account.secret)
    no_violations(tab)
    page.screenshot(path=shots / "credentials-light.png", animations="disabled")

    broker = to_trading_step(tab)
    broker.get_by_role("radio", name=re.compile("^Custom URL")).click()
    page.get_by_role("textbox", name="Broker URL").fill(account.server.base_url)
    pick_credentials(tab, "broker bot")
    page.get_by_role("combobox", name="On a difference with the broker").click()
    page.get_by_role("option", name="Halt for approval").click()
    # Only the start and the runs asked for: an interval run would race this test's.
    page.get_by_role("textbox", name=re.compile("^Reconcile every")).fill("3600")
    page.get_by_label("Session name").fill("sma at the broker")
    no_violations(tab)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    review = page.get_by_role("table", name="Review")
    expect(review).to_contain_text("Live (broker)")
    expect(review).to_contain_text(f"Alpaca API at 127.0.0.1:{account.server.port}")
    expect(review).to_contain_text("broker bot (key …")
    page.get_by_role("button", name="Create live session").click()
    tab.heading("sma at the broker")
    session_id = page.url.rsplit("/", 1)[-1]
    tab.live()

    made = api(dashboard_server, "GET", f"/v1/sessions/{session_id}")
    assert (made["type"], made["real_money"]) == ("live", False)
    assert made["broker"]["base_url"] == account.server.base_url
    assert made["broker"]["reconcile"] == {"policy": "halt", "interval_seconds": 3600}
    marker = f"Alpaca API at 127.0.0.1:{account.server.port}"
    expect(page.get_by_role("banner").get_by_text(marker)).to_be_visible()  # the app bar
    expect(page.get_by_role("status", name="Viewed session's money")).to_contain_text(marker)

    panel = page.get_by_role("region", name="Broker")
    expect(panel.get_by_label("Broker settings")).to_contain_text(account.server.base_url)
    expect(panel.get_by_label("Broker settings")).to_contain_text("broker bot (key …")
    runs = page.get_by_role("region", name="Reconciliation")
    table = runs.get_by_role("table", name="Reconciliation runs")
    # The run at the start of the broker link: nothing differs yet.
    expect(table.get_by_role("row").filter(has_text="start")).to_contain_text("clean")

    # Someone buys at the broker, outside the session; it fills there.
    account.v2("POST", "/v2/orders", {"symbol": "AAPL", "qty": "5", "side": "buy",
                                      "type": "market", "time_in_force": "day"})  # fmt: skip
    account.advance(FIRST_FILL)
    wait_for(lambda: account.v2("GET", "/v2/positions"), "the position at the broker", 30)

    runs.get_by_role("button", name="Reconcile now").click()
    halted = table.get_by_role("row").filter(has_text="halted: awaits approval")
    expect(halted).to_have_count(1)
    expect(runs.get_by_role("alert")).to_contain_text("Trading is halted")
    expect(page.locator("main header")).to_contain_text("paused")
    halted.get_by_role("button", name=re.compile("^Show the differences")).click()
    differences = runs.get_by_role("table", name=re.compile("^Differences of the run"))
    opened = differences.get_by_role("row").filter(has_text="Position opened outside")
    expect(opened).to_contain_text("AAPL")
    expect(opened).to_contain_text("qty 5")
    no_violations(tab)
    runs.scroll_into_view_if_needed()
    runs.screenshot(path=shots / "session-reconciliation-light.png", animations="disabled")
    page.evaluate("window.scrollTo(0, 0)")  # the header, the app bar's marker, the broker
    page.screenshot(path=shots / "session-live-light.png", animations="disabled")

    halted.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role(
        "dialog", name="Approve the broker's figures for 'sma at the broker'?"
    )
    expect(dialog).to_contain_text("Position opened outside AAPL")
    dialog.get_by_role("button", name="Approve").click()
    approved = table.get_by_role("row").filter(has_text="approved")
    expect(approved).to_have_count(1)
    assert dashboard_server.admin_key is not None
    expect(approved).to_contain_text(dashboard_server.admin_key.split(":")[0])  # who approved
    expect(runs.get_by_role("alert")).to_have_count(0)
    positions = page.get_by_role("table", name="Positions", exact=True)
    expect(positions.get_by_role("row").filter(has_text="AAPL")).to_have_count(1)
    expect(page.locator("main header")).to_contain_text("running")

    # A live session's state is written like any other's: its broker venue's orders,
    # fill ids and outbox with its books.
    checkpoints = page.get_by_role("region", name="Checkpoints")
    checkpoints.get_by_role("button", name="Checkpoint now").click()  # or the timer's, just before
    expect(checkpoints.get_by_label("Checkpoint figures")).to_contain_text(
        re.compile(r"Checkpoints\s*[1-9]")
    )

    tab.goto("/sessions")
    tab.heading("Sessions")
    row = page.get_by_role("row").filter(has_text="sma at the broker")
    expect(row).to_contain_text(marker)
    expect(row).not_to_contain_text("REAL MONEY")
    assert tab.errors == []


def test_a_paper_session_is_checkpointed_and_cleaned_up(
    dashboard_server: ServerProcess, tab_factory: Any, shots: Path
) -> None:
    server = dashboard_server
    # No timed checkpoint in between (one a day): each one here is the button's.
    paper = api(server, "POST", "/api/paper-trading/sessions",
                {"name": "walk-saved", "symbols": ["AAPL"], "checkpoint_interval_seconds": 86_400,
                 "feed": {"type": "synthetic", "seed": 5, "interval_seconds": 0.2}})  # fmt: skip
    session_id = paper["id"]
    tab = tab_factory(server)
    page = tab.page
    tab.goto(f"/sessions/{session_id}")
    tab.heading("walk-saved")
    tab.live()
    expect(page.get_by_role("status", name="Viewed session's money")).to_have_count(0)
    panel = page.get_by_role("region", name="Checkpoints")
    for made in range(1, 4):
        before = api(server, "GET", f"/v1/sessions/{session_id}")["current_time"]
        # A new checkpoint needs something new in the journal: the feed's next bar.
        wait_for(
            lambda before=before: (
                api(server, "GET", f"/v1/sessions/{session_id}")["current_time"] != before
            ),
            "the feed's next bar",
            30,
        )
        panel.get_by_role("button", name="Checkpoint now").click()
        wait_for(
            lambda made=made: (
                api(server, "GET", f"/v1/sessions/{session_id}/checkpoints")["stats"]["count"]
                >= made
            ),
            f"checkpoint {made}",
            30,
        )
        expect(panel.get_by_role("status")).to_contain_text("Checkpoint at seq")
    figures = panel.get_by_label("Checkpoint figures")
    expect(figures).to_contain_text(re.compile(r"Checkpoints\s*[3-9]"))
    no_violations(tab)
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=shots / "session-checkpoints-light.png", animations="disabled")

    panel.get_by_role("button", name="Clean up").click()
    dialog = page.get_by_role("dialog", name="Clean up the checkpoints of 'walk-saved'?")
    dialog.get_by_role("textbox", name="Keep the newest").fill("1")
    dialog.get_by_role("button", name=re.compile(r"^Delete \d+")).click()
    expect(panel.get_by_role("status")).to_contain_text(re.compile(r"Deleted [2-9]\d* checkpoint"))
    expect(figures).to_contain_text(re.compile(r"Checkpoints\s*1Latest"))
    assert api(server, "GET", f"/v1/sessions/{session_id}/checkpoints")["stats"]["count"] == 1
    assert tab.errors == []


def test_the_live_endpoint_needs_the_real_money_confirmation(
    dashboard_server: ServerProcess, tab_factory: Any, shots: Path
) -> None:
    tab = tab_factory(dashboard_server)
    page = tab.page
    add_credentials(tab, "alpaca real", "AKREALMONEY1234", "not-a-real-secret")
    broker = to_trading_step(tab)
    broker.get_by_role("radio", name=re.compile("^Alpaca live trading")).click()
    pick_credentials(tab, "alpaca real")
    # Real money halts for a person by default.
    expect(page.get_by_role("combobox", name="On a difference with the broker")).to_have_text(
        "Halt for approval"
    )
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Confirm that this session trades real money")).to_be_visible()
    expect(page.get_by_role("region", name="Trading parameters")).to_be_visible()
    confirm = page.get_by_role("checkbox", name="I understand this trades real money")
    confirm.check()
    page.get_by_role("button", name="Next").click()
    expect(confirm).to_have_count(0)  # on the risk step: one step at a time, however slow
    page.get_by_role("button", name="Next").click()
    warning = page.get_by_role("alert").filter(has_text="REAL MONEY")
    expect(warning).to_contain_text("You confirmed: I understand this trades real money.")
    color = warning.evaluate("element => getComputedStyle(element).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", color)[:3])
    assert (red > 150, green < 100, blue < 100) == (True, True, True), color  # red, with words
    no_violations(tab)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / "wizard-live-review-light.png", animations="disabled")
    assert tab.errors == []
