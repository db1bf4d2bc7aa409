"""A live session's broker settings: which broker, which endpoint, which stored credentials.

:class:`BrokerSettings` is the one schema of a live session's ``broker``: the
API reads requests with it, the command line builds it, the session stores it
(``SessionSpec.broker``, JSON), the docs and the dashboard's types show it.
It never holds a secret: ``credentials_id`` names a credential kept encrypted
by :class:`~paperbroker.broker.credentials.CredentialStore` (or ``"server"``,
the server's own Alpaca keys).

``endpoint`` chooses where orders go: ``paper`` (Alpaca's paper trading),
``live`` (Alpaca's live trading: **real money**) or ``custom`` (any server
that speaks Alpaca's trading API at ``base_url``; a second paperbroker server,
say). A custom ``base_url`` on Alpaca's live trading host is refused: real
money goes through ``endpoint: live`` only, so that it is always marked.

``reconcile`` says what a difference between the session's books and the
broker's does: ``adopt`` (the books take the broker's figures, journaled) or
``halt`` (the session stops trading until an operator decides). Its default
depends on the endpoint: ``halt`` for real money, ``adopt`` otherwise.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.schema_base import invalid_request

#: Where Alpaca's trading API is, by endpoint.
ALPACA_URLS: Final = {
    "paper": "https://paper-api.alpaca.markets",
    "live": "https://api.alpaca.markets",
}
#: The host of Alpaca's live (real-money) trading API.
_LIVE_HOST: Final = "api.alpaca.markets"
#: The ``credentials_id`` of the server's own keys (``PAPERBROKER_ALPACA_KEY_ID``/``…_SECRET_KEY``).
SERVER_CREDENTIALS: Final = "server"
_URL: Final = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

Endpoint = Literal["paper", "live", "custom"]
Policy = Literal["adopt", "halt"]


class ReconcileSettings(BaseModel):
    """How a live session's books are checked against the broker's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: Policy = Field(
        "adopt",
        description="What a difference does: `adopt` the broker's figures (journaled), or "
        "`halt` trading until an operator decides. Default: `halt` on the `live` endpoint "
        "(real money), `adopt` on the others.",
    )
    interval_seconds: int = Field(
        60, ge=5, le=86_400, description="Seconds between two checks while the session runs."
    )


class BrokerSettings(BaseModel):
    """A live session's broker (see the module doc): never a secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["alpaca"] = Field("alpaca", description="The broker: `alpaca`.")
    endpoint: Endpoint = Field(
        "paper",
        description="`paper` (Alpaca paper trading), `live` (Alpaca live trading: real "
        "money, needs `confirm_real_money`) or `custom` (a server speaking Alpaca's "
        "trading API at `base_url`).",
    )
    base_url: str | None = Field(
        None,
        max_length=300,
        examples=["http://127.0.0.1:5001"],
        validate_default=True,
        description="The trading API's URL (http or https): required for `custom`, not "
        "allowed otherwise.",
    )
    credentials_id: str = Field(
        min_length=1,
        max_length=64,
        examples=["0b5e2f7a-3c1d-4e8f-9a6b-2d4c6e8f0a1b", "server"],
        description="A stored credential's id (`POST /v1/broker-credentials`), or `server` "
        "for the server's own Alpaca keys.",
    )
    reconcile: ReconcileSettings = Field(
        default_factory=lambda: ReconcileSettings.model_validate({}),
        description="How the books are checked against the broker's.",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_policy(cls, values: Any) -> Any:
        """The reconciliation policy by default: ``halt`` for real money, ``adopt`` otherwise."""
        if not isinstance(values, dict):
            return values
        reconcile = values.get("reconcile")
        if reconcile is None:
            reconcile = {}
        if isinstance(reconcile, dict) and "policy" not in reconcile:
            policy = "halt" if values.get("endpoint") == "live" else "adopt"
            values = {**values, "reconcile": {**reconcile, "policy": policy}}
        return values

    @field_validator("credentials_id")
    @classmethod
    def _credential_reference(cls, value: str) -> str:
        if value == SERVER_CREDENTIALS:
            return value
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise PydanticCustomError(
                "credentials_id", f"must be a stored credential's id or 'server', got {value!r}"
            ) from None

    @field_validator("base_url")
    @classmethod
    def _url_fits_endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        endpoint = info.data.get("endpoint")
        if endpoint is None:  # the endpoint is invalid: that is the error
            return value
        if value is None:
            if endpoint == "custom":
                raise PydanticCustomError("base_url", "required for the custom endpoint")
            return None
        if endpoint != "custom":
            raise PydanticCustomError(
                "base_url", "only for the custom endpoint, not {endpoint}", {"endpoint": endpoint}
            )
        if not _URL.fullmatch(value):
            raise PydanticCustomError("base_url", f"must be an http(s) URL, got {value!r}")
        if (urlsplit(value).hostname or "").lower() == _LIVE_HOST:
            raise PydanticCustomError(
                "base_url", "is Alpaca's live trading API: use endpoint live (real money)"
            )
        return value.rstrip("/")

    # -- reading ---------------------------------------------------------------------
    @classmethod
    def read(cls, value: object, root: str = "broker") -> BrokerSettings:
        """``value`` (JSON: a mapping) read as settings.

        Raises:
            InvalidRequest: naming the path of what is wrong, e.g.
                ``broker.reconcile.interval_seconds: ...``.
        """
        if isinstance(value, BrokerSettings):
            return value
        if value is None:
            raise InvalidRequest(f"{root}: required")
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise invalid_request(error, root) from None

    @classmethod
    def of_choice(cls, choice: str, credentials_id: str, **others: Any) -> BrokerSettings:
        """Settings from a command line's ``--broker``: ``alpaca-paper``, ``alpaca-live``
        or a URL (the custom endpoint).

        Raises:
            InvalidRequest: for anything else, or invalid settings.
        """
        named = {"alpaca-paper": "paper", "alpaca-live": "live"}
        if choice in named:
            values: dict[str, Any] = {"endpoint": named[choice]}
        elif choice.startswith(("http://", "https://")):
            values = {"endpoint": "custom", "base_url": choice}
        else:
            raise InvalidRequest(
                f"--broker: one of alpaca-paper, alpaca-live or an http(s) URL, got {choice!r}"
            )
        return cls.read({**values, "credentials_id": credentials_id, **others})

    def to_json(self) -> dict[str, Any]:
        """The settings as a session stores them (every default written out)."""
        return self.model_dump(mode="json")

    # -- what they mean ----------------------------------------------------------------
    @property
    def real_money(self) -> bool:
        """Whether orders go to a real-money account (the ``live`` endpoint)."""
        return self.endpoint == "live"

    @property
    def url(self) -> str:
        """The trading API's base URL."""
        return self.base_url if self.base_url is not None else ALPACA_URLS[self.endpoint]

    @property
    def name(self) -> str:
        """How operators see the broker: ``alpaca-paper``, ``alpaca-live`` or ``alpaca-custom``."""
        return f"{self.type}-{self.endpoint}"


__all__ = ["ALPACA_URLS", "SERVER_CREDENTIALS", "BrokerSettings", "ReconcileSettings"]
