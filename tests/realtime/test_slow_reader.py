"""A client that stops reading: the server holds back its writes and queues the room's
messages for it, in order, without holding up anyone else; when it reads again it gets
every one of them. One that stays too far behind, or goes silent while it reads
nothing, is let go rather than kept for ever."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
from typing import Any

import httpx
import pytest
import socketio
from socketio import packet as sio_packet
from socketio.msgpack_packet import MsgPackPacket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, CloseCode, Frame, Opcode

from realtime import engine
from tests.factories import guest, voting_room
from tests.servers import served_in_process

# The smallest buffers the kernel grants, so that a few kilobytes fill them.
SMALL = 4096


class RawReader:
    """A poker client on the raw wire (Engine.IO 4, msgpack Socket.IO) that reads only
    when told to. While it does not read, the websocket library stops reading its socket
    once a few frames wait, and the kernel's buffers fill: the server sees a client that
    stopped reading."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seqs: list[int] = []
        self.state_seq = -1

    @classmethod
    async def open(cls, url: str, token: str, code: str) -> RawReader:
        ws = await connect(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
            compression=None,
            ping_interval=None,
            close_timeout=1,
            max_queue=(4, 1),
        )
        reader = cls(ws)
        opening = await ws.recv()
        assert isinstance(opening, str) and opening.startswith("0"), opening
        assert json.loads(opening[1:])["sid"]
        hello = MsgPackPacket(
            sio_packet.CONNECT, namespace="/poker", data={"token": token, "code": code}
        )
        await ws.send(hello.encode())
        while reader.state_seq < 0:
            await reader.read_one()
        ws.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL)
        return reader

    async def read_one(self) -> None:
        frame = await self.ws.recv()
        if isinstance(frame, str):
            if frame == "2":  # Engine.IO's ping
                await self.ws.send("3")
            return
        pkt = MsgPackPacket(encoded_packet=frame)
        if pkt.packet_type != sio_packet.EVENT:
            return
        name, body = pkt.data[0], pkt.data[1]
        if name == "state":
            self.state_seq = int(body["seq"])
        elif name == "event":
            self.seqs.append(int(body["seq"]))

    async def read_until(self, seq: int) -> None:
        async with asyncio.timeout(10):
            while not self.seqs or self.seqs[-1] < seq:
                await self.read_one()


async def wait_for(done: Any) -> None:
    for _ in range(250):
        if done():
            return
        await asyncio.sleep(0.02)


async def _listener(url: str, code: str, name: str) -> tuple[socketio.AsyncClient, list[int]]:
    _, _, token = await guest(code, name)
    client = socketio.AsyncClient(serializer="msgpack")
    seqs: list[int] = []
    client.on("event", lambda e: seqs.append(int(e["seq"])), namespace="/poker")
    await client.connect(
        url, namespaces=["/poker"], transports=["websocket"], auth={"token": token, "code": code}
    )
    return client, seqs


class Room:
    """A poker room with a voter, a listener that reads, and the raw reader; the server's
    side of the raw reader's connection, with small buffers."""

    def __init__(self, voter: socketio.AsyncClient, listener: list[int], reader: RawReader) -> None:
        self.voter = voter
        self.listener = listener
        self.reader = reader
        self.sock: engine.EngineSocket | None = None
        self.votes = 0
        self.last_seq = reader.state_seq
        self.first = 0

    async def vote(self) -> None:
        self.votes += 1
        ack = await self.voter.call(
            "cast_vote", {"value": "5" if self.votes % 2 else "8"}, namespace="/poker"
        )
        assert ack["ok"], ack
        self.last_seq += 1

    async def vote_until_held_back(self) -> None:
        assert self.sock is not None and self.sock._direct is not None
        for _ in range(3000):
            await self.vote()
            # Held back for good once the kernel's buffers on both sides are full: until
            # then the kernel takes what the server had buffered, and writes resume.
            if self.sock._direct.held_back():
                await asyncio.sleep(0.1)
                if self.sock._direct.held_back():
                    return
        raise AssertionError("the server never held back its writes")


@pytest.fixture
async def room(served: str, engine_sockets: list[engine.EngineSocket]) -> Any:
    code = await voting_room()
    _, _, token = await guest(code, "Rae Reader")
    reader = await RawReader.open(served, token, code)
    [sock] = engine_sockets
    voter, _ = await _listener(served, code, "Val Voter")
    listener, seqs = await _listener(served, code, "Lee Listener")
    room = Room(voter, seqs, reader)
    room.sock = sock
    # From one vote that everyone has seen on, every event is a vote.
    await room.vote()
    await wait_for(lambda: bool(seqs))
    room.last_seq = seqs[-1]
    await reader.read_until(room.last_seq)
    room.first = room.last_seq + 1
    seqs.clear()
    reader.seqs.clear()
    # The server's side of the reader's connection: small buffers as well.
    assert sock._direct is not None
    transport = sock._direct._protocol.transport
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL)
    transport.set_write_buffer_limits(high=SMALL)
    try:
        yield room
    finally:
        for client in (voter, listener):
            await client.disconnect()
        await reader.ws.close()


async def _let_go(room: Room) -> None:
    """The reader's connection was aborted with what it had not read; its session
    closed, and nothing is kept for it."""
    sock = room.sock
    assert sock is not None
    await wait_for(lambda: sock.closed and sock._writer is None)
    assert sock.closed and sock._writer is None and sock.queue.empty()
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(5):
            while True:
                await room.reader.read_one()


async def test_what_a_client_did_not_read_reaches_it_in_order_once_it_reads(room: Room) -> None:
    sock = room.sock
    assert sock is not None and sock._direct is not None
    await room.vote_until_held_back()
    # Held back: the next messages wait in the socket's queue, behind a writer that waits
    # for the client to read; the voter and the other listener go on as before.
    for _ in range(20):
        await room.vote()
    assert sock._direct.held_back()
    assert sock._writer is not None and not sock._writer_idle
    assert sock.queue.qsize() >= 19
    await wait_for(lambda: room.listener and room.listener[-1] == room.last_seq)
    first = room.first
    assert room.listener == list(range(first, room.last_seq + 1))
    assert not sock.closed

    # It reads again: every message, once, in order; then the writer ends, and the
    # socket's messages go out directly again.
    await room.reader.read_until(room.last_seq)
    assert room.reader.seqs == list(range(first, room.last_seq + 1))
    await wait_for(lambda: sock._writer is None)
    assert sock._writer is None and sock._writer_idle and not sock._direct.held_back()
    await room.vote()
    await room.reader.read_until(room.last_seq)
    assert room.reader.seqs[-1] == room.last_seq and sock._writer is None


async def test_a_client_too_far_behind_is_let_go(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock = room.sock
    assert sock is not None and sock._direct is not None
    monkeypatch.setattr(engine, "MAX_QUEUED", 30)
    await room.vote_until_held_back()
    for _ in range(engine.MAX_QUEUED + 5):
        await room.vote()
    await _let_go(room)
    # Everyone else goes on.
    await room.vote()
    await wait_for(lambda: room.listener and room.listener[-1] == room.last_seq)
    assert room.listener == list(range(room.first, room.last_seq + 1))


async def test_a_client_that_closes_without_reading_is_let_go(room: Room) -> None:
    sock = room.sock
    assert sock is not None and sock._direct is not None
    await room.vote_until_held_back()
    # It sends its close frame and keeps the connection open, reading nothing: the
    # server's reader ends, but nothing can be written to it any more.
    close = Frame(Opcode.CLOSE, Close(CloseCode.NORMAL_CLOSURE, "").serialize())
    room.reader.ws.transport.write(close.serialize(mask=True))
    await _let_go(room)


async def test_a_client_that_reads_nothing_and_misses_its_ping_is_let_go(room: Room) -> None:
    sock = room.sock
    assert sock is not None and sock._direct is not None
    await room.vote_until_held_back()
    # A ping went out long ago and was never answered (the reader reads nothing): the
    # heartbeat's check closes the session, and the close could never be written.
    sock.last_ping = time.time() - sock.server.ping_timeout - 1
    await sock.check_answer(time.time())
    await _let_go(room)


async def _upgraded_reader(url: str, token: str, code: str) -> RawReader:
    """A raw client that opens its session on long-polling and upgrades it to a
    websocket, as a client that fell back to polling does."""
    base = url + "/socket.io/?EIO=4&transport=polling"
    async with httpx.AsyncClient(timeout=5) as http:
        opening = (await http.get(base)).text
        assert opening.startswith("0"), opening
        sid = json.loads(opening[1:])["sid"]
        hello = MsgPackPacket(
            sio_packet.CONNECT, namespace="/poker", data={"token": token, "code": code}
        ).encode()
        posted = await http.post(
            f"{base}&sid={sid}", content="b" + base64.b64encode(hello).decode()
        )
        assert posted.status_code == 200, posted.text
        # The namespace's answer and the room's state arrive on the next poll.
        polled = (await http.get(f"{base}&sid={sid}")).text
    ws = await connect(
        url.replace("http", "ws", 1) + f"/socket.io/?EIO=4&transport=websocket&sid={sid}",
        compression=None,
        ping_interval=None,
        close_timeout=1,
        max_queue=(4, 1),
    )
    await ws.send("2probe")
    assert await ws.recv() == "3probe"
    await ws.send("5")
    reader = RawReader(ws)
    for chunk in polled.split("\x1e"):
        if chunk.startswith("b"):
            pkt = MsgPackPacket(encoded_packet=base64.b64decode(chunk[1:]))
            if pkt.packet_type == sio_packet.EVENT and pkt.data[0] == "state":
                reader.state_seq = int(pkt.data[1]["seq"])
    assert reader.state_seq >= 0, polled
    ws.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL)
    return reader


async def test_a_client_upgraded_from_polling_too_far_behind_is_let_go(
    db: str, engine_sockets: list[engine.EngineSocket], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "MAX_QUEUED", 30)
    async with served_in_process(db, transports=("polling", "websocket")) as url:
        code = await voting_room()
        _, _, token = await guest(code, "Una Upgraded")
        reader = await _upgraded_reader(url, token, code)
        voter, _ = await _listener(url, code, "Val Voter")
        try:
            sock = next(s for s in engine_sockets if s.upgraded)
            assert sock._direct is not None
            transport = sock._direct._protocol.transport
            transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL
            )
            transport.set_write_buffer_limits(high=SMALL)
            room = Room(voter, [], reader)
            room.sock = sock
            await room.vote_until_held_back()
            for _ in range(engine.MAX_QUEUED + 5):
                await room.vote()
            await _let_go(room)
        finally:
            await voter.disconnect()
            await reader.ws.close()
