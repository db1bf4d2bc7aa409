"""/docs and /redoc load everything from the server and allow nothing else (the
browser check in tests/e2e renders them with the network off)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.api.conftest import Server

from paperbroker.api.docs import ASSETS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'docs.db'}")
    yield server
    server.close()


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_the_pages_refer_to_the_server_only_and_say_so_to_the_browser(
    server: Server, path: str
) -> None:
    page = server.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    for url in re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text):
        assert url.startswith(f"{ASSETS}/"), url


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("redoc.standalone.js", "javascript"),
        ("favicon.png", "image/png"),
    ],
)
def test_the_pages_files_are_served(server: Server, name: str, kind: str) -> None:
    served = server.client.get(f"{ASSETS}/{name}")
    assert served.status_code == 200
    assert kind in served.headers["content-type"]
    assert len(served.content) > 1000


def test_the_pages_are_not_operations_of_the_api(server: Server) -> None:
    paths = server.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
