"""Packets that cannot be decoded close that connection and leave the server healthy."""

from __future__ import annotations

import asyncio

import httpx
import msgpack
import pytest
import websockets

from tests.realtime.clients import LiveServer
from tests.realtime.conftest import Room
from tests.realtime.test_voting import Tabs


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xc1\xff\x00not msgpack",
        b"\x93\x02\xc0\xc0",
        "4not-a-packet",
        msgpack.packb({"type": 2, "nsp": "/poker", "data": None}),
        msgpack.packb({"type": 2, "nsp": "/poker", "data": []}),
        msgpack.packb({"type": 2, "nsp": "/poker", "data": {"vote": 1}, "id": 1}),
        msgpack.packb({"type": 2, "data": ["vote"]}),
    ],
    ids=[
        "undecodable",
        "event-without-data",
        "text-frame",
        "event-data-nil",
        "event-without-name",
        "event-data-a-map",
        "event-without-namespace",
    ],
)
async def test_a_malformed_packet_closes_only_that_connection(
    live_server: LiveServer, tabs: Tabs, room: Room, garbage: bytes | str
) -> None:
    bystander = tabs()
    await bystander.connect(room.moderator_token, room.code)
    ws_url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(ws_url) as ws:
        opening = await asyncio.wait_for(ws.recv(), 5)
        assert str(opening).startswith("0{")
        await ws.send(garbage)
        # The server answers with Engine.IO's close packet ("1"); a ping may come first.
        frames = []
        while "1" not in frames:
            frames.append(str(await asyncio.wait_for(ws.recv(), 5)))
        assert frames[-1] == "1"
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        assert (await http.get("/api/health")).status_code == 200
    ack = await bystander.call("sync", {"since": 0})
    assert ack["ok"] is True
