"""The Python floor: the least work a Python process can do for Roundtable's fan-out.

The twin of `reference/floor.mjs`, in Python: asyncio on uvloop, the websockets library
and msgpack, as Roundtable runs on, and nothing else. It speaks just enough Engine.IO 4
/ Socket.IO 5 with the msgpack parser for the official client to connect, and answers
a command by encoding its event once and handing the same bytes to every websocket of
the room (`websockets.broadcast`), then the ack. No database, no Socket.IO server, no
ASGI: what is left is the language, the event loop, the websocket and the parser. The
distance between it and Roundtable is what Roundtable's own layers and its database
cost; the distance between it and the Node floor, what the language costs.

Events and acks are shaped as `reference/shapes.mjs` shapes them (tests check that the
two agree), so every server puts the same bytes on the wire for the same load.

    python -m bench.python_floor --port 9002
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import msgpack
import uvloop
from websockets.asyncio.server import ServerConnection, broadcast, serve

COMMANDS = {
    "cast_vote": "vote_cast",
    "reveal": "story_revealed",
    "restart_round": "round_restarted",
    "move_card": "card_moved",
}
CONNECT, EVENT, ACK, CONNECT_ERROR = 0, 2, 3, 4
PING_INTERVAL = 25.0
OPEN = {
    "upgrades": [],
    "pingInterval": int(PING_INTERVAL * 1000),
    "pingTimeout": 20000,
    "maxPayload": 1_000_000,
}

# The shapes' constants, as in reference/shapes.mjs.
STORY = "3f6c1e2a-8b4d-4c7e-9a15-2d0b7f3e6a91"
OWNER = "0b7e5d1c-6a3f-4f55-9a43-2f0c8e1d9b77"
ROOM_SIZE = 10

Shaped = tuple[Any, Any, dict[str, Any], str]


class Shapes:
    """`shaped` of reference/shapes.mjs: the event's data, the ack's data, the actor and
    the time for a command that made event `kind` at `seq`."""

    def __init__(self) -> None:
        # A seat number for each socket id, as Roundtable numbers a session's seats.
        self._seats: dict[str, int] = {}

    def seat(self, sid: str) -> int:
        found = self._seats.get(sid)
        if found is None:
            found = self._seats[sid] = 100_000 + len(self._seats)
        return found

    def shaped(self, kind: str, data: Any, seq: int, sid: str) -> Shaped:
        # Microseconds, as Roundtable writes its times.
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        asked = data if isinstance(data, dict) else {}
        if kind == "vote_cast":
            me = self.seat(sid)
            cast = seq % ROOM_SIZE + 1
            ack = {
                "vote": {
                    "id": seq,
                    "story_id": STORY,
                    "participant_id": me,
                    "value": asked.get("value"),
                },
                "stats": {
                    "votes_cast": cast,
                    "total_participants": ROOM_SIZE,
                    "all_voted": cast >= ROOM_SIZE,
                },
                "revealed": None,
            }
            event = {"story_id": STORY, "participant_id": me, "votes_cast": cast}
            return event, ack, {"id": str(me), "name": f"G{me % ROOM_SIZE}", "kind": "guest"}, at
        if kind == "card_moved":
            moved = {
                "cardId": asked.get("card_id"),
                "fromColumnId": asked.get("column_id"),
                "columnId": asked.get("column_id"),
                "position": "a0V",
                "afterId": None,
                "beforeId": asked.get("before_id"),
                "version": seq,
                "updatedAt": at,
            }
            return moved, moved, {"id": OWNER, "name": "Bench Owner", "kind": "user"}, at
        return data, data, {"id": sid, "name": "bench", "kind": "guest"}, at


class Room:
    __slots__ = ("seq", "sockets")

    def __init__(self) -> None:
        self.seq = 0
        self.sockets: set[ServerConnection] = set()


class Floor:
    """Rooms by namespace and key, and a connection handler for each websocket."""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.shapes = Shapes()
        self._next = 0

    async def serve(self, ws: ServerConnection) -> None:
        self._next += 1
        sid = f"p{self._next}"
        joined: dict[str, Room] = {}
        await ws.send("0" + json.dumps({"sid": sid, **OPEN}))
        try:
            async for message in ws:
                # Text frames are Engine.IO's own: "3" (pong) needs no answer.
                if isinstance(message, bytes):
                    await self._packet(ws, sid, joined, message)
        finally:
            for room in joined.values():
                room.sockets.discard(ws)

    async def _packet(
        self, ws: ServerConnection, sid: str, joined: dict[str, Room], message: bytes
    ) -> None:
        try:
            packet = msgpack.unpackb(message)
            kind, nsp = packet["type"], packet.get("nsp", "/")
        except (ValueError, TypeError, KeyError, msgpack.ExtraData):
            await _send(ws, {"type": CONNECT_ERROR, "nsp": "/", "data": {"message": "bad packet"}})
            return
        if kind == CONNECT:
            auth = packet.get("data")
            room = self._join(ws, nsp, auth if isinstance(auth, dict) else {}, joined)
            await _send(ws, {"type": CONNECT, "nsp": nsp, "data": {"sid": f"{sid}{nsp}"}})
            await _send(ws, {"type": EVENT, "nsp": nsp, "data": ["state", {"seq": room.seq}]})
        elif kind == EVENT:
            await self._command(ws, sid, joined, packet, nsp)

    def _join(
        self, ws: ServerConnection, nsp: str, auth: dict[str, Any], joined: dict[str, Room]
    ) -> Room:
        key = f"{nsp} {auth.get('code') or auth.get('project') or ''}"
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room()
        room.sockets.add(ws)
        joined[nsp] = room
        return room

    async def _command(
        self,
        ws: ServerConnection,
        sid: str,
        joined: dict[str, Room],
        packet: dict[str, Any],
        nsp: str,
    ) -> None:
        args = packet.get("data")
        if not isinstance(args, list) or not args or not isinstance(args[0], str):
            return
        room = joined.get(nsp)
        kind = COMMANDS.get(args[0])
        if room is None or kind is None:
            return
        room.seq += 1
        data, ack, actor, at = self.shapes.shaped(
            kind, args[1] if len(args) > 1 else None, room.seq, sid
        )
        event = {"seq": room.seq, "type": kind, "data": data, "actor": actor, "at": at}
        broadcast(
            room.sockets, msgpack.packb({"type": EVENT, "nsp": nsp, "data": ["event", event]})
        )
        if "id" in packet:
            reply = {
                "type": ACK,
                "nsp": nsp,
                "id": packet["id"],
                "data": [{"ok": True, "data": ack}],
            }
            await _send(ws, reply)

    async def ping(self, connections: set[ServerConnection]) -> None:
        """Ping every socket at once every PING_INTERVAL, as Engine.IO's heartbeat would."""
        while True:
            await asyncio.sleep(PING_INTERVAL)
            broadcast(connections, "2")


async def _send(ws: ServerConnection, packet: dict[str, Any]) -> None:
    await ws.send(msgpack.packb(packet))


async def main(port: int) -> None:
    floor = Floor()
    async with serve(
        floor.serve, "127.0.0.1", port, compression=None, ping_interval=None, max_size=1 << 20
    ) as server:
        await floor.ping(server.connections)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.python_floor",
        description="The benchmark's Python floor: Engine.IO 4 framing and msgpack packets "
        "over the websockets library, with no database and no Socket.IO server.",
    )
    parser.add_argument("--port", type=int, required=True, help="the port to listen on")
    return parser


if __name__ == "__main__":
    uvloop.run(main(_parser().parse_args().port))
