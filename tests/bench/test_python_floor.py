"""The bench's Python floor: it speaks the wire contract the load generator and the
official client speak, and shapes its events and acks exactly as the Node servers do."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgpack
import pytest
import socketio
from websockets.asyncio.client import connect

from bench.__main__ import _default_servers
from bench.backing import free_port, port_open
from bench.python_floor import Shapes
from bench.servers import KINDS, REFERENCE
from tests.bench.support import require_node
from tests.support import ROOT

CARD = "6f1c2b3a-0000-4000-8000-00000000c0de"
COLUMN = "6f1c2b3a-0000-4000-8000-0000000c0111"
# (event type, the command's data, seq, socket id), in the order both number the seats.
CASES: list[tuple[str, Any, int, str]] = [
    ("vote_cast", {"value": "5"}, 1, "a"),
    ("vote_cast", {"value": "?"}, 9, "b"),
    ("vote_cast", {"value": "13"}, 10, "a"),
    ("vote_cast", None, 3, "c"),
    ("card_moved", {"card_id": CARD, "column_id": COLUMN, "before_id": None}, 7, "d"),
    ("card_moved", {}, 8, "d"),
    ("story_revealed", {"story_id": "s1"}, 4, "e"),
    ("round_restarted", None, 5, "e"),
]
# Microseconds, as Roundtable writes its times.
ROUNDTABLE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def _node_shapes() -> list[dict[str, Any]]:
    require_node()
    script = (
        f"import {{ shaped }} from {json.dumps(str(REFERENCE / 'shapes.mjs'))};"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map((c) => shaped(...c))));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(CASES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _without_time(value: Any) -> Any:
    """`value` with its times replaced, the only part that differs from run to run."""
    if isinstance(value, dict):
        return {k: "<at>" if k == "updatedAt" else _without_time(v) for k, v in value.items()}
    return value


def test_the_python_floor_shapes_events_and_acks_as_the_node_servers_do() -> None:
    expected = _node_shapes()
    shapes = Shapes()
    for case, node in zip(CASES, expected, strict=True):
        event, ack, actor, at = shapes.shaped(*case)
        assert ROUNDTABLE_TIME.match(at) and ROUNDTABLE_TIME.match(node["at"]), (at, node["at"])
        mine = {"event": event, "ack": ack, "actor": actor}
        theirs = {k: node[k] for k in ("event", "ack", "actor")}
        assert _without_time(mine) == _without_time(theirs), case
        # Same keys, same order, same lengths: the same bytes on the wire but for the time.
        assert len(msgpack.packb(mine)) == len(msgpack.packb(theirs)), case


@pytest.fixture
def floor() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.python_floor", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            if port_open(port):
                break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
            time.sleep(0.05)
        else:
            pytest.fail("the Python floor did not listen within 10 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
        # A clean stop, and nothing went wrong while it served.
        assert b"Traceback" not in output, output.decode(errors="replace")


@pytest.fixture
async def clients() -> AsyncIterator[list[socketio.AsyncClient]]:
    made = [socketio.AsyncClient(serializer="msgpack") for _ in range(3)]
    try:
        yield made
    finally:
        for client in made:
            await client.disconnect()


async def test_the_official_client_joins_votes_and_hears_the_room(
    floor: str, clients: list[socketio.AsyncClient]
) -> None:
    heard: list[list[dict[str, Any]]] = [[] for _ in clients]
    arrived = [asyncio.Event() for _ in clients]
    states: list[dict[str, Any]] = []
    rooms = ["ABC123", "ABC123", "XYZ789"]
    for client, room, events, event in zip(clients, rooms, heard, arrived, strict=True):

        def hear(data: dict[str, Any], events: list[Any] = events, event: Any = event) -> None:
            events.append(data)
            event.set()

        client.on("event", hear, namespace="/poker")
        client.on("state", states.append, namespace="/poker")
        await client.connect(
            floor, namespaces=["/poker"], transports=["websocket"], auth={"code": room}
        )
    answer = await clients[0].call("cast_vote", {"value": "8"}, namespace="/poker", timeout=5)
    assert answer["ok"] is True
    assert answer["data"]["vote"]["value"] == "8"
    async with asyncio.timeout(5):
        await arrived[0].wait()
        await arrived[1].wait()
    assert [e["seq"] for e in heard[0]] == [e["seq"] for e in heard[1]] == [1]
    assert heard[1][0]["type"] == "vote_cast"
    assert heard[1][0]["data"]["votes_cast"] == 2
    # Another room hears nothing of it, and every socket got its room's state first.
    assert heard[2] == []
    assert states == [{"seq": 0}] * 3


async def test_a_packet_it_cannot_decode_gets_a_connect_error(floor: str) -> None:
    async with connect(floor.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket") as ws:
        opened = await ws.recv()
        assert isinstance(opened, str) and opened.startswith("0{")
        for garbage in (b"\xc1", msgpack.packb([1, 2, 3]), msgpack.packb({"nsp": "/"})):
            await ws.send(garbage)
            answer = msgpack.unpackb(await asyncio.wait_for(ws.recv(), 5))
            assert answer == {"type": 4, "nsp": "/", "data": {"message": "bad packet"}}, garbage


async def test_packets_of_the_wrong_shape_leave_the_connection_serving(floor: str) -> None:
    async with connect(floor.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket") as ws:
        await ws.recv()
        for odd in (
            {"type": 2, "nsp": "/poker", "data": {"cast_vote": 1}},
            {"type": 2, "nsp": "/poker", "data": [7, {"value": "5"}]},
            {"type": 2, "nsp": "/poker", "data": ["cast_vote", {"value": "5"}], "id": 1},
        ):
            # An event before a join, or one that names no command: nothing to answer.
            await ws.send(msgpack.packb(odd))
        await ws.send(msgpack.packb({"type": 0, "nsp": "/poker", "data": ["not", "auth"]}))
        joined = msgpack.unpackb(await asyncio.wait_for(ws.recv(), 5))
        state = msgpack.unpackb(await asyncio.wait_for(ws.recv(), 5))
        assert (joined["type"], joined["nsp"]) == (0, "/poker")
        assert state["data"] == ["state", {"seq": 0}]


def test_a_full_run_has_the_python_floor_and_a_quick_one_leaves_it_out() -> None:
    full = _default_servers(quick=False).split(",")
    quick = _default_servers(quick=True).split(",")
    assert full == list(KINDS)
    assert "pyfloor" in full and "pyfloor" not in quick
    assert quick == [k for k in full if k != "pyfloor"]
