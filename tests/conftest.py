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
    "agent_proposals",
    "agent_steps",
    "agent_missions",
    "agents",
    "project_drafts",
    "automation_due_marks",
    "automation_traces",
    "automation_rules",
    "document_versions",
    "documents",
    "pilotage_action_trail",
    "pilotage_actions",
    "pilotage_todos",
    "pilotage_missions",
    "pilotage_priorities",
    "pilotage_decisions",
    "pilotage_docs",
    "webhook_deliveries",
    "webhooks",
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
    "jobs",
    "job_secrets",
    "story_imports",
    "story_links",
    "room_templates",
    "poker_workspaces",
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


_EMPTYING: dict[str, str] = {}


async def _emptying_script(database: str) -> str:
    """Deletes every row, children first. On PostgreSQL it also starts the sequences
    again, as TRUNCATE … RESTART IDENTITY would: a TRUNCATE of every table costs about
    a tenth of a second, a test's whole budget, where these DELETEs cost a millisecond."""
    script = _EMPTYING.get(database)
    if script is None:
        statements = [f"DELETE FROM {t}" for t in TABLES]
        if database.startswith("postgres"):
            conn = connections.get("default")
            _, rows = await conn.execute_query(
                "SELECT relname FROM pg_class WHERE relkind = 'S' "
                "AND relname <> 'tortoise_migrations_id_seq'"
            )
            statements += [f"SELECT setval('{r['relname']}', 1, false)" for r in rows]
        script = _EMPTYING[database] = ";".join(statements)
    return script


@pytest.fixture
async def db(database: str) -> str:
    """An empty database for one test."""
    await connections.get("default").execute_script(await _emptying_script(database))
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
    """A case that exists on one stack only is deselected on the other rather than
    skipped: cross-process delivery needs Redis pub/sub, which only the PostgreSQL stack
    runs; a `sqlite_only` case (SQLite's shared commit, a server of its own on a file of
    its own) has no PostgreSQL variant, and a `postgres_only` one (row locks and
    snapshots between connections) no SQLite one."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        params = getattr(item, "callspec", None)
        database = params.params.get("database") if params is not None else None
        not_a_case = (
            database == "sqlite"
            and (
                item.get_closest_marker("cross_process") or item.get_closest_marker("postgres_only")
            )
        ) or (database == "postgres" and item.get_closest_marker("sqlite_only"))
        (drop if not_a_case else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SKIPPED:
        terminalreporter.section("suites skipped for missing services")
        for service, reason in sorted(SKIPPED.items()):
            terminalreporter.write_line(f"{service}: {reason}")
