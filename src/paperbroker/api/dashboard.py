"""The web dashboard: its production build, served at ``/`` beside the API.

The build (``make web``: an ``index.html`` and hashed files under
``assets/``) is written into the package's ``dashboard/`` directory, or is
read from ``PAPERBROKER_DASHBOARD_DIR``. It is looked for at every request:
a build made while the server runs is served at once.

What is answered:

- ``GET /``: ``index.html``, never cached without asking (``no-cache``: the
  browser revalidates it with its ETag and sees a new build at once);
- ``GET /assets/{file}``: the file, cached for a year (``immutable``: its
  name carries a hash of its content, so a new build has new names); a file
  the build does not have is a ``404`` like any other, never the page;
- any other file of the build (``/favicon.svg``): the file, revalidated as the page;
- the dashboard's own routes (``/sessions``, ``/sessions/{id}/agents``, …):
  ``index.html``, whose script shows the route (see :func:`is_page_request`);
- without a build: ``/`` and those routes are a small page (``503``) that
  says how to make one; the API is served as ever.

The page's own routes are not routes of the application: what no route
answers goes to the router's default (a ``404``), and the dashboard answers
there, first, the requests :func:`is_page_request` takes. So it never
shadows a route, whatever the order they are added in, nor turns a wrong
method into anything but the route's ``405``. It takes a request when it is
a ``GET`` or ``HEAD``:

- whose path is outside the API (:func:`is_api_path`): ``/v1``, ``/v2``,
  ``/api``, ``/ws``, ``/stream``, ``/docs``, ``/redoc``, ``/openapi.json``
  (and ``/assets``, the build's files), below ``/system/`` (the page
  ``/system`` is the dashboard's), and ``/sessions/{id}/v2`` and
  ``/sessions/{id}/stream`` (``/sessions/{id}`` is the dashboard's): an
  unknown path there stays the API's JSON ``404``;
- whose last segment names no file (no ``.`` in it): a missing
  ``/favicon.ico`` is a ``404``, not a page served as an image;
- that accepts HTML: no ``Accept`` header, or one naming ``text/html``,
  ``text/*`` or ``*/*``. A client asking for JSON gets the JSON ``404``.

``/`` and ``/assets/{file}`` are routes, public: the page and its files hold
no data; every call they make to the API needs a key.

Every answer of the dashboard carries ``X-Content-Type-Options: nosniff``;
the page (and the missing-build page) a Content-Security-Policy that lets it
load scripts, styles and fonts from the server only and connect to the
server only (``'self'`` covers ``ws:``/``wss:`` to the same host and port),
``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``. Styles may
also be inline (``'unsafe-inline'``): the component library injects its
``<style>`` elements at run time; scripts may not.

A file with a precompressed copy beside it (``app-1a2b.js.gz``) is sent
compressed to a client that accepts ``gzip``; the server compresses nothing
itself.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from paperbroker.api.access import Public
from paperbroker.api.errors import ApiError

#: Where the build is when the setting names none: the package's ``dashboard`` directory.
PACKAGED: Final = Path(__file__).resolve().parent.parent / "dashboard"
INDEX: Final = "index.html"
ASSETS: Final = "assets"

#: Paths whose first segment is one of these are the API's, whatever follows.
API_ROOTS: Final = frozenset(
    {"v1", "v2", "api", "ws", "stream", "docs", "redoc", "openapi.json", ASSETS}
)
#: ``/sessions/{id}/<one of these>…`` is the Alpaca API of one session.
SESSION_API: Final = frozenset({"v2", "stream"})

POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: The headers of every answer of the dashboard.
FILE_HEADERS: Final = {"X-Content-Type-Options": "nosniff"}
#: The headers of the page (and of the page that says there is no build).
PAGE_HEADERS: Final = {
    **FILE_HEADERS,
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
IMMUTABLE: Final = "public, max-age=31536000, immutable"

#: The types of a web build's files, the same on every system (``mimetypes`` reads
#: the system's tables, which differ).
_TYPES: Final = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
}

_NOT_BUILT: Final = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>paperbroker: the dashboard is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}
code{background:#eee;padding:0 .2em}</style></head>
<body>
<h1>The dashboard is not built</h1>
<p>This server has no build of the web dashboard in <code>{directory}</code>.
Build it in the source checkout with <code>make web</code> (or <code>make run</code>,
which builds it and starts the server), or point <code>PAPERBROKER_DASHBOARD_DIR</code>
at a build.</p>
<p>The API is served as usual: see its reference at <a href="/docs">/docs</a>.</p>
</body>
</html>
"""


def install(app: FastAPI, directory: Path | None = None) -> None:
    """Serve the build in ``directory`` (default :data:`PACKAGED`) at ``/`` of ``app``."""
    root = Path(directory) if directory is not None else PACKAGED

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False, dependencies=[Public])
    async def dashboard(request: Request) -> Response:
        return page(root, request)

    @app.api_route(
        "/assets/{path:path}",
        methods=["GET", "HEAD"],
        include_in_schema=False,
        dependencies=[Public],
    )
    async def dashboard_asset(request: Request, path: str) -> Response:
        found = inside(root / ASSETS, path)
        if found is None:
            raise ApiError(404, f"no file /assets/{path[:200]}")
        return file_response(found, request, {"Cache-Control": IMMUTABLE})

    app.router.default = Fallback(app.router.default, root)


class Fallback:
    """The router's default (what no route answers): the dashboard's files and routes
    first, then ``default`` (the API's JSON 404)."""

    def __init__(self, default: ASGIApp, root: Path) -> None:
        self.default = default
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if not is_api_path(path):
                request = Request(scope, receive)
                name = path.lstrip("/")
                found = inside(self.root, name) if name else None
                if found is not None:
                    headers = PAGE_HEADERS if found.name == INDEX else {"Cache-Control": "no-cache"}
                    await file_response(found, request, headers)(scope, receive, send)
                    return
                if is_page_request(path, request.headers):
                    await page(self.root, request)(scope, receive, send)
                    return
        await self.default(scope, receive, send)


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's (see the module doc): never the dashboard's page."""
    parts = path.split("/")[1:]
    first = parts[0] if parts else ""
    if first in API_ROOTS:
        return True
    if first == "system":  # /system is the dashboard's page, /system/… the API
        return len(parts) > 1 and parts[1] != ""
    return first == "sessions" and len(parts) > 2 and parts[2] in SESSION_API


def is_page_request(path: str, headers: Headers) -> bool:
    """Whether a GET of ``path`` (not the API's) with ``headers`` is for the page."""
    if "." in path.rsplit("/", 1)[-1]:
        return False
    accept = headers.get("accept")
    if accept is None:
        return True
    kinds = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    return bool(kinds & {"text/html", "text/*", "*/*"})


def page(root: Path, request: Request) -> Response:
    """``index.html`` of the build in ``root``, or the page saying there is none (503)."""
    found = inside(root, INDEX)
    if found is None:
        return HTMLResponse(
            _NOT_BUILT.replace("{directory}", _escape(str(root))),
            status_code=503,
            headers={**PAGE_HEADERS, "Retry-After": "60"},
        )
    return file_response(found, request, PAGE_HEADERS)


def inside(root: Path, relative: str) -> Path | None:
    """The regular file ``relative`` names in ``root``, or ``None``: none, or one
    outside ``root`` (``..``, an absolute path, a symbolic link out of it)."""
    if "\x00" in relative or "\\" in relative:
        return None
    try:
        base = root.resolve(strict=True)
        found = (base / relative).resolve(strict=True)
        if not found.is_relative_to(base) or not stat.S_ISREG(found.stat().st_mode):
            return None
    except (OSError, ValueError, RuntimeError):  # missing, unreadable, a loop of links
        return None
    return found


def file_response(file: Path, request: Request, headers: dict[str, str]) -> Response:
    """``file`` as the answer to ``request``: its precompressed copy if there is one the
    client takes; ``304`` when the client's copy is current."""
    media_type = content_type(file)
    answer = {**FILE_HEADERS, **headers}
    compressed = _gzipped(file)
    if compressed is not None:
        answer["Vary"] = "Accept-Encoding"
        if _accepts_gzip(request.headers):
            file = compressed
            answer["Content-Encoding"] = "gzip"
    stat_result = os.stat(file)
    response = FileResponse(file, headers=answer, media_type=media_type, stat_result=stat_result)
    etag = response.headers["etag"]
    if etag in _tags(request.headers.get("if-none-match", "")):
        kept = {k: v for k, v in response.headers.items() if k.lower() not in _NOT_IN_304}
        return Response(status_code=304, headers=kept)
    return response


#: Headers a 304 leaves out (it has no body).
_NOT_IN_304: Final = frozenset({"content-length", "content-type", "accept-ranges"})


def content_type(file: Path) -> str:
    """The media type of ``file`` by its extension."""
    known = _TYPES.get(file.suffix.lower())
    if known is not None:
        return known
    guessed, encoding = mimetypes.guess_type(file.name)
    if encoding is not None:  # app.js.gz asked for by its name: the compressed bytes
        return "application/gzip" if encoding == "gzip" else "application/octet-stream"
    return guessed or "application/octet-stream"


def _gzipped(file: Path) -> Path | None:
    copy = file.with_name(file.name + ".gz")
    try:
        return copy if stat.S_ISREG(copy.stat().st_mode) else None
    except OSError:
        return None


def _accepts_gzip(headers: Headers) -> bool:
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() == "gzip":
            q = params.strip().removeprefix("q=").strip()
            return not q or _quality(q) > 0
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
