"""Settings: read from PAPERBROKER_* and .env at start-up, unsafe values refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import paperbroker.settings
import paperbroker.store
from paperbroker.core.errors import OperationalError
from paperbroker.settings import Settings, SettingsError, is_loopback, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(Settings.model_fields):
        monkeypatch.delenv(f"PAPERBROKER_{name.upper()}", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory


def test_defaults_are_safe() -> None:
    settings = load_settings(env_file=None)
    assert settings.database_url == "sqlite:///./paperbroker.db"
    assert settings.sqlite_synchronous == "FULL"
    assert (settings.host, settings.port, settings.allow_remote) == ("127.0.0.1", 5000, False)
    assert settings.log_level == "INFO"


def test_environment_wins_over_env_file_and_overrides_win_over_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("PAPERBROKER_PORT=6001\nPAPERBROKER_LOG_LEVEL=debug\n")
    assert load_settings(env_file=env_file).port == 6001
    monkeypatch.setenv("PAPERBROKER_PORT", "6002")
    settings = load_settings(env_file=env_file)
    assert (settings.port, settings.log_level) == (6002, "DEBUG")
    assert load_settings(env_file=env_file, port=6003).port == 6003


def test_dot_env_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PAPERBROKER_SQLITE_SYNCHRONOUS=extra\n")
    assert load_settings().sqlite_synchronous == "EXTRA"


def test_settings_are_frozen() -> None:
    settings = load_settings(env_file=None)
    with pytest.raises(ValidationError):
        settings.port = 1


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_a_non_loopback_host_needs_allow_remote(host: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None, host=host)
    message = str(caught.value)
    assert "\n" not in message
    assert "PAPERBROKER_HOST" in message
    assert "PAPERBROKER_ALLOW_REMOTE=true" in message
    assert load_settings(env_file=None, host=host, allow_remote=True).host == host


def test_allow_remote_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBROKER_HOST", "0.0.0.0")
    with pytest.raises(SettingsError):
        load_settings(env_file=None)
    monkeypatch.setenv("PAPERBROKER_ALLOW_REMOTE", "true")
    assert load_settings(env_file=None).allow_remote


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert is_loopback(host)
    assert load_settings(env_file=None, host=host).host == host


@pytest.mark.parametrize(
    ("field", "value", "setting"),
    [
        ("sqlite_synchronous", "OFF", "PAPERBROKER_SQLITE_SYNCHRONOUS"),
        ("sqlite_synchronous", "2", "PAPERBROKER_SQLITE_SYNCHRONOUS"),
        ("port", "0", "PAPERBROKER_PORT"),
        ("port", "70000", "PAPERBROKER_PORT"),
        ("port", "http", "PAPERBROKER_PORT"),
        ("log_level", "LOUD", "PAPERBROKER_LOG_LEVEL"),
        ("allow_remote", "maybe", "PAPERBROKER_ALLOW_REMOTE"),
        ("database_url", "mysql://u@h/db", "PAPERBROKER_DATABASE_URL"),
        ("database_url", "sqlite:///:memory:", "PAPERBROKER_DATABASE_URL"),
        ("host", "  ", "PAPERBROKER_HOST"),
    ],
)
def test_invalid_values_are_refused_in_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str, setting: str
) -> None:
    monkeypatch.setenv(setting, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    assert isinstance(caught.value, OperationalError)
    assert str(caught.value).startswith(f"invalid setting {setting}:")
    assert "\n" not in str(caught.value)


def test_a_database_password_is_not_echoed() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None, database_url="mysql://user:hunter2@db/x")
    assert "hunter2" not in str(caught.value)


def test_postgres_urls_and_lower_case_levels_are_accepted() -> None:
    settings = load_settings(
        env_file=None,
        database_url="postgresql://pb@127.0.0.1:5432/pb",
        sqlite_synchronous="normal",
    )
    assert settings.sqlite_synchronous == "NORMAL"


def test_no_settings_are_built_at_import_time() -> None:
    for module in (paperbroker.settings, paperbroker.store):
        assert not any(isinstance(value, Settings) for value in vars(module).values())


def test_allowed_origins_are_a_checked_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "PAPERBROKER_ALLOWED_ORIGINS",
        "http://localhost:5173, https://[::1]:8080, https://d.example/",
    )
    assert load_settings(env_file=None).origins == (
        "http://localhost:5173", "https://[::1]:8080", "https://d.example",
    )  # fmt: skip
    assert load_settings(env_file=None, allowed_origins="").origins == ()
    for bad in ("javascript:alert(1)", "http://a b", "ftp://files", "https://x/path"):
        with pytest.raises(SettingsError, match=r"PAPERBROKER_ALLOWED_ORIGINS.*scheme://host"):
            load_settings(env_file=None, allowed_origins=bad)
