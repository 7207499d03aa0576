"""The reference: a bare python-socketio room that broadcasts each vote, with no
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


@sio.on("connect", namespace="/poker")
async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any]) -> None:
    code = str((auth or {}).get("code", "BENCH1"))
    await sio.save_session(sid, {"code": code}, namespace="/poker")
    await sio.enter_room(sid, f"poker:{code}", namespace="/poker")
    await sio.emit("state", {"seq": _seq.get(code, 0)}, to=sid, namespace="/poker")


@sio.on("cast_vote", namespace="/poker")
async def cast_vote(sid: str, data: dict[str, Any]) -> dict[str, Any]:
    code = (await sio.get_session(sid, namespace="/poker"))["code"]
    seq = _seq[code] = _seq.get(code, 0) + 1
    event = {
        "seq": seq,
        "type": "vote_cast",
        "data": {"participant_id": 1, "story_id": "x", "votes_cast": 1},
        "actor": {"id": sid, "name": "bench", "kind": "guest"},
        "at": time.time(),
    }
    await sio.emit("event", event, room=f"poker:{code}", namespace="/poker")
    return {"ok": True, "data": {"vote": {"value": data.get("value")}}}


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
