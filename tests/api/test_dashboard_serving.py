"""The web dashboard's build, served at ``/`` by the real application beside the API.

Each test serves a build made here (an ``index.html``, a hashed script under
``assets/``, an icon), through the test client, or through uvicorn on
loopback where the request must reach the server as written (``..`` and its
encodings, which a client would resolve first).
"""

from __future__ import annotations

import gzip
import http.client
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.api.conftest import market
from tests.compat.conftest import free_port

from paperbroker.api import create_app
from paperbroker.api.access import routes
from paperbroker.api.dashboard import IMMUTABLE, is_api_path
from paperbroker.services.sessions import SessionService
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script>'
SCRIPT = "console.log('the dashboard');\n" * 20
ICON = '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
#: What a file outside the build holds: no answer may show it.
SECRET = "the secret beside the build"
SESSION = "3b0c5d8e-2f4a-4c1e-9a7b-6d2e1f0c9a84"
#: The dashboard's own routes: each answers its page.
PAGES = [
    "/",
    "/signin",
    "/sessions",
    "/sessions/new",
    f"/sessions/{SESSION}",
    f"/sessions/{SESSION}/agents",
    "/activity",
    "/system",
    "/system/",
]
#: What a browser sends for a page.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def make_build(site: Path) -> Path:
    """A build in ``site/dashboard``, with a secret beside it and links out of it."""
    build = site / "dashboard"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text(INDEX)
    (build / "assets" / "app-abc123.js").write_text(SCRIPT)
    (build / "assets" / "app-abc123.js.gz").write_bytes(gzip.compress(SCRIPT.encode()))
    (build / "favicon.svg").write_text(ICON)
    (site / "pyproject.toml").write_text(SECRET)
    (site / "outside").mkdir()
    (site / "outside" / "secret.txt").write_text(SECRET)
    (build / "assets" / "leak.js").symlink_to(site / "pyproject.toml")
    (build / "assets" / "out").symlink_to(site / "outside")
    (build / "leak.svg").symlink_to(site / "pyproject.toml")
    return build


class App:
    """The application over a SQLite file, serving the build in ``dashboard_dir``."""

    def __init__(self, database: Path, dashboard_dir: Path) -> None:
        self.engine = create_engine_for(f"sqlite:///{database}")
        migrate(self.engine)
        factory = session_factory(self.engine)
        self.keys = ApiKeys(factory)
        self.service = SessionService(factory=factory, market=market())
        self.app: FastAPI = create_app(self.service, self.keys, dashboard_dir=dashboard_dir)
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.client.__enter__()

    def close(self) -> None:
        try:
            self.client.__exit__(None, None, None)
        finally:
            self.service.shutdown()
            self.engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    site = tmp_path_factory.mktemp("site")
    served = App(site / "api.db", make_build(site))
    try:
        yield served
    finally:
        served.close()


@pytest.fixture(scope="module")
def client(served: App) -> TestClient:
    return served.client


@pytest.mark.parametrize("path", PAGES)
def test_the_dashboards_routes_answer_its_page(client: TestClient, path: str) -> None:
    for headers in (BROWSER, {}, {"Accept": "*/*"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, headers)
        assert response.text == INDEX
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-cache"


def test_the_page_is_sent_with_its_security_headers(client: TestClient) -> None:
    headers = client.get("/sessions", headers=BROWSER).headers
    directives = headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"  # the components' runtime styles
    assert policy["connect-src"] == "'self'"  # its API and /ws, on the same host and port
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


def test_assets_are_served_cached_for_good(client: TestClient) -> None:
    response = client.get("/assets/app-abc123.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in response.headers


def test_a_precompressed_asset_is_sent_compressed_to_who_takes_gzip(client: TestClient) -> None:
    response = client.get("/assets/app-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(SCRIPT)
    assert response.text == SCRIPT  # the client decodes it
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    refused = client.get("/assets/app-abc123.js", headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_other_files_of_the_build_are_served(client: TestClient) -> None:
    response = client.get("/favicon.svg")
    assert response.status_code == 200
    assert response.text == ICON
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/index.html").text == INDEX
    compressed = client.get("/assets/app-abc123.js.gz", headers={"Accept-Encoding": "identity"})
    assert compressed.headers["content-type"] == "application/gzip"
    assert gzip.decompress(compressed.content).decode() == SCRIPT


@pytest.mark.parametrize("path", ["/assets/missing-0000.js", "/favicon.ico", "/assets", "/x.js"])
def test_a_missing_file_is_a_404_never_the_page(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "*/*"})
    assert response.status_code == 404
    assert response.json()["code"] == 40410000


@pytest.mark.parametrize(
    "path",
    [
        "/v1/nope",
        "/v2/nope",
        "/api/nope",
        f"/sessions/{SESSION}/v2/nope",
        f"/sessions/{SESSION}/v2",
        f"/sessions/{SESSION}/stream",
        "/system/nope",
        "/ws",
        "/stream",
        "/docs/nope",
        "/openapi.json/nope",
    ],
)
def test_the_apis_unknown_paths_stay_its_json_404(client: TestClient, path: str) -> None:
    for headers in (BROWSER, {}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"code": 40410000, "message": f"no route {path}"}


def test_a_request_not_for_html_is_not_given_the_page(client: TestClient) -> None:
    response = client.get("/sessions", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {"code": 40410000, "message": "no route /sessions"}


def test_the_api_answers_as_before(served: App) -> None:
    client = served.client
    assert client.post("/sessions", json={}).json()["code"] == 40410000  # pages are GET only
    wrong = client.get(f"/v1/sessions/{SESSION}/kill", headers=BROWSER)  # a POST route
    assert wrong.status_code == 405
    assert wrong.json()["code"] == 40510000
    assert client.get("/v1/sessions", headers=BROWSER).status_code == 401
    key = served.keys.create("alice")
    assert client.get("/v1/sessions", auth=key).json() == []
    posted = client.post("/")
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET, HEAD"
    docs = client.get("/docs", headers=BROWSER)
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert client.get("/redoc").status_code == 200
    document = client.get("/openapi.json").json()
    assert not [path for path in document["paths"] if not is_api_path(path)]


def test_head_answers_the_headers_alone(client: TestClient) -> None:
    for path, length in (("/", len(INDEX)), (f"/sessions/{SESSION}", len(INDEX))):
        response = client.head(path, headers=BROWSER)
        assert response.status_code == 200
        assert response.content == b""
        assert int(response.headers["content-length"]) == length
    asset = client.head("/assets/app-abc123.js", headers={"Accept-Encoding": "identity"})
    assert (asset.status_code, asset.content) == (200, b"")
    assert asset.headers["cache-control"] == IMMUTABLE


def test_the_page_is_revalidated_with_its_etag(client: TestClient) -> None:
    etag = client.get("/").headers["etag"]
    again = client.get("/sessions", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


#: Paths that would leave the build, as a browser or a script may send them.
ESCAPES = [
    "/assets/../../pyproject.toml",
    "/assets/..%2F..%2Fpyproject.toml",
    "/assets/%2e%2e/%2e%2e/pyproject.toml",
    "/assets/%2E%2E%2F%2E%2E%2Fpyproject.toml",
    "/assets/..%5C..%5Cpyproject.toml",
    "/assets//etc/passwd",
    "/assets/%2Fetc%2Fpasswd",
    "/assets/leak.js",  # a link out of the build
    "/assets/out/secret.txt",  # a directory linked out of the build
    "/leak.svg",
    "/../pyproject.toml",
    "/..%2Fpyproject.toml",
    "/%2e%2e/pyproject.toml",
    "/%2e%2e/outside/secret.txt",
    "/assets/app-abc123.js%00.html",
]


@pytest.fixture(scope="module")
def loopback(served: App) -> Iterator[int]:
    """The application behind uvicorn on 127.0.0.1: requests reach it as they are written."""
    port = free_port()
    config = uvicorn.Config(served.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("path", ESCAPES)
def test_no_path_leaves_the_build(loopback: int, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", loopback, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("Accept", "*/*")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
    finally:
        connection.close()
    assert SECRET not in body
    assert "root:" not in body
    assert response.status in (400, 404), (response.status, body)


def test_the_raw_server_serves_the_build(loopback: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", loopback, timeout=10)
    try:
        connection.request("GET", "/assets/app-abc123.js")
        response = connection.getresponse()
        assert (response.status, response.read().decode()) == (200, SCRIPT)
    finally:
        connection.close()


def test_without_a_build_the_page_says_how_to_make_one(tmp_path: Path) -> None:
    missing = tmp_path / "no-build"
    served = App(tmp_path / "api.db", missing)
    try:
        client = served.client
        for path in ("/", "/sessions", f"/sessions/{SESSION}/agents"):
            response = client.get(path, headers=BROWSER)
            assert response.status_code == 503
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            assert "The dashboard is not built" in response.text
            assert "make web" in response.text
            assert str(missing) in response.text
            assert "PAPERBROKER_DASHBOARD_DIR" in response.text
            assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert client.head("/").status_code == 503
        assert client.get("/assets/app-abc123.js").status_code == 404
        assert client.get("/v1/nope").json()["code"] == 40410000
        key = served.keys.create("alice")
        assert client.get("/v1/sessions", auth=key).json() == []
        assert client.get("/docs").status_code == 200
        # A build made while the server runs is served at once.
        make_build(tmp_path)
        (tmp_path / "dashboard").rename(missing)
        assert client.get("/sessions").text == INDEX
    finally:
        served.close()


def test_every_api_route_is_outside_the_dashboards_paths(served: App) -> None:
    """A route added under a new prefix must be added to the API's paths
    (paperbroker.api.dashboard), or the dashboard would answer its unknown paths."""
    own = {"/", "/assets/{path:path}"}
    for route in routes(served.app):
        path = str(route.path)
        if path in own:
            continue
        concrete = path.replace("{sessionId}", SESSION)
        assert is_api_path(concrete), path
    for page in PAGES:
        assert not is_api_path(page), page
