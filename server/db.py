"""Tortoise configuration and migration commands, shared by the app and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as _migrate

MODELS = [
    "models.accounts",
    "models.events",
    "models.poker",
    "models.orgs",
    "models.boards",
    "models.notifications",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite://"):
        path = database_url.removeprefix("sqlite://")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": database_url},
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
