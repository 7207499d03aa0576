"""Engine.IO's heartbeat, kept by one sweep over the sessions instead of a task per
socket: a client that answers its pings stays connected, its pings go out as frames
written directly, and a client that stops answering is closed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import socketio
import websockets

from realtime import frames
from realtime import server as realtime_server
from tests.factories import guest, voting_room
from tests.servers import served_in_process

INTERVAL, TIMEOUT = 1, 1
# The heartbeat is the engine's alone: no database is involved, so one stack is enough.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
async def served(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The app served in this process, pinging every second."""
    monkeypatch.setattr(realtime_server, "PING_INTERVAL", INTERVAL)
    monkeypatch.setattr(realtime_server, "PING_TIMEOUT", TIMEOUT)
    async with served_in_process(db) as url:
        yield url.removeprefix("http://")


async def test_a_client_that_answers_its_pings_stays_connected(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[bytes] = []
    real = frames.DirectWriter.write

    def counted(self: frames.DirectWriter, data: bytes) -> bool:
        done = real(self, data)
        if done and data == frames.frame("2"):
            pings.append(data)
        return done

    monkeypatch.setattr(frames.DirectWriter, "write", counted)
    code = await voting_room()
    _, _, token = await guest(code, "Ann")
    client = socketio.AsyncClient(serializer="msgpack")
    await client.connect(
        f"http://{served}",
        namespaces=["/poker"],
        transports=["websocket"],
        auth={"token": token, "code": code},
    )
    try:
        # Several ping cycles, each longer than the time allowed to answer one.
        await asyncio.sleep(4 * (INTERVAL + TIMEOUT))
        assert client.connected
        assert len(pings) >= 3
        ack = await client.call("cast_vote", {"value": "5"}, namespace="/poker")
        assert ack["ok"]
    finally:
        await client.disconnect()


async def test_a_client_that_stops_answering_is_closed(served: str) -> None:
    url = f"ws://{served}/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url) as ws:
        opened = await ws.recv()
        assert isinstance(opened, str) and opened.startswith("0")
        started = time.monotonic()
        received: list[str | bytes] = []
        with pytest.raises(websockets.ConnectionClosed):
            async with asyncio.timeout(10 * (INTERVAL + TIMEOUT)):
                while True:
                    received.append(await ws.recv())
        waited = time.monotonic() - started
    # A ping came, went unanswered, and the server closed the connection.
    assert received == ["2"]
    assert INTERVAL + TIMEOUT <= waited < 4 * (INTERVAL + TIMEOUT)
