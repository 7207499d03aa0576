"""The official JavaScript client (socket.io-client + msgpack parser) against the server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable

from tests.factories import guest
from tests.realtime.clients import LiveServer, Tab
from tests.realtime.conftest import Room
from tests.support import ROOT, require

SCRIPT = ROOT / "tests" / "js" / "poker_client.mjs"


async def test_socket_io_client_joins_votes_and_is_acknowledged(
    tabs: Callable[[], Tab], room: Room, live_server: LiveServer
) -> None:
    require("node")
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, guest_id, token = await guest(room.code, "Node")
    node = shutil.which("node")
    assert node is not None
    env = {**os.environ, "RT_URL": live_server.url, "RT_TOKEN": token, "RT_CODE": room.code}
    proc = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        env={**env, "RT_VOTE": "8"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    seen = json.loads(out)

    assert seen["refusal"]["data"]["code"] == "unauthorized"
    assert seen["refusal"]["message"] == seen["refusal"]["data"]["message"]
    assert seen["state"]["session"]["code"] == room.code
    assert seen["state"]["me"]["participant_id"] == guest_id
    assert seen["state"]["seq"] >= 1
    assert seen["ack"]["ok"] is True
    assert seen["ack"]["data"]["vote"]["value"] == "8"
    assert seen["invalid"] == {
        "ok": False,
        "error": {"code": "invalid", "message": "The payload must be an object"},
    }
    assert seen["event"]["type"] == "vote_cast"
    assert seen["event"]["data"]["participant_id"] == guest_id
    assert seen["event"]["seq"] == seen["state"]["seq"] + 1

    # The Python client in the same room saw the JavaScript client's vote, without its value.
    cast = await moderator.next_event("vote_cast")
    assert cast == seen["event"]
