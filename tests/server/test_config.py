"""Settings read from the environment: each bad value stops the server with its name."""

from __future__ import annotations

from typing import Any

import pytest

from server.config import Settings
from tests.conftest import TEST_SECRET


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("ROUNDTABLE_DATA_DIR", str(tmp_path))
    for name in ("LOG_FORMAT", "SOCKET_RECHECK_SECONDS", "HTTP_KEEPALIVE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_log_format_is_json_or_console(env: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().log_format is None  # chosen by whether stdout is a terminal
    env.setenv("LOG_FORMAT", "console")
    assert Settings.from_env().log_format == "console"
    env.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SystemExit, match="LOG_FORMAT"):
        Settings.from_env()


# Each setting in seconds: its name, its default, a value set and what it is read as.
# The keep-alive outlasts nginx's upstream keepalive_timeout (60 s), so the proxy closes
# an idle connection first; it is whole seconds.
SECONDS_SETTINGS = [
    ("SOCKET_RECHECK_SECONDS", "socket_recheck_seconds", 10.0, "2.5", 2.5),
    ("HTTP_KEEPALIVE_SECONDS", "http_keepalive_seconds", 75, "2.5", 3),
]


@pytest.mark.parametrize("bad", ["soon", "0", "-1", "7200"])
@pytest.mark.parametrize(("name", "field", "default", "text", "value"), SECONDS_SETTINGS)
def test_a_setting_in_seconds_has_its_default_and_refuses_nonsense(
    env: pytest.MonkeyPatch, bad: str, name: str, field: str, default: Any, text: str, value: Any
) -> None:
    assert getattr(Settings.from_env(), field) == default
    env.setenv(name, text)
    assert getattr(Settings.from_env(), field) == value
    env.setenv(name, bad)
    with pytest.raises(SystemExit, match=name):
        Settings.from_env()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3600", 3600), ("90s", 90), ("30m", 1800), ("1h", 3600), ("7d", 604800), ("2w", 1209600)],
)
def test_jwt_expires_in_takes_seconds_or_a_unit(
    env: pytest.MonkeyPatch, text: str, seconds: int
) -> None:
    env.delenv("JWT_TTL_SECONDS", raising=False)
    env.delenv("JWT_EXPIRES_IN", raising=False)
    assert Settings.from_env().jwt_ttl_seconds == 7 * 86400
    env.setenv("JWT_EXPIRES_IN", text)
    assert Settings.from_env().jwt_ttl_seconds == seconds


@pytest.mark.parametrize("bad", ["soon", "1.5h", "0", "-1h", "1y", "h", "400d"])
def test_a_bad_jwt_expires_in_stops_the_server(env: pytest.MonkeyPatch, bad: str) -> None:
    env.delenv("JWT_TTL_SECONDS", raising=False)
    env.setenv("JWT_EXPIRES_IN", bad)
    with pytest.raises(SystemExit, match="JWT_EXPIRES_IN"):
        Settings.from_env()


def test_jwt_ttl_seconds_still_works_and_must_agree(env: pytest.MonkeyPatch) -> None:
    env.delenv("JWT_EXPIRES_IN", raising=False)
    env.setenv("JWT_TTL_SECONDS", "7200")
    assert Settings.from_env().jwt_ttl_seconds == 7200
    env.setenv("JWT_EXPIRES_IN", "2h")
    assert Settings.from_env().jwt_ttl_seconds == 7200
    env.setenv("JWT_EXPIRES_IN", "1h")
    with pytest.raises(SystemExit, match="disagree"):
        Settings.from_env()


def test_the_help_lists_jwt_expires_in(capsys: pytest.CaptureFixture[str]) -> None:
    from server.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert "JWT_EXPIRES_IN" in capsys.readouterr().out


def test_history_retention_is_a_duration(env: pytest.MonkeyPatch) -> None:
    env.delenv("HISTORY_RETENTION", raising=False)
    assert Settings.from_env().history_retention_seconds == 30 * 86400
    env.setenv("HISTORY_RETENTION", "2w")
    assert Settings.from_env().history_retention_seconds == 14 * 86400
    for bad in ("forever", "0", "400d"):
        env.setenv("HISTORY_RETENTION", bad)
        with pytest.raises(SystemExit, match="HISTORY_RETENTION"):
            Settings.from_env()
