"""The application factory: the /v1 API over one session service and one key store."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import paperbroker
from paperbroker.api import alpaca, contract, dashboard, docs, events
from paperbroker.api.access import check_routes
from paperbroker.api.deps import ApiContext
from paperbroker.api.errors import install_error_handlers
from paperbroker.api.routes import (
    ab_tests,
    accounts,
    agents,
    assets,
    catalog,
    checkpoints,
    history,
    live,
    paper,
    reconcile,
    reports,
    risk,
    session_copies,
    session_keys,
    session_lifecycle,
    session_metrics,
    sessions,
    sweeps,
    system,
    templates,
    trading,
)
from paperbroker.core.errors import PaperbrokerError
from paperbroker.data.calendar import xnys
from paperbroker.services.events import EventSettings
from paperbroker.services.sessions import SessionService
from paperbroker.store.keys import ApiKeys
from paperbroker.store.sessions_repo import SessionRecord

log = logging.getLogger(__name__)

#: Largest request body accepted (413 above it); real bodies are a few hundred bytes.
MAX_BODY_BYTES: Final = 64 * 1024
#: Seconds the background warm-up waits for the server's first answer before it starts anyway.
WARM_UP_DELAY: Final = 1.0

_DESCRIPTION: Final = """\
Backtest sessions over HTTP, each with its own simulation clock, accounts,
orders and positions.

Every call authenticates with HTTP Basic: an API key's `key_id` as the user
name and its secret as the password. Sessions belong to the key that created
them; to any other key they do not exist (404).

Numbers in responses are decimal strings; times are RFC 3339 in UTC. Requests
take numbers or decimal strings, and RFC 3339 times with an offset. Symbols
are upper case, and requests may write them in any case (`aapl` is `AAPL`).

Status codes: creating a session is `201`, deleting one `204` (its accounts,
orders and journal go with it), everything else that succeeds `200`. Errors
are `{"code": <int>, "message": <text>}`, the code being the status followed
by 10000 (`40410000`):

- `400` the body is not JSON, or not a JSON object;
- `401` no API key, or one that does not verify;
- `403` a key bound to a session calling anything but that session's Alpaca
  API (`x-access` says who may call each operation), or an order refused for
  insufficient buying power (the body also names the rejected order:
  `order_id`, `reject_reason`);
- `404` no such session, account, order or position, or one of another key;
  a deleted session is `404` like one that never existed;
- `409` the session is completed (no orders, no time), an order can no longer
  be canceled or replaced, or a playing session is advanced by hand;
- `422` a field, header or parameter is invalid (the message names it), or an
  order refused for another reason (a short sale in a cash account, …; the
  body names the rejected order as for a `403`).

Each session has its own execution models (`execution`: slippage, fees, fill
quantity, latency) and account settings (`account`: cash or margin), chosen
when it is created and kept for its life.

A session that was playing when the server stopped comes back paused.
"""


def create_app(
    service: SessionService,
    keys: ApiKeys,
    *,
    event_settings: EventSettings | None = None,
    restore: bool = False,
    warm_up_delay: float = WARM_UP_DELAY,
    dashboard_dir: Path | None = None,
) -> FastAPI:
    """The API application, serving ``service`` to the holders of ``keys``.

    The caller owns ``service``. With ``restore``, the application restores
    every session in the background (:func:`warm_up`), once it has answered
    its first request or ``warm_up_delay`` seconds after it started, whichever
    comes first: the first client is answered at once, and a request for a
    session not restored yet restores it or waits for it. Without, the caller
    restores what it wants before serving. The application stops the
    sessions' play loops (``service.shutdown()``) when it shuts down. It serves
    the web dashboard's build in ``dashboard_dir`` (default: the package's) at ``/``.
    """
    answered = threading.Event()  # set by the first answer, or as the application stops
    stopping = threading.Event()

    def warm_up_after_first_answer(stored: Sequence[SessionRecord]) -> None:
        answered.wait(warm_up_delay)
        if not stopping.is_set():
            warm_up(service, stored)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Read before the first request: a session a request creates is not restored.
        stored = service.stored_sessions() if restore else []
        threading.Thread(
            target=warm_up_after_first_answer, args=(stored,), name="warm-up", daemon=True
        ).start()
        try:
            async with system.monitoring(_app):  # the event loop's lag, sampled while serving
                yield
        finally:
            stopping.set()
            answered.set()
            service.shutdown()

    app = FastAPI(
        title="paperbroker",
        version=paperbroker.__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        # Clients such as alpaca-py never follow redirects: /v1/sessions/ is a 404, not a 307.
        redirect_slashes=False,
        docs_url=None,  # docs.install serves /docs and /redoc, offline
        redoc_url=None,
    )
    app.state.paperbroker = ApiContext(service=service, keys=keys)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(FirstAnswer, answered=answered)
    install_error_handlers(app)
    docs.install(app)
    for module in (sessions, session_lifecycle, session_keys, accounts, trading, assets, paper):
        app.include_router(module.router)
    app.include_router(live.router)  # /api/live-trading
    app.include_router(live.credentials_router)  # /v1/broker-credentials
    app.include_router(session_metrics.router)
    app.include_router(reports.router)  # /v1/sessions/{id}/report, /v1/compare, …/divergence
    app.include_router(ab_tests.router)
    app.include_router(risk.router)
    app.include_router(checkpoints.router)
    app.include_router(reconcile.router)  # /v1/sessions/{id}/reconciliations
    app.include_router(agents.router)
    app.include_router(catalog.strategies_router)
    app.include_router(catalog.presets_router)
    app.include_router(agents.system_router)
    app.include_router(history.router)  # /v1/history, a session's summary and trades
    app.include_router(session_copies.router)  # rerun, clone, promote
    app.include_router(templates.router)  # /v1/templates
    alpaca.install(app)
    events.install(app, service, keys, settings=event_settings)  # /ws and /api/activity
    system.install(app, service)  # /api/system, after the event hub; counts 5xx answers
    sweeps.install(app, service, resume=restore)  # /v1/sweeps: parameter sweeps
    dashboard.install(app, dashboard_dir)  # / and what no route answers: the web dashboard
    check_routes(app)  # every route declares who may call it, or nothing is served
    contract.install(app)  # the OpenAPI document: who may call what, and every error
    return app


def warm_up(service: SessionService, stored: Sequence[SessionRecord]) -> None:
    """What a client would otherwise wait for, done once the server answers: read the
    market data, restore the ``stored`` sessions, build the exchange calendar (a
    second or two).

    One thread does it all, one thing after the other: work in parallel threads
    would only take turns on the interpreter, and delay the server's answers more.
    """
    try:
        service.market.preload()
    except PaperbrokerError:
        log.exception("the market data did not load; requests that need it fail until it does")
    service.restore_all(stored)
    xnys()


class FirstAnswer:
    """ASGI middleware: sets ``answered`` once the application has answered a request.

    Until then the server's warm-up waits, so that it does not compete with
    the first request for the interpreter (and delay the answer a restart is
    waited on).
    """

    def __init__(self, app: ASGIApp, answered: threading.Event) -> None:
        self.app = app
        self.answered = answered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.answered.is_set():
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.answered.set()


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is a 413 (in the API's JSON).

    A declared ``Content-Length`` over the limit is answered before the body
    is read; a chunked body is cut off as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = HTTPException(413, f"request body is larger than {self.max_bytes} bytes")
        declared = Headers(scope=scope).get("content-length", "")
        # A route that reads no body answers as usual, whatever the header says.
        declared_too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared_too_large:
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)
