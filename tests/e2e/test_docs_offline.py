"""/docs and /redoc render in a browser with no network but the server's own.

A real ``paperbroker serve`` on loopback; Chromium loads each page while every
request to anywhere else is blocked (and recorded). The page must show the
API's operations, which only happens once Swagger UI's or ReDoc's script
ran and rendered the OpenAPI document.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import Browser, Route

pytestmark = pytest.mark.browser

#: Operations the pages must show (by their summaries in the served OpenAPI document).
OPERATIONS = [
    ("/v1/sessions", "get"),
    ("/v1/sessions", "post"),
    ("/v1/sessions/{sessionId}", "get"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir: Path = tmp_path_factory.mktemp("docs")
    server = ServerProcess(
        f"sqlite:///{workdir / 'docs.db'}", env={"PAPERBROKER_DATA_DIR": str(workdir / "data")}
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def summaries(server: ServerProcess) -> list[str]:
    with urllib.request.urlopen(f"{server.base_url}/openapi.json", timeout=30) as response:
        document = json.load(response)
    return [document["paths"][path][method]["summary"] for path, method in OPERATIONS]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_render_without_the_internet(
    server: ServerProcess, browser: Browser, path: str
) -> None:
    blocked: list[str] = []
    loaded: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            loaded.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    context = browser.new_context()
    try:
        context.route("**/*", only_loopback)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.base_url + path)
        for summary in summaries(server):
            shown = page.get_by_text(summary, exact=True).locator("visible=true").first
            shown.wait_for(state="visible", timeout=60_000)
    finally:
        context.close()
    assert blocked == []
    assert errors == []
    assert f"{server.base_url}/openapi.json" in loaded
    assert any(url.startswith(f"{server.base_url}/docs/assets/") for url in loaded)
