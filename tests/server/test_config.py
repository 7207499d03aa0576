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
    for name in ("LOG_FORMAT", "SOCKET_RECHECK_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_log_format_is_json_or_console(env: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().log_format is None  # chosen by whether stdout is a terminal
    env.setenv("LOG_FORMAT", "console")
    assert Settings.from_env().log_format == "console"
    env.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SystemExit, match="LOG_FORMAT"):
        Settings.from_env()


@pytest.mark.parametrize("bad", ["soon", "0", "-1", "7200"])
def test_the_socket_recheck_is_a_sane_number_of_seconds(env: pytest.MonkeyPatch, bad: str) -> None:
    assert Settings.from_env().socket_recheck_seconds == 10.0
    env.setenv("SOCKET_RECHECK_SECONDS", "2.5")
    assert Settings.from_env().socket_recheck_seconds == 2.5
    env.setenv("SOCKET_RECHECK_SECONDS", bad)
    with pytest.raises(SystemExit, match="SOCKET_RECHECK_SECONDS"):
        Settings.from_env()
