"""Fixtures shared by every suite: the database on both backends and the ASGI client."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from server.config import Settings
from server.db import migrate, tortoise_config
from services import security
from tests.support import PG_URL, SKIPPED, require

TEST_SECRET = "test-secret-key-" + "x" * 32
security.configure(secret_key=TEST_SECRET, jwt_ttl_seconds=3600)

TABLES = [
    "notifications",
    "card_relations",
    "custom_field_values",
    "custom_fields",
    "card_labels",
    "labels",
    "attachments",
    "comments",
    "checklist_items",
    "cards",
    "columns",
    "scopes",
    "project_members",
    "projects",
    "invitations",
    "workspace_members",
    "workspaces",
    "org_members",
    "organizations",
    "votes",
    "stories",
    "participants",
    "poker_sessions",
    "folders",
    "api_tokens",
    "room_events",
    "rooms",
    "users",
]


async def _create_pg_database() -> tuple[str, str]:
    name = "rt_test_" + secrets.token_hex(4)
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, PG_URL.rsplit("/", 1)[0] + "/" + name


async def _drop_pg_database(name: str) -> None:
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path_factory: Any) -> AsyncIterator[str]:
    """A freshly migrated database, once per backend per test run."""
    pg_name = None
    if request.param == "postgres":
        require("postgres")
        pg_name, url = await _create_pg_database()
    else:
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite://{path}"
    await migrate(url)
    # Tortoise caches each model's SQL per connection name, and both backends are
    # called "default": without this, PostgreSQL would get SQLite's placeholders.
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=tortoise_config(url))
    try:
        yield url
    finally:
        await Tortoise.close_connections()
        if pg_name:
            await _drop_pg_database(pg_name)


@pytest.fixture
async def db(database: str) -> str:
    """An empty database for one test."""
    conn = connections.get("default")
    if database.startswith("postgres"):
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script(";".join(f"DELETE FROM {t}" for t in TABLES))
    return database


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "allowed_origins": ["http://testserver"],
        "rate_limit": "100000/minute",
        "register_rate_limit": "100000/hour",
        "jwt_ttl_seconds": 3600,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """Card attachments stored under this test's own directory."""
    from services.boards import attachments

    before = attachments.directory()
    folder = tmp_path / "attachments"
    folder.mkdir()
    attachments.configure(folder)
    try:
        yield folder
    finally:
        attachments.configure(before)


@pytest.fixture(scope="session")
def app(database: str) -> Any:
    from server.app import create_app

    return create_app(settings_for(database), manage_db=False)


@pytest.fixture
async def client(app: Any, db: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """Cross-process delivery needs Redis pub/sub, which only the PostgreSQL stack runs;
    its SQLite variant is not a case at all, so it is deselected rather than skipped."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        on_sqlite = params is not None and params.params.get("database") == "sqlite"
        (drop if on_sqlite and item.get_closest_marker("cross_process") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SKIPPED:
        terminalreporter.section("suites skipped for missing services")
        for service, reason in sorted(SKIPPED.items()):
            terminalreporter.write_line(f"{service}: {reason}")
