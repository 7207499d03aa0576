"""The committed migrations describe the models exactly."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

# Runs in its own process: the autodetector needs a Tortoise context of its own.
_DETECT = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from server.db import tortoise_config

async def main():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    print(" ".join(w.name for w in writers) or "none")

asyncio.run(main())
"""


def test_models_have_no_changes_without_a_migration() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _DETECT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none", "models changed: run `make migrations` and commit"
