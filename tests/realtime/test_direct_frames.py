"""Room messages are written straight to websockets with nothing on their way to the
client, as one frame made once for the room, and so are acks; the rest take each
socket's queue, and every client gets every event once, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from realtime import frames
from tests.factories import guest, voting_room

ROOM = 4
VOTES = 6


async def test_room_events_go_out_as_one_frame_written_directly(
    served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bytes] = []
    real = frames.DirectWriter.write

    def counted(self: frames.DirectWriter, data: bytes) -> bool:
        done = real(self, data)
        if done and data != frames.frame("2"):  # Engine.IO's pings go out directly too
            written.append(data)
        return done

    monkeypatch.setattr(frames.DirectWriter, "write", counted)
    code = await voting_room()
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
        events = [w for w in written if b"vote_cast" in w]
        assert len(events) >= (ROOM - 1) * VOTES
        assert len(set(events)) == VOTES
        # So did the voter's acks: the voter had nothing queued either.
        assert len([w for w in written if b"vote_cast" not in w]) == VOTES
    finally:
        for client in clients:
            await client.disconnect()
