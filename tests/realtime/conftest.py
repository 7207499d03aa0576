"""A real server in a subprocess, on the suite's database, and rooms to connect to.

SQLite runs with in-process pub/sub, PostgreSQL with Redis pub/sub: between them
they cover the default set-up and the several-workers one. The test process
shares the database, so it builds users and sessions through the services.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.actors import Actor
from services.poker.stories import add_story
from tests.conftest import TEST_SECRET
from tests.factories import create_user, jwt_for, poker_room
from tests.realtime.clients import LiveServer, Tab
from tests.support import REDIS_URL, ROOT, require

START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


async def _wait_healthy(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{_read(log)}")
            try:
                if (await http.get(f"{url}/api/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server did not become healthy:\n{_read(log)}")


@pytest.fixture(scope="session")
async def live_server(database: str, tmp_path_factory: Any) -> AsyncIterator[LiveServer]:
    redis_url = None
    if database.startswith("postgres"):
        require("redis")
        redis_url = REDIS_URL
    port = _free_port()
    data_dir: Path = tmp_path_factory.mktemp("live")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "SOCKETIO_SERIALIZER", "ALLOWED_ORIGINS", "HOST", "PORT")
    }
    env.update(
        DATABASE_URL=database,
        SECRET_KEY=TEST_SECRET,
        RATE_LIMIT="100000/minute",
        REGISTER_RATE_LIMIT="100000/hour",
        ROUNDTABLE_DATA_DIR=str(data_dir),
        LOG_LEVEL="info",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            "--port",
            str(port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(url, proc, log)
        yield LiveServer(url=url, database_url=database, redis_url=redis_url, log=log)
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await asyncio.wait_for(proc.wait(), 5)


@dataclass(frozen=True)
class Room:
    code: str
    moderator: Actor
    moderator_token: str
    story_id: str


@pytest.fixture
async def room(live_server: LiveServer) -> Room:
    """A fresh session whose owner moderates it, with one story open for votes."""
    owner = await create_user(name="Mia Moderator")
    _, actor, session = await poker_room(owner, name="Sprint 7")
    story = await add_story(actor=actor, code=session["code"], title="Login page")
    return Room(
        code=session["code"], moderator=actor, moderator_token=jwt_for(owner), story_id=story["id"]
    )


@pytest.fixture
async def tabs(live_server: LiveServer) -> AsyncIterator[Callable[[], Tab]]:
    """Opens browser tabs on the live server; every one is closed afterwards."""
    opened: list[Tab] = []

    def open_tab() -> Tab:
        tab = Tab(live_server)
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        await tab.close()
