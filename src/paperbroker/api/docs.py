"""``/docs`` (Swagger UI) and ``/redoc``: the API's reference pages, working offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so without the
internet they render blank. These load the same files from the server
(``/docs/assets/…``: the scripts, styles and icon that the ``fastapi-offline``
package ships), and every page is sent with a Content-Security-Policy that
allows nothing but the server itself: what the scripts would fetch from
elsewhere (ReDoc's logo, an online validator) is refused by the browser
before any request leaves the machine.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from paperbroker.api.access import Public

#: Where the pages load Swagger UI's and ReDoc's files from.
ASSETS: Final = "/docs/assets"
#: The pages' own inline scripts and styles, and anything else from the server only.
POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'self'",
    )
)


def install(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve the reference pages of ``app``'s OpenAPI document, and their files.

    ``app`` must be made with ``docs_url=None, redoc_url=None`` (FastAPI's own pages).
    """
    assert app.openapi_url is not None
    openapi_url, title = app.openapi_url, app.title
    oauth2_redirect = f"{docs_url}/oauth2-redirect"
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")))

    @app.get(docs_url, include_in_schema=False, dependencies=[Public])
    async def swagger_ui() -> HTMLResponse:
        return _offline(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{title} - Swagger UI",
                swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS}/favicon.png",
                oauth2_redirect_url=oauth2_redirect,
                # Swagger UI would send the document to an online validator for a badge.
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get(oauth2_redirect, include_in_schema=False, dependencies=[Public])
    async def swagger_ui_redirect() -> HTMLResponse:
        return _offline(get_swagger_ui_oauth2_redirect_html())

    @app.get(redoc_url, include_in_schema=False, dependencies=[Public])
    async def redoc() -> HTMLResponse:
        return _offline(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{title} - ReDoc",
                redoc_js_url=f"{ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = POLICY
    return page
