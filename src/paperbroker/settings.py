"""Server settings from the environment (``PAPERBROKER_*``) and a ``.env`` file.

Build them with :func:`load_settings` at start-up; nothing reads the
environment at import time. Values are validated then, and unsafe ones are
refused with a one-line :class:`SettingsError`: a non-loopback ``host`` needs
``PAPERBROKER_ALLOW_REMOTE=true``, SQLite ``synchronous`` may not be OFF, and
the database URL must be a SQLite file or PostgreSQL.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.store.db import normalize_database_url

ENV_PREFIX = "PAPERBROKER_"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SqliteSynchronous = Literal["NORMAL", "FULL", "EXTRA"]


class SettingsError(OperationalError):
    """The settings are invalid or unsafe; the message names the setting."""

    code = "invalid_settings"


class Settings(BaseSettings):
    """Validated, immutable server settings."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    database_url: str = "sqlite:///./paperbroker.db"
    sqlite_synchronous: SqliteSynchronous = "FULL"
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    allow_remote: bool = False
    log_level: LogLevel = "INFO"
    #: Where ``paperbroker data import`` keeps imported bars (one Parquet file per symbol).
    data_dir: Path = Path("./paperbroker-data")
    #: Where sessions' agents write their log files (one per agent).
    log_dir: Path = Path("./paperbroker-logs")
    #: Browser origins (``https://host:port``, comma-separated) allowed on ``/ws``
    #: besides the server's own, e.g. a dashboard served from elsewhere.
    allowed_origins: str = ""
    #: The web dashboard's build served at ``/`` (default: the one in the package).
    dashboard_dir: Path | None = None
    #: Seconds of wall time between checkpoints of a running paper or live session (a
    #: session's ``checkpoint_interval_seconds`` overrides it; 0: only at shutdown and
    #: on demand). See docs/recovery.md.
    checkpoint_interval_seconds: float = Field(default=30.0, ge=0)
    #: The keys of paper sessions' Alpaca market-data feed (never stored with a session).
    alpaca_key_id: SecretStr | None = None
    alpaca_secret_key: SecretStr | None = None
    #: The key broker credentials are encrypted with (a Fernet key; several, comma
    #: separated, while one is rotated). Unset: one generated when first needed, kept in
    #: ``data_dir/secret.key``, mode 0600 (``broker.credentials``).
    secret_key: SecretStr | None = None
    #: The annual risk-free rate the metrics subtract (Sharpe, Sortino, Omega, alpha) when
    #: a request does not give one; see docs/metrics.md.
    risk_free_rate: float = Field(default=0.0, gt=-1, le=1, allow_inf_nan=False)

    @field_validator("sqlite_synchronous", "log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            normalize_database_url(value)
        except InvalidRequest as exc:
            raise ValueError(str(exc)) from exc
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _valid_origins(cls, value: str) -> str:
        parse_origins(value)
        return value

    @property
    def origins(self) -> tuple[str, ...]:
        """``allowed_origins`` as a tuple."""
        return parse_origins(self.allowed_origins)

    @field_validator("host")
    @classmethod
    def _strip_host(cls, value: str) -> str:
        host = value.strip()
        if not host:
            raise ValueError("host is empty")
        return host

    @model_validator(mode="after")
    def _loopback_unless_allowed(self) -> Settings:
        if not self.allow_remote and not is_loopback(self.host):
            raise ValueError(
                f"{ENV_PREFIX}HOST={self.host} is not a loopback address; set "
                f"{ENV_PREFIX}ALLOW_REMOTE=true to accept connections from other machines"
            )
        return self


#: ``scheme://host[:port]``, the host a name, an IPv4 address or a bracketed IPv6 one.
_ORIGIN = re.compile(r"https?://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?")


def parse_origins(text: str) -> tuple[str, ...]:
    """The origins of a comma-separated list, each ``scheme://host[:port]``.

    Raises:
        ValueError: naming the first origin that is not one.
    """
    found = tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())
    for origin in found:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"{origin!r} is not scheme://host[:port]")
    return found


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read the settings: ``overrides`` win over the environment, which wins over ``env_file``.

    Raises:
        SettingsError: with one line naming the first invalid setting.
    """
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field:
        return f"invalid settings: {message}"
    return f"invalid setting {ENV_PREFIX}{field.upper()}: {message}"
