"""Presence: who is in the room right now, however many tabs they have open."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from tests.factories import guest
from tests.realtime.clients import LiveServer, Tab, online, rest
from tests.realtime.conftest import Room
from tests.support import ROOT

Tabs = Callable[[], Tab]

# A client in its own process, as a browser tab is: it connects, then idles until killed.
_TAB_PROCESS = """
import asyncio, sys, socketio

async def main():
    sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    await sio.connect(sys.argv[1], namespaces=["/poker"], transports=["websocket"],
                      auth={"token": sys.argv[2], "code": sys.argv[3]}, wait_timeout=5)
    print("connected", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_two_tabs_of_one_guest_count_once(tabs: Tabs, room: Room) -> None:
    moderator = tabs()
    mod_id = (await moderator.connect(room.moderator_token, room.code))["me"]["participant_id"]
    _, tia_id, token = await guest(room.code, "Tia")
    first, second = tabs(), tabs()

    await first.connect(token, room.code)
    here = await moderator.presence_where(lambda ps: tia_id in online(ps))
    assert here == [
        {"participant_id": mod_id, "name": "Mia Moderator", "role": "moderator"}
        | {"state": "online", "focus": None},
        {"participant_id": tia_id, "name": "Tia", "role": "participant"}
        | {"state": "online", "focus": None},
    ]
    second_state = await second.connect(token, room.code)
    assert online(second_state["presence"]["participants"]) == [mod_id, tia_id]
    await moderator.settle()
    assert online(moderator.presence[-1]["participants"]) == [mod_id, tia_id]

    # Closing one of her two tabs leaves Tia in the room.
    seen = len(moderator.presence)
    await first.close()
    await moderator.wait(lambda: len(moderator.presence) > seen, "presence after a tab closed")
    await moderator.settle()
    assert online(moderator.presence[-1]["participants"]) == [mod_id, tia_id]

    await second.close()
    after = await moderator.presence_where(lambda ps: tia_id not in online(ps), within=3)
    assert online(after) == [mod_id]


async def test_a_killed_tab_leaves_within_seconds(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, kim_id, token = await guest(room.code, "Kim")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _TAB_PROCESS,
        live_server.url,
        token,
        room.code,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        assert line.strip() == b"connected"
        await moderator.presence_where(lambda ps: kim_id in online(ps))
    finally:
        proc.kill()
        await asyncio.wait_for(proc.wait(), 5)

    loop = asyncio.get_running_loop()
    killed_at = loop.time()
    await moderator.presence_where(lambda ps: kim_id not in online(ps), within=4)
    assert loop.time() - killed_at < 4


async def test_presence_is_not_logged(tabs: Tabs, room: Room) -> None:
    moderator = tabs()
    state = await moderator.connect(room.moderator_token, room.code)
    _, _, token = await guest(room.code, "Lou")
    lou = tabs()
    await lou.connect(token, room.code)
    await moderator.presence_where(lambda ps: len(ps) == 2)
    await lou.close()
    await moderator.presence_where(lambda ps: len(ps) == 1)

    assert moderator.events == []
    # Lou's join went through the services in this process, so it is the only new event.
    synced = await moderator.ok("sync", {"since": state["seq"]})
    assert [e["type"] for e in synced["events"]] == ["participant_joined"]


async def test_presence_follows_a_moderator_handover(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator = tabs()
    mod_id = (await moderator.connect(room.moderator_token, room.code))["me"]["participant_id"]
    _, uma_id, token = await guest(room.code, "Uma")
    await tabs().connect(token, room.code)
    await moderator.presence_where(lambda ps: uma_id in online(ps))

    await rest(
        live_server,
        "POST",
        f"/sessions/{room.code}/moderator",
        token=room.moderator_token,
        json={"participant_id": uma_id},
    )

    roles = await moderator.presence_where(
        lambda ps: {p["participant_id"]: p["role"] for p in ps}.get(uma_id) == "moderator"
    )
    assert {p["participant_id"]: p["role"] for p in roles} == {
        mod_id: "participant",
        uma_id: "moderator",
    }
