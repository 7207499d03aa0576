"""A client on long-polling (one that cannot open a websocket) gets the room's events
like everyone else, while the room's websocket clients get theirs written directly."""

from __future__ import annotations

import asyncio

import socketio

from tests.factories import guest, voting_room
from tests.servers import served_in_process

VOTES = 5


async def _client(
    url: str, code: str, name: str, transport: str
) -> tuple[socketio.AsyncClient, list[int]]:
    _, _, token = await guest(code, name)
    client = socketio.AsyncClient(serializer="msgpack")
    seqs: list[int] = []
    client.on("event", lambda e: seqs.append(int(e["seq"])), namespace="/poker")
    await client.connect(
        url, namespaces=["/poker"], transports=[transport], auth={"token": token, "code": code}
    )
    return client, seqs


async def test_a_long_polling_client_gets_every_event_of_its_room(db: str) -> None:
    async with served_in_process(db, transports=("polling", "websocket")) as url:
        code = await voting_room()
        poller, polled = await _client(url, code, "Pat Poller", "polling")
        voter, seen = await _client(url, code, "Val Voter", "websocket")
        try:
            assert poller.transport() == "polling"
            for i in range(VOTES):
                ack = await voter.call(
                    "cast_vote", {"value": "5" if i % 2 else "8"}, namespace="/poker"
                )
                assert ack["ok"], ack
            for _ in range(250):
                if len(seen) >= VOTES and polled[-VOTES:] == seen[-VOTES:]:
                    break
                await asyncio.sleep(0.02)
            assert len(seen) >= VOTES
            assert (
                polled[-VOTES:] == seen[-VOTES:] == list(range(seen[-1] - VOTES + 1, seen[-1] + 1))
            )
            assert poller.connected and poller.transport() == "polling"
        finally:
            await voter.disconnect()
            await poller.disconnect()
