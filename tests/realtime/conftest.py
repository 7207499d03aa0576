"""A real server in a subprocess, on the suite's database, and rooms to connect to.

SQLite runs with in-process pub/sub, PostgreSQL with Redis pub/sub: between them
they cover the default set-up and the several-workers one. The test process
shares the database, so it builds users and sessions through the services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.actors import Actor
from services.poker.stories import add_story
from tests.factories import create_user, jwt_for, poker_room
from tests.realtime.clients import LiveServer, Tab
from tests.servers import running_server, served_in_process, server_env
from tests.support import REDIS_URL, require

RECHECK_SECONDS = 2


@pytest.fixture(scope="session")
async def live_server(database: str, tmp_path_factory: Any) -> AsyncIterator[LiveServer]:
    redis_url = None
    if database.startswith("postgres"):
        require("redis")
        redis_url = REDIS_URL
    data_dir: Path = tmp_path_factory.mktemp("live")
    # Sockets read their token again after 2 s, so a test can wait that out.
    env = server_env(
        database_url=database,
        data_dir=data_dir,
        redis_url=redis_url,
        SOCKET_RECHECK_SECONDS=str(RECHECK_SECONDS),
        # Imports and estimate sync reach the tests' local Jira and GitHub servers.
        INTEGRATIONS_ALLOW_PRIVATE="true",
        # Webhooks reach the tests' local receiver.
        WEBHOOKS_ALLOW_PRIVATE="true",
        JOBS_POLL_SECONDS="0.2",
        JOBS_BACKOFF_SECONDS="0.2",
    )
    async with running_server(env, data_dir / "server.log") as server:
        yield LiveServer(url=server.url, database_url=database, redis_url=redis_url, log=server.log)


@pytest.fixture
def engine_sockets(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The Engine.IO sessions of the `served` app that start serving a websocket
    (opened on one, or upgraded to one from long-polling), in order, for a test to look
    into."""
    from realtime import engine

    sockets: list[engine.EngineSocket] = []
    real_handler = engine.EngineSocket._websocket_handler

    async def handler(self: engine.EngineSocket, ws: Any) -> None:
        sockets.append(self)
        await real_handler(self, ws)

    monkeypatch.setattr(engine.EngineSocket, "_websocket_handler", handler)
    return sockets


@pytest.fixture
async def served(db: str) -> AsyncIterator[str]:
    """The app served by uvicorn in this test's own process, so a test can watch or
    change what the server does inside; its base URL."""
    async with served_in_process(db) as url:
        yield url


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
