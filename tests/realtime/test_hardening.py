"""What a hostile or broken client gets from the socket endpoint: an answer to every bad
packet on either transport, one log line instead of a traceback, no root namespace, and a
server that still stops promptly."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from tests.realtime.clients import LiveServer, SocketTab, Tab
from tests.realtime.conftest import Room
from tests.servers import running_server, server_env

Tabs = Callable[[], Tab]
ANSWER_WITHIN = 5.0


def _log_since(live: LiveServer, offset: int) -> str:
    with live.log.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def _log_size(live: LiveServer) -> int:
    return live.log.stat().st_size


async def _logged(live: LiveServer, offset: int, text: str) -> str:
    """The server's log since `offset`, once `text` is in it."""
    deadline = time.monotonic() + ANSWER_WITHIN
    while text not in (log := _log_since(live, offset)):
        assert time.monotonic() < deadline, f"{text!r} not logged:\n{log}"
        await asyncio.sleep(0.05)
    return log


async def _open_polling(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(f"{url}/socket.io/?EIO=4&transport=polling") as res:
        assert res.status == 200
        opening = await res.text()
    assert opening.startswith("0{")
    sid: str = json.loads(opening[1:])["sid"]
    return sid


async def _post_garbage(http: aiohttp.ClientSession, url: str, body: str) -> int:
    """Open a polling session, post `body` to it, and return the POST's status once the
    session is gone."""
    sid = await _open_polling(http, url)
    session_url = f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}"
    async with http.post(session_url, data=body.encode()) as res:
        status = res.status
    # The session is closed: its next poll is refused instead of held open.
    async with http.get(session_url) as res:
        assert res.status == 400, f"session still open after {body[:20]!r}"
    return status


POLLING_GARBAGE = {
    "undecodable-message": "4hello",
    "unknown-engineio-type": "9",
    "not-a-packet": "z",
    "noop-from-client": "6",
    "namespace-connect-as-text": "40/poker,",
    "over-256-KB": "4" + "x" * (300 * 1024),
}


async def _flood_polling(url: str, rounds: int) -> list[int]:
    timeout = aiohttp.ClientTimeout(total=ANSWER_WITHIN)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        bodies = list(POLLING_GARBAGE.values()) * rounds
        statuses: list[int] = []
        for start in range(0, len(bodies), 20):
            batch = bodies[start : start + 20]
            statuses += await asyncio.gather(*(_post_garbage(http, url, b) for b in batch))
        return statuses


async def test_every_bad_polling_post_is_answered_and_closes_its_session(
    live_server: LiveServer, tabs: Tabs, room: Room
) -> None:
    bystander = tabs()
    await bystander.connect(room.moderator_token, room.code)
    offset = _log_size(live_server)

    statuses = await _flood_polling(live_server.url, rounds=20)

    assert len(statuses) == 20 * len(POLLING_GARBAGE)
    assert set(statuses) <= {200, 400}
    assert (await bystander.call("sync", {"since": 0}))["ok"] is True
    log = _log_since(live_server, offset)
    assert "Traceback" not in log


@asynccontextmanager
async def _own_server(database: str, redis_url: str | None, data_dir: Path) -> AsyncIterator[Any]:
    """A server of this test's own, to stop; the suite's is shared."""
    env = server_env(database_url=database, data_dir=data_dir, redis_url=redis_url)
    async with running_server(env, data_dir / "server.log") as server:
        yield server.url, server.proc


async def test_the_server_stops_promptly_after_a_flood_of_bad_packets(
    live_server: LiveServer, tmp_path: Path
) -> None:
    async with _own_server(live_server.database_url, live_server.redis_url, tmp_path) as (
        url,
        proc,
    ):
        await _flood_polling(url, rounds=10)
        # A websocket left open, too.
        async with aiohttp.ClientSession() as http:
            ws_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
            async with http.ws_connect(ws_url) as ws:
                assert str((await ws.receive(timeout=ANSWER_WITHIN)).data).startswith("0{")
                started = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 10)
        assert time.monotonic() - started < 10
        # uvicorn shuts down gracefully, then exits by the signal it was sent.
        assert proc.returncode in (0, -signal.SIGTERM)
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "Application shutdown complete" in log
        assert "Traceback" not in log


WEBSOCKET_GARBAGE: dict[str, str | bytes] = {
    "not-a-packet": "z",
    "empty-text": "",
    "empty-binary": b"",
    "open-from-client": "0",
    "noop-from-client": "6",
    "unknown-type-7": "7",
    "unknown-type-9": "9",
    "bad-base64": "b!!",
    "undecodable-message": "4hello",
    "socketio-type-6": "46",
    "socketio-type-9": "49",
}


@pytest.mark.parametrize("frame", WEBSOCKET_GARBAGE.values(), ids=WEBSOCKET_GARBAGE.keys())
async def test_a_junk_frame_before_connecting_closes_with_one_log_line(
    live_server: LiveServer, frame: str | bytes
) -> None:
    offset = _log_size(live_server)
    ws_url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as ws:
        assert str((await ws.receive(timeout=ANSWER_WITHIN)).data).startswith("0{")
        if isinstance(frame, bytes):
            await ws.send_bytes(frame)
        else:
            await ws.send_str(frame)
        # Engine.IO's close packet, then the websocket closes; a ping may come first.
        frames = []
        while True:
            msg = await ws.receive(timeout=ANSWER_WITHIN)
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            frames.append(msg.data)
        assert frames[-1:] == ["1"]
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

    log = await _logged(live_server, offset, "closing the connection")
    assert "Traceback" not in log


@pytest.mark.parametrize("name", [7, None, ["cast_vote"], {"cast_vote": 1}, True, 2.5], ids=repr)
async def test_an_event_name_that_is_not_a_string_is_invalid(
    live_server: LiveServer, tabs: Tabs, room: Room, name: Any
) -> None:
    tab = tabs()
    await tab.connect(room.moderator_token, room.code)
    offset = _log_size(live_server)

    ack = await tab.sio.call(name, {"value": "5"}, namespace="/poker", timeout=ANSWER_WITHIN)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid"
    assert (await tab.call("sync", {"since": 0}))["ok"] is True
    log = _log_since(live_server, offset)
    assert "Traceback" not in log
    assert "never retrieved" not in log


class RootTab(SocketTab):
    namespace = "/"


async def test_the_root_namespace_is_refused(live_server: LiveServer) -> None:
    tab = RootTab(live_server)
    refusal = await tab.refused(None)
    assert refusal["code"] == "not_found"
    assert "/poker" in refusal["message"]
    assert not tab.sio.connected


async def test_an_unknown_namespace_is_refused_like_the_root(live_server: LiveServer) -> None:
    class Elsewhere(SocketTab):
        namespace = "/admin"

    refusal = await Elsewhere(live_server).refused({"token": "x"})
    assert refusal["code"] == "not_found"


async def test_the_root_namespace_takes_no_events_over_polling(live_server: LiveServer) -> None:
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    refused: list[Any] = []
    client.on("connect_error", lambda data: refused.append(data), namespace="/")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            live_server.url, namespaces=["/"], transports=["polling"], wait_timeout=ANSWER_WITHIN
        )
    assert refused and refused[0]["data"]["code"] == "not_found"
    await client.disconnect()


async def test_each_command_logs_one_json_line(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)
    offset = _log_size(live_server)
    await moderator.ok("cast_vote", {"value": "5"})
    await moderator.call("no_such_command")
    log = await _logged(live_server, offset, '"no_such_command"')
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    vote = [line for line in lines if line.get("command") == "cast_vote"]
    assert len(vote) == 1
    assert vote[0]["event"] == "socket"
    assert vote[0]["ok"] is True and vote[0]["room"] == f"poker:{room.code}"
    assert vote[0]["seq"] >= 1 and vote[0]["ms"] >= 0 and vote[0]["level"] == "info"
    unknown = [line for line in lines if line.get("command") == "no_such_command"]
    assert unknown[0]["error"] == "invalid"
