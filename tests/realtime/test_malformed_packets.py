"""Packets that cannot be decoded close that connection and leave the server healthy;
an event for a namespace the connection has not joined runs nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgpack
import pytest
import websockets

from tests.factories import guest
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


async def _next_packet(ws: websockets.ClientConnection) -> dict[str, Any]:
    """The next Socket.IO packet (binary, msgpack), past Engine.IO's text frames."""
    while True:
        frame = await asyncio.wait_for(ws.recv(), 5)
        if isinstance(frame, bytes):
            packet: dict[str, Any] = msgpack.unpackb(frame)
            return packet


async def test_an_event_for_a_namespace_the_socket_has_not_joined_runs_nothing(
    live_server: LiveServer, tabs: Tabs, room: Room
) -> None:
    """Events go from the websocket straight to their namespace: one addressed to a
    namespace this connection has not joined (with its token) is dropped, as Socket.IO
    drops it, and the connection goes on working."""
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, ana_id, ana_token = await guest(room.code, "Ana")
    ws_url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(ws_url) as ws:
        assert str(await asyncio.wait_for(ws.recv(), 5)).startswith("0{")
        # Joined to no namespace yet: a vote on /poker runs nothing.
        vote = {"type": 2, "nsp": "/poker", "data": ["cast_vote", {"value": "5"}], "id": 1}
        await ws.send(msgpack.packb(vote))
        auth = {"token": ana_token, "code": room.code}
        await ws.send(msgpack.packb({"type": 0, "nsp": "/poker", "data": auth}))
        first = [await _next_packet(ws), await _next_packet(ws)]
        kinds = sorted(
            (p["type"], p["data"][0] if p["type"] == 2 else "sid" in p["data"]) for p in first
        )
        assert kinds == [(0, True), (2, "state")], first
        # Joined to /poker only: a command on /board runs nothing and is not answered.
        move = {"type": 2, "nsp": "/board", "data": ["move_card", {"card_id": "x"}], "id": 2}
        await ws.send(msgpack.packb(move))
        vote = {"type": 2, "nsp": "/poker", "data": ["cast_vote", {"value": "8"}], "id": 3}
        await ws.send(msgpack.packb(vote))
        packet = await _next_packet(ws)
        while packet["type"] != 3:  # room events (presence, the vote's) may come first
            packet = await _next_packet(ws)
        assert packet["id"] == 3, packet
        ack = packet["data"][0]
        assert ack["ok"] is True
        # The vote sent before the socket joined never counted.
        assert ack["data"]["stats"]["votes_cast"] == 1
    cast = await moderator.next_event("vote_cast")
    assert cast["data"]["participant_id"] == ana_id
    assert cast["data"]["votes_cast"] == 1
