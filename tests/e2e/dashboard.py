"""What the dashboard's browser tests share: its server, a signed-in tab, axe, screenshots.

The server is a real ``paperbroker serve`` on a temporary SQLite database,
serving the dashboard's build (``make web`` writes it into the package).
A tab is a fresh browser context (its own sessionStorage and localStorage)
with a 1440x900 viewport; it records every URL it asked for and every
console message, so a test can check that the key never shows in either.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from bench.server_process import ServerProcess, call
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

#: A session id as it shows in the dashboard's addresses.
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "src" / "paperbroker" / "dashboard"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1440, "height": 900}
#: Long enough for a cold page load on a busy CI machine, short enough to fail fast.
TIMEOUT_MS = 20_000

Theme = Literal["light", "dark"]


def require_build() -> None:
    """Skip (locally) or fail (under ``CI=true``) when the dashboard is not built.

    The server serves ``PAPERBROKER_DASHBOARD_DIR`` instead when it is set (another build).
    """
    build = Path(os.environ.get("PAPERBROKER_DASHBOARD_DIR") or BUILD)
    if (build / "index.html").exists():
        return
    reason = f"the dashboard is not built ({build / 'index.html'} is missing): run make web"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def serve(workdir: Path) -> Iterator[ServerProcess]:
    """A server on a new database in ``workdir``, stopped at the end."""
    require_build()
    server = ServerProcess(
        f"sqlite:///{workdir / 'dashboard.db'}",
        env={"PAPERBROKER_DATA_DIR": str(workdir / "data")},
        log_dir=workdir / "logs",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def api(server: ServerProcess, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    """An API call with the admin key that must succeed; its JSON answer."""
    status, answer = call(server, method, path, body, **kwargs)
    assert 200 <= status < 300, (method, path, status, answer)
    return answer


@dataclass
class Tab:
    """One signed-in (or not) browser tab and what it recorded."""

    context: BrowserContext
    page: Page
    server: ServerProcess
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.server.base_url + path)

    def heading(self, name: str | re.Pattern[str]) -> None:
        """Wait for the page's ``<h1>``."""
        expect(self.page.get_by_role("heading", level=1, name=name)).to_be_visible()

    def create_session(self, name: str) -> str:
        """Press the wizard's Create, wait for the new session's page; return its id."""
        self.page.get_by_role("button", name="Create").click()
        self.heading(name)
        match = re.search(rf"/sessions/({UUID})$", self.page.url)
        assert match is not None, self.page.url
        return match.group(1)

    def live(self) -> None:
        """Wait until the live connection is up."""
        expect(self.page.get_by_label("live updates connected")).to_be_visible()


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits the window's width: a wide table scrolls in its own box, nothing
    makes the whole page scroll sideways. Checked for a few seconds, so that a passing
    overlay (a tooltip on its way out) is not taken for the page's layout."""
    for _ in range(20):
        scroll, width, wide = page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              const wide = [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > width + 1
                  && getComputedStyle(el).position !== 'fixed')
                .map((el) => el.tagName + '.' + String(el.className).slice(0, 40));
              return [document.documentElement.scrollWidth, width, wide];
            }"""
        )
        if scroll <= width:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the page scrolls sideways ({scroll} > {width} px): {wide[:5]}")


def click_to_open(button: Locator, opened: Locator, *, attempts: int = 3) -> None:
    """Click ``button`` until ``opened`` shows, as a person does on a page that moves.

    A running session's page re-renders with every bar: when a row or a caption above
    the button changes height between the mouse's press and its release, the two land
    on different elements and the browser makes no click of them (a person then clicks
    again). Each attempt waits a few seconds for ``opened``; the last one fails as
    ``expect`` does.
    """
    for _ in range(attempts - 1):
        button.click()
        try:
            expect(opened).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            continue
    button.click()
    expect(opened).to_be_visible()


def open_tab(
    browser: Browser,
    server: ServerProcess,
    *,
    signed_in: bool = True,
    theme: Theme | None = None,
    bypass_csp: bool = False,
) -> Tab:
    """A new context and page; signed in with the admin key (as the sign-in page keeps it)."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=bypass_csp)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    script = ""
    if signed_in:
        assert server.admin_key is not None
        # What the sign-in page stores once the server accepted the key (src/auth/storage.ts).
        script += f"sessionStorage.setItem('paperbroker.key', {json.dumps(server.admin_key)});"
    if theme is not None:
        script += f"localStorage.setItem('paperbroker.theme', {json.dumps(theme)});"
    if script:
        # Only the first document of the tab: later navigations keep what the page changed.
        context.add_init_script(
            f"try {{ if (location.protocol === 'http:' && !sessionStorage.getItem('e2e.primed'))"
            f" {{ {script} sessionStorage.setItem('e2e.primed', '1'); }} }} catch {{}}"
        )
    page = context.new_page()
    tab = Tab(context, page, server)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: tab.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab


@pytest.fixture
def tab_factory(browser: Browser) -> Iterator[Any]:
    """Open tabs on a server; every one is closed after the test."""
    opened: list[Tab] = []

    def factory(server: ServerProcess, **kwargs: Any) -> Tab:
        tab = open_tab(browser, server, **kwargs)
        opened.append(tab)
        return tab

    yield factory
    for tab in opened:
        tab.context.close()


TRANSITIONS_DONE = (
    "document.getAnimations()"
    ".every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"
)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact ``serious`` or ``critical`` on the page as it is."""
    # a colour caught mid-transition (a field turning enabled) is not the colour a reader sees
    # (polled from here: the dashboard's CSP forbids the eval that wait_for_function needs)
    for _ in range(100):
        if page.evaluate(TRANSITIONS_DONE):
            break
        page.wait_for_timeout(20)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        violation
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node: its id, impact, target and what axe says to fix."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {node['target']}: "
                f"{node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return "\n".join(lines)


def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``PAPERBROKER_SCREENSHOTS`` (relative to the repository), else a pytest tmp dir."""
    chosen = os.environ.get("PAPERBROKER_SCREENSHOTS")
    if chosen:
        path = Path(chosen)
        path = path if path.is_absolute() else ROOT / path
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
