"""Room messages are written straight to websockets with nothing on their way to the
client, as one frame made once for the room; the rest take each socket's queue, and
every client gets every event once, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
import uvicorn

from realtime import frames
from server.app import create_app
from services.poker import stories
from tests.conftest import settings_for
from tests.factories import guest, poker_room
from tests.servers import free_port

ROOM = 4
VOTES = 6


@pytest.fixture
async def served(db: str) -> AsyncIterator[str]:
    """The app served by uvicorn in this process, the way `python -m server` serves it."""
    app = create_app(settings_for(db, transports=("websocket",)), manage_db=False)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws_per_message_deflate=False,
        ws_ping_interval=None,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server stopped"
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_room_events_go_out_as_one_frame_written_directly(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bytes] = []
    real = frames.DirectWriter.write

    def counted(self: frames.DirectWriter, data: bytes) -> bool:
        done = real(self, data)
        if done:
            written.append(data)
        return done

    monkeypatch.setattr(frames.DirectWriter, "write", counted)
    _, owner, session = await poker_room()
    code = session["code"]
    story = await stories.add_story(actor=owner, code=code, title="Login")
    await stories.start_story(actor=owner, code=code, story_id=story["id"])
    clients, seen = [], []
    for i in range(ROOM):
        _, _, token = await guest(code, f"Guest {i}")
        client = socketio.AsyncClient(serializer="msgpack")
        events: list[int] = []
        client.on(
            "event", lambda e, events=events: events.append(int(e["seq"])), namespace="/poker"
        )
        await client.connect(
            served,
            namespaces=["/poker"],
            transports=["websocket"],
            auth={"token": token, "code": code},
        )
        clients.append(client)
        seen.append(events)
    try:
        await asyncio.sleep(0.3)
        for events in seen:
            events.clear()
        written.clear()
        acks: list[Any] = []
        for i in range(VOTES):
            acks.append(
                await clients[0].call(
                    "cast_vote", {"value": "5" if i % 2 else "8"}, namespace="/poker"
                )
            )
        assert all(a["ok"] for a in acks)
        for _ in range(100):
            if all(len(e) == VOTES for e in seen):
                break
            await asyncio.sleep(0.02)
        first = seen[0][0]
        assert all(e == list(range(first, first + VOTES)) for e in seen), seen
        # The listeners waited with nothing queued: their copies went out directly, and
        # every recipient of one vote got the very same bytes.
        assert len(written) >= (ROOM - 1) * VOTES
        assert len(set(written)) == VOTES
    finally:
        for client in clients:
            await client.disconnect()
