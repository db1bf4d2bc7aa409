"""What ``/ws`` checks before it says anything: the browser origin and the key in the headers.

**Origin.** A browser sends ``Origin`` with every websocket handshake, and
any page may open a websocket to any server: without this check, a page
on another site could use the cookies or the network position of a
visitor. An ``Origin`` must therefore be the server's own (the scheme,
host and port the request came to: ``http`` for ``ws``, ``https`` for
``wss``, the ``Host`` header) or one of the allowed origins. A client that
is not a browser sends no ``Origin`` and is let through; it still needs a key.

**Key.** As for the REST API: ``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY``,
or ``Authorization: Basic base64(key_id:secret)``. A key sent any other way
(a query string ends up in access logs) is not read. uvicorn logs no
header, but at ``DEBUG`` the websocket library under it logs every one, and
every frame: :class:`RedactKeys` takes the keys out.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Collection
from typing import Final, NamedTuple
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from paperbroker.api.auth import KEY_ID_HEADER, SECRET_HEADER

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_WEB_SCHEME: Final = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


class Origin(NamedTuple):
    """A web origin, normalized: lower-case scheme and host, the port always given."""

    scheme: str
    host: str
    port: int


def parse_origin(text: str) -> Origin | None:
    """``https://Example.com`` → ``Origin("https", "example.com", 443)``; ``None`` if it is
    not an http(s) origin (``null``, a path, a user name, …)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return Origin(scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme])


def server_origin(scheme: str, host: str) -> Origin | None:
    """The origin of the server a request reached (``scheme`` ``ws``/``wss``, its ``Host``)."""
    web = _WEB_SCHEME.get(scheme.lower())
    return None if web is None or not host else parse_origin(f"{web}://{host}")


def origin_allowed(headers: Headers, scheme: str, allowed: Collection[str] = ()) -> bool:
    """Whether the handshake's ``Origin`` (if any) may connect: none, the server's own,
    or one of ``allowed``."""
    sent = headers.get("origin")
    if sent is None:
        return True  # not a browser
    origin = parse_origin(sent)
    if origin is None:
        return False
    if origin == server_origin(scheme, headers.get("host", "")):
        return True
    return origin in {parse_origin(text) for text in allowed} - {None}


class Credentials(NamedTuple):
    key_id: str
    secret: str


#: Headers that carry a key, but not one that can be read: refuse, do not wait for more.
MALFORMED: Final = Credentials("", "")


def header_credentials(headers: Headers) -> Credentials | None:
    """The key in the handshake's headers: APCA headers, else HTTP Basic.

    ``None`` when there is none (the client may send it in its first
    message); :data:`MALFORMED` when a header is there but unusable (half of
    the APCA pair, another ``Authorization`` scheme, bad Base64).
    """
    key_id, secret = headers.get(KEY_ID_HEADER), headers.get(SECRET_HEADER)
    if key_id is not None or secret is not None:
        if not key_id or not secret:
            return MALFORMED
        return Credentials(key_id, secret)
    authorization = headers.get("authorization")
    if authorization is None:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return MALFORMED
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return MALFORMED
    user, colon, password = decoded.partition(":")
    return Credentials(user, password) if colon and user and password else MALFORMED


#: Headers whose value is (part of) a key.
_SECRET_HEADERS: Final = frozenset({KEY_ID_HEADER.lower(), SECRET_HEADER.lower(), "authorization"})
#: Frames a client sends, as the websocket library logs them (the first may hold a key).
_CLIENT_FRAMES: Final = ("< TEXT", "< BINARY", "< CONT")


class RedactKeys(logging.Filter):
    """Keeps keys out of the websocket library's debug log of handshakes and frames.

    At ``DEBUG`` the library uvicorn uses logs every handshake header
    (``< apca-api-secret-key: …``) and every frame a client sends (the
    first may be ``{"action": "auth", …}``). Header values that are keys are
    replaced, and client frames are logged without their content.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg == "< %s: %s" and isinstance(args, tuple) and len(args) == 2:
            if str(args[0]).lower() in _SECRET_HEADERS:
                record.args = (args[0], "[redacted]")
        elif record.msg == "< %s" and isinstance(args, tuple) and len(args) == 1:
            text = f"< {args[0]}"
            if text.startswith(_CLIENT_FRAMES):
                size = text[text.rfind(" [") :] if text.endswith("bytes]") else ""
                record.args = (f"{text.split(' ', 2)[1]} [content not logged]{size}",)
        return True


#: The loggers the websocket library writes to under uvicorn, and its own.
WEBSOCKET_LOGGERS: Final = ("uvicorn.error", "websockets.server")


def redact_websocket_logs() -> None:
    """Put :class:`RedactKeys` on :data:`WEBSOCKET_LOGGERS` (once)."""
    for name in WEBSOCKET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactKeys) for f in logger.filters):
            logger.addFilter(RedactKeys())
