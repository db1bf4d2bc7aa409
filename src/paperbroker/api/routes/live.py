"""``/api/live-trading`` and ``/v1/broker-credentials``: live sessions and the credentials
they trade with.

A live session is a paper session whose orders a broker fills (docs/live.md):
it is created here around a strategy or a pipeline, on a feed, with its
broker's settings (:class:`~paperbroker.broker.settings.BrokerSettings`,
never a secret); the ``/v1`` verbs (pause, resume, stop, kill) steer it
like any other session. A credential is added once, encrypted at rest, and
never answered back: what is shown of it is its id, label, broker, the last
four characters of its key id and when it was added.

Only a key of its own may call these routes: a key bound to a session (a
bot's) can neither create sessions nor see credentials (403).
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Path, status
from pydantic import AfterValidator, Field, PlainValidator, SecretStr, WithJsonSchema

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath, _uuid_or_404
from paperbroker.api.formats import time_text
from paperbroker.api.responses import InvalidFieldBody, ResponseModel
from paperbroker.api.risk_fields import fields_named
from paperbroker.api.routes import SESSION_RULES
from paperbroker.api.routes.paper import FedSessionCreate, PaperSessionPublic, session_of_type
from paperbroker.api.schemas import PrintableText, RequestModel
from paperbroker.broker.credentials import CredentialRecord
from paperbroker.broker.settings import BrokerSettings
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import SessionView

router = APIRouter(prefix="/api/live-trading", tags=["live trading"])
credentials_router = APIRouter(prefix="/v1/broker-credentials", tags=["broker credentials"])

#: What creating a live session refuses beyond its schema.
LIVE_RULES: Final = (
    *SESSION_RULES,
    "confirm_real_money is true for the `live` endpoint (real money)",
    "broker.credentials_id is a credential of the caller's (or `server`, when the server "
    "has Alpaca keys), which the broker accepts",
    "broker.base_url is given for the `custom` endpoint only, and is not Alpaca's live host",
)
_NO_CREDENTIAL_STORE: Final = "The server has no secret key: it keeps no broker credentials."


def _broker(value: object) -> BrokerSettings:
    with fields_named():
        return BrokerSettings.read(value, "broker")


#: A live session's broker settings in a request; an error is a 422 naming its path.
BrokerChoice = Annotated[
    BrokerSettings, PlainValidator(_broker, json_schema_input_type=BrokerSettings)
]


class LiveSessionCreate(FedSessionCreate):
    """Body of ``POST /api/live-trading/sessions``."""

    broker: BrokerChoice = Field(
        description="The broker, its endpoint and the credential it trades with (docs/live.md)."
    )
    confirm_real_money: bool = Field(
        default=False,
        description="Must be true to create a session on the `live` endpoint: it trades "
        "real money.",
    )


class LiveSessionPublic(PaperSessionPublic):
    """A live session: the session (with its `broker` and `real_money`), its symbols and its
    feed's health. ``status`` is the lifecycle state, as on ``/api/paper-trading``."""

    @classmethod
    def of_live(cls, view: SessionView, service: SessionService, owner: str) -> LiveSessionPublic:
        return cls(**PaperSessionPublic.of_paper(view, service, owner).model_dump())


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    operation_id="createLiveSession",
    summary="Create and start a live session",
    responses=answers(
        {
            409: _NO_CREDENTIAL_STORE,
            503: "The broker could not be reached (nothing was created); try again.",
        },
        rules=LIVE_RULES,
        body=InvalidFieldBody,
    ),
)
def create(body: LiveSessionCreate, caller: Owner, service: Service) -> LiveSessionPublic:
    """The session runs at once (``running``): its feed starts, and its broker link, which
    sends its orders to the broker and takes the broker's fills in. Its initial cash is
    the broker account's cash, read now. On the `live` endpoint it trades **real money**:
    the request must say so (``confirm_real_money``), and the session shows
    ``real_money: true`` wherever it is shown. A 422's ``field`` names what is wrong
    (``broker.credentials_id``, ``confirm_real_money``, ``strategy.params.fast``).
    """
    body.check_strategy()
    with fields_named():
        view = service.create_live(
            caller.key_id, name=body.name, symbols=body.symbols, pipeline=body.pipeline(),
            feed=body.feed, broker=body.broker, risk=body.risk,
            confirm_real_money=body.confirm_real_money,
        )  # fmt: skip
    return LiveSessionPublic.of_live(view, service, caller.key_id)


@router.get("/sessions", operation_id="listLiveSessions", summary="List live sessions")
def list_sessions(caller: Owner, service: Service) -> list[LiveSessionPublic]:
    """The caller's live sessions, oldest first."""
    return [
        LiveSessionPublic.of_live(view, service, caller.key_id)
        for view in service.live_sessions(caller.key_id)
    ]


@router.get("/sessions/{sessionId}", operation_id="getLiveSession", summary="Read a live session")
def get_session(session_id: SessionIdPath, caller: Owner, service: Service) -> LiveSessionPublic:
    return LiveSessionPublic.of_live(
        session_of_type(service, caller.key_id, session_id, "live"), service, caller.key_id
    )


# -- credentials -----------------------------------------------------------------------------
_PRINTABLE_ASCII: Final = re.compile(r"[\x20-\x7e]{1,256}")


def _secret(value: SecretStr) -> SecretStr:
    if not _PRINTABLE_ASCII.fullmatch(value.get_secret_value()):
        raise ValueError("must be 1 to 256 printable ASCII characters")  # never the value
    return value


#: A secret in a request: checked without ever being repeated, kept out of ``repr``.
SecretKey = Annotated[
    SecretStr,
    AfterValidator(_secret),
    WithJsonSchema(
        {"type": "string", "format": "password", "writeOnly": True, "minLength": 1,
         "maxLength": 256, "pattern": r"^[\x20-\x7e]+$"}
    ),
]  # fmt: skip


class BrokerCredentialCreate(RequestModel):
    """Body of ``POST /v1/broker-credentials``: the secret is kept encrypted, never shown."""

    label: PrintableText = Field(min_length=1, max_length=200, examples=["alpaca paper"])
    broker: Literal["alpaca"] = Field(default="alpaca", description="The broker: `alpaca`.")
    key_id: str = Field(
        min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$", examples=["PKTEST1234"],
        description="The broker's API key id.",
    )  # fmt: skip
    secret_key: SecretKey = Field(
        description="The broker's secret key: stored encrypted, never answered back.",
    )


class BrokerCredentialPublic(ResponseModel):
    """A stored broker credential, as it may be shown: never its secret."""

    id: str
    label: str
    broker: str
    key_hint: str = Field(description="The last four characters of the key id.")
    created_at: str

    @classmethod
    def of(cls, record: CredentialRecord) -> BrokerCredentialPublic:
        return cls(
            id=record.id, label=record.label, broker=record.broker, key_hint=record.key_hint,
            created_at=time_text(record.created_at),
        )  # fmt: skip


def _credential_path(
    credential_id: Annotated[str, Path(alias="credentialId", description="The credential's id.")],
) -> str:
    return _uuid_or_404(credential_id, "broker credential")


CredentialIdPath = Annotated[str, Depends(_credential_path)]


@credentials_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createBrokerCredential",
    summary="Add a broker credential",
    responses=answers({409: _NO_CREDENTIAL_STORE}),
)
def create_credential(
    body: BrokerCredentialCreate, caller: Owner, service: Service
) -> BrokerCredentialPublic:
    """The key id and secret are stored encrypted with the server's secret key; the answer
    (and every later one) shows the credential's id, label, broker and ``key_hint`` only.
    A live session names it by id (``broker.credentials_id``)."""
    record = service.add_credential(
        caller.key_id, label=body.label, broker=body.broker, key_id=body.key_id,
        secret_key=body.secret_key.get_secret_value(),
    )  # fmt: skip
    return BrokerCredentialPublic.of(record)


@credentials_router.get(
    "", operation_id="listBrokerCredentials", summary="List the caller's broker credentials"
)
def list_credentials(caller: Owner, service: Service) -> list[BrokerCredentialPublic]:
    """Oldest first; never a secret."""
    return [BrokerCredentialPublic.of(r) for r in service.credentials_of(caller.key_id)]


@credentials_router.delete(
    "/{credentialId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteBrokerCredential",
    summary="Delete a broker credential",
    responses=answers({409: "A live session that has not ended trades with it: stop it first."}),
)
def delete_credential(credential_id: CredentialIdPath, caller: Owner, service: Service) -> None:
    """The credential and its ciphertext are gone; sessions that traded with it and have
    ended keep its id in their settings."""
    service.remove_credential(caller.key_id, credential_id)
