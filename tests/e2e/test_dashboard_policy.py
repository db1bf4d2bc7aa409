"""The dashboard's Content-Security-Policy, as Chromium applies it to a page served by the server.

A real ``paperbroker serve`` on loopback serves a build made here
(``PAPERBROKER_DASHBOARD_DIR``) at a dashboard route. Its script records
what the browser refuses: it must be allowed to call the API, open the
event stream on the same host and port (``'self'`` covers ``ws:``) and
inject ``<style>`` elements (as the component library does), and be refused
an inline script and a socket to another origin.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

INDEX = """<!doctype html>
<html><head><meta charset="utf-8">
<script type="module" src="/assets/app-0a1b2c.js"></script>
<script>window.inlineRan = true;</script>
</head><body><p id="shown">dashboard</p></body></html>
"""

SCRIPT = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.violations.push(event.violatedDirective + " " + event.blockedURI);
});
window.results = {};
function open(name, url) {
  const socket = new WebSocket(url);
  socket.onopen = () => { window.results[name] = "open"; socket.close(); };
  socket.onerror = () => { window.results[name] ??= "error"; };
}
open("same", "ws://" + location.host + "/ws");
open("other", "ws://localhost:" + location.port + "/ws");
fetch("/openapi.json").then((response) => { window.results.fetch = response.status; });
const style = document.createElement("style");
style.textContent = "#shown { color: rgb(1, 2, 3); }";
document.head.appendChild(style);
window.results.style = getComputedStyle(document.getElementById("shown")).color;
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("dashboard")
    build = workdir / "build"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text(INDEX)
    (build / "assets" / "app-0a1b2c.js").write_text(SCRIPT)
    env = {"PAPERBROKER_DATA_DIR": str(workdir / "data"), "PAPERBROKER_DASHBOARD_DIR": str(build)}
    server = ServerProcess(f"sqlite:///{workdir / 'dashboard.db'}", env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_policy_lets_the_page_reach_its_server_only(
    server: ServerProcess, browser: Browser
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{server.base_url}/sessions/3b0c5d8e-2f4a-4c1e-9a7b-6d2e1f0c9a84/agents")
        deadline = time.monotonic() + 20
        while len(page.evaluate("Object.keys(window.results ?? {})")) < 4:
            assert time.monotonic() < deadline, page.evaluate("JSON.stringify(window.results)")
            time.sleep(0.05)
        results = page.evaluate("window.results")
        violations: list[str] = page.evaluate("window.violations")
        inline_ran = page.evaluate("window.inlineRan === true")
    finally:
        context.close()
    same = f"ws://127.0.0.1:{server.port}/ws"
    assert results["fetch"] == 200
    assert results["style"] == "rgb(1, 2, 3)"  # an injected <style> applies
    assert not [v for v in violations if same in v], json.dumps(violations)
    assert any(f"ws://localhost:{server.port}/ws" in v for v in violations), violations
    assert not inline_ran  # the inline script was refused: scripts come from files only
    assert any("inline script" in line and "Content Security Policy" in line for line in console)
