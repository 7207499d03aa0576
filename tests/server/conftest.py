"""The REST suite's app: sign-ups are not limited here, as requests are not (RATE_LIMIT
in tests/conftest.py); the register limit has its own tests with their own app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import settings_for


@pytest.fixture(scope="session")
def app(database: str) -> Any:
    from server.app import create_app

    return create_app(settings_for(database, register_rate_limit="100000/hour"), manage_db=False)
