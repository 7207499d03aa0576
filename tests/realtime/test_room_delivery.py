"""Which local sockets an emit reaches: every member of the room once, none of the
sockets it skips, each socket once across a list of rooms, and nothing for a room
nobody is in. These sockets have no websocket, so what reaches each is queued."""

from __future__ import annotations

from typing import Any

import msgpack

from realtime.engine import EngineSocket
from realtime.server import create_sio

NS = "/board"


def _server(rooms: dict[str, list[str]]) -> tuple[Any, dict[str, EngineSocket]]:
    """A Socket.IO server whose namespace holds a socket `s<name>` for each name, in
    the rooms given."""
    sio = create_sio(redis_url=None, serializer="msgpack", allowed_origins=[])
    sockets: dict[str, EngineSocket] = {}
    for room, names in rooms.items():
        for name in names:
            eio_sid = f"e{name}"
            if eio_sid not in sockets:
                sockets[eio_sid] = EngineSocket(sio.eio, eio_sid)
                sio.eio.sockets[eio_sid] = sockets[eio_sid]
                sio.manager.basic_enter_room(f"s{name}", NS, None, eio_sid=eio_sid)
            sio.manager.basic_enter_room(f"s{name}", NS, room, eio_sid=eio_sid)
    return sio, sockets


def _received(sockets: dict[str, EngineSocket]) -> dict[str, list[Any]]:
    """What each socket was sent, decoded: [event, data] per message."""
    got: dict[str, list[Any]] = {}
    for eio_sid, socket in sockets.items():
        while not socket.queue.empty():
            pkt = socket.queue.get_nowait()
            got.setdefault(eio_sid[1:], []).append(msgpack.unpackb(pkt.data)["data"])
    return got


async def test_an_emit_reaches_each_member_of_the_room_once_and_no_one_else() -> None:
    sio, sockets = _server({"board:a": ["1", "2", "3"], "board:b": ["4"]})
    await sio.manager.emit("event", {"seq": 7}, namespace=NS, room="board:a")
    assert _received(sockets) == {
        "1": [["event", {"seq": 7}]],
        "2": [["event", {"seq": 7}]],
        "3": [["event", {"seq": 7}]],
    }


async def test_the_sockets_it_skips_get_nothing() -> None:
    sio, sockets = _server({"board:a": ["1", "2", "3"]})
    await sio.manager.emit("event", 1, namespace=NS, room="board:a", skip_sid="s2")
    assert sorted(_received(sockets)) == ["1", "3"]
    await sio.manager.emit("event", 2, namespace=NS, room="board:a", skip_sid=["s1", "s3"])
    assert _received(sockets) == {"2": [["event", 2]]}


async def test_a_list_of_rooms_reaches_a_socket_in_several_of_them_once() -> None:
    sio, sockets = _server({"board:a": ["1", "2"], "board:b": ["2", "3"], "board:c": ["4"]})
    await sio.manager.emit("event", "x", namespace=NS, room=["board:a", "board:b"])
    once = [["event", "x"]]
    assert _received(sockets) == {"1": once, "2": once, "3": once}


async def test_no_room_reaches_the_whole_namespace_and_an_empty_room_nobody() -> None:
    sio, sockets = _server({"board:a": ["1"], "board:b": ["2"]})
    await sio.manager.emit("event", "all", namespace=NS, room=None)
    assert sorted(_received(sockets)) == ["1", "2"]
    await sio.manager.emit("event", "none", namespace=NS, room="board:nobody")
    await sio.manager.emit("event", "none", namespace="/poker", room="poker:ABC123")
    assert _received(sockets) == {}


async def test_a_closed_socket_is_passed_over() -> None:
    sio, sockets = _server({"board:a": ["1", "2"]})
    sockets["e1"].closed = True
    await sio.manager.emit("event", 3, namespace=NS, room="board:a")
    assert _received(sockets) == {"2": [["event", 3]]}
