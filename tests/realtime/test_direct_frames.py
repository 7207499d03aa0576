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
        event_frames = [w for w in written if b"vote_cast" in w]
        assert len(event_frames) >= (ROOM - 1) * VOTES
        assert len(set(event_frames)) == VOTES
        # So did the voter's acks: the voter had nothing queued either.
        assert len([w for w in written if b"vote_cast" not in w]) == VOTES
    finally:
        for client in clients:
            await client.disconnect()


async def test_a_writer_runs_only_while_something_is_queued(
    served: str, engine_sockets: list[Any]
) -> None:
    from engineio import packet as eio_packet
    from socketio import packet as sio_packet
    from socketio.msgpack_packet import MsgPackPacket

    code = await voting_room()
    _, _, token = await guest(code, "Ann")
    client = socketio.AsyncClient(serializer="msgpack")
    got: list[int] = []
    client.on("probe", lambda n: got.append(n), namespace="/poker")
    await client.connect(
        served, namespaces=["/poker"], transports=["websocket"], auth={"token": token, "code": code}
    )
    try:
        ack = await client.call("cast_vote", {"value": "5"}, namespace="/poker")
        assert ack["ok"], ack
        [sock] = engine_sockets
        # Its state, the vote's event and the ack all went out directly: no writer.
        assert sock._writer is None and sock._writer_idle

        # Queued messages (as when a frame cannot be written at once) start a writer,
        # which sends them in order and ends.
        for n in range(3):
            encoded = MsgPackPacket(
                sio_packet.EVENT, namespace="/poker", data=["probe", n]
            ).encode()
            sock.queue.put_nowait(eio_packet.Packet(eio_packet.MESSAGE, encoded))
        assert sock._writer is not None and not sock._writer_idle
        for _ in range(100):
            if len(got) == 3:
                break
            await asyncio.sleep(0.02)
        assert got == [0, 1, 2]
        assert sock._writer is None and sock._writer_idle
        ack = await client.call("cast_vote", {"value": "8"}, namespace="/poker")
        assert ack["ok"], ack
    finally:
        await client.disconnect()
    for _ in range(100):
        if sock.closed:
            break
        await asyncio.sleep(0.02)
    assert sock.closed and sock._writer is None and sock._ws is None


async def test_a_close_after_the_websocket_is_done_does_not_wait_for_the_queue(
    served: str, engine_sockets: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from engineio import packet as eio_packet

    from realtime import engine

    real_wait = engine._CheckedFrames.wait
    holding, released = asyncio.Event(), asyncio.Event()

    async def wait(self: Any) -> Any:
        # Once held, the reader stays in its loop until released: the writer's end is
        # seen before the reader's.
        if holding.is_set():
            await released.wait()
            raise OSError("released")
        return await real_wait(self)

    monkeypatch.setattr(engine._CheckedFrames, "wait", wait)
    code = await voting_room()
    _, _, token = await guest(code, "Ann")
    client = socketio.AsyncClient(serializer="msgpack")
    await client.connect(
        served, namespaces=["/poker"], transports=["websocket"], auth={"token": token, "code": code}
    )
    try:
        [sock] = engine_sockets
        holding.set()
        await client.call("cast_vote", {"value": "5"}, namespace="/poker")  # the reader holds
        # The writer reaches a None (as a ping timeout queues one): the websocket is done.
        sock.queue.put_nowait(None)
        assert sock._writer is not None
        await sock._writer
        assert sock._ws is None and not sock.closed
        # Whatever is queued from now on is dropped, so a close that waits for the queue
        # to empty (Engine.IO's `disconnect`) returns.
        sock.queue.put_nowait(eio_packet.Packet(eio_packet.NOOP))
        assert sock.queue.empty()
        await asyncio.wait_for(sock.close(), 2)
        assert sock.closed
    finally:
        released.set()
        await client.disconnect()
