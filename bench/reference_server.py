"""The reference: bare python-socketio rooms that broadcast each command, with no
database, no auth and no event log. It is the floor for fan-out on this machine.

Run as `python -m bench.reference_server PORT`.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode="asgi", serializer="msgpack", cors_allowed_origins="*")
_seq: dict[str, int] = {}
# The command each namespace benchmarks, and the event type it broadcasts.
COMMANDS = {"/poker": ("cast_vote", "vote_cast"), "/board": ("move_card", "card_moved")}


def _handlers(namespace: str, command: str, event_type: str) -> None:
    @sio.on("connect", namespace=namespace)
    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any]) -> None:
        room = f"{namespace}:{(auth or {}).get('code') or (auth or {}).get('project')}"
        await sio.save_session(sid, {"room": room}, namespace=namespace)
        await sio.enter_room(sid, room, namespace=namespace)
        await sio.emit("state", {"seq": _seq.get(room, 0)}, to=sid, namespace=namespace)

    @sio.on(command, namespace=namespace)
    async def run(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        room = (await sio.get_session(sid, namespace=namespace))["room"]
        seq = _seq[room] = _seq.get(room, 0) + 1
        event = {
            "seq": seq,
            "type": event_type,
            "data": data,
            "actor": {"id": sid, "name": "bench", "kind": "user"},
            "at": time.time(),
        }
        await sio.emit("event", event, room=room, namespace=namespace)
        return {"ok": True, "data": data}


for _ns, (_cmd, _type) in COMMANDS.items():
    _handlers(_ns, _cmd, _type)

app = socketio.ASGIApp(sio)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        ws_per_message_deflate=False,
        ws_ping_interval=None,
    )
