"""Tortoise configuration and migration commands, shared by the app and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as _migrate

# What SQLite's write-ahead log keeps of its file after a checkpoint (64 MiB).
WAL_KEPT_BYTES = 64 * 1024 * 1024

MODELS = [
    "models.accounts",
    "models.events",
    "models.poker",
    "models.poker_workspace",
    "models.orgs",
    "models.boards",
    "models.notifications",
    "models.integrations",
    "models.jobs",
    "models.webhooks",
    "models.automations",
    "models.pilotage",
    "models.documents",
    "models.agents",
    "models.wizard",
]


async def _reset(conn: Any) -> None:
    """What a pooled PostgreSQL connection needs before its next use. asyncpg's default
    sends `RESET ALL`, `CLOSE ALL`, `UNLISTEN *` and more on every release, a round
    trip per transaction; the application sets no session state, opens no cursors
    across transactions and listens on nothing, so only a connection left inside a
    transaction (a cancelled task) gets the full reset."""
    if conn.is_in_transaction():
        await conn.reset()


def tortoise_config(database_url: str) -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    expanded = expand_db_url(database_url)
    if expanded["engine"] == "tortoise.backends.sqlite":
        path = expanded["credentials"]["file_path"]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL with synchronous=NORMAL: a commit is durable once SQLite has written it to
        # the log, without an fsync each time; see docs/decisions.md. A URL may say
        # otherwise (`?synchronous=FULL`).
        expanded["credentials"].setdefault("synchronous", "NORMAL")
        # After a checkpoint, the log keeps up to this much of its file to write over
        # (Tortoise's default cuts it to 16 KB, so every write past that grew the file
        # again, block by block); see docs/decisions.md.
        if "journal_size_limit" not in parse_qs(urlsplit(database_url).query):
            expanded["credentials"]["journal_size_limit"] = WAL_KEPT_BYTES
        # Write transactions take the lock when they begin: see services/sqlite_engine.py.
        expanded["engine"] = "services.sqlite_engine"
        connection = expanded
    elif expanded["engine"] == "tortoise.backends.asyncpg":
        expanded["credentials"]["reset"] = _reset
        connection = expanded
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODELS,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str) -> None:
    """Apply every committed migration that the database has not seen yet."""
    try:
        await _migrate(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


# For the `tortoise` command line (`make migrations`).
TORTOISE_ORM = tortoise_config("sqlite://data/roundtable.sqlite3")
