"""A client that follows a room the way the browser app does: it keeps the last seq
it applied, calls `sync` on a gap, on a `heartbeat` ahead of it and after every
reconnect, and records every seq it applied so a test can prove none was missed or
applied twice."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import httpx
import socketio

TIMEOUT = 10.0
# A reconnect storm on a busy 2-core machine: connects may queue for a while.
CONNECT_TIMEOUT = 45.0


class Follower:
    def __init__(self, namespace: str, auth: dict[str, Any], name: str = "") -> None:
        self.namespace = namespace
        self.auth = auth
        self.name = name
        self.url = ""
        self.seq = 0
        self.applied: list[int] = []
        self.events: list[dict[str, Any]] = []
        self.presence: dict[str, Any] | None = None
        self.presence_count = 0
        self.heartbeats = 0
        self.heartbeats = 0
        self.state: dict[str, Any] | None = None
        self.snapshots = 0
        self.disconnected = asyncio.Event()
        self._sync_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio = self._client()

    def _client(self) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        sio.on("state", self._on_state, namespace=self.namespace)
        sio.on("event", self._on_event, namespace=self.namespace)
        sio.on("presence", self._on_presence, namespace=self.namespace)
        sio.on("heartbeat", self._on_heartbeat, namespace=self.namespace)
        sio.on("disconnect", self._on_disconnect, namespace=self.namespace)
        return sio

    async def connect(self, url: str) -> None:
        """Connect (again) to a worker; after a reconnect, catch up with `sync`."""
        if self.sio.connected:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.sio.disconnect(), 5)
        self.sio = self._client()
        self.url = url
        self.disconnected.clear()
        first = self.state is None
        await asyncio.wait_for(
            self.sio.connect(
                url,
                namespaces=[self.namespace],
                auth=self.auth,
                transports=["websocket"],
                wait_timeout=CONNECT_TIMEOUT,
            ),
            CONNECT_TIMEOUT + 5,
        )
        if not first:
            await self.sync()

    async def close(self) -> None:
        if self.sio.connected:
            await asyncio.wait_for(self.sio.disconnect(), TIMEOUT)

    async def call(self, command: str, payload: Any = None) -> dict[str, Any]:
        ack: dict[str, Any] = await self.sio.call(
            command, payload, namespace=self.namespace, timeout=TIMEOUT
        )
        return ack

    async def sync(self) -> None:
        async with self._sync_lock:
            ack = await self.call("sync", {"since": self.seq})
            assert ack["ok"], ack
            data = ack["data"]
            if "snapshot" in data:
                self._take_snapshot(data["snapshot"])
            else:
                for event in data["events"]:
                    self._apply(event)

    async def wait_seq(self, seq: int, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while self.seq < seq:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} stuck at seq {self.seq}, expected {seq}")
            await asyncio.sleep(0.05)

    # What arrives.

    def _take_snapshot(self, state: dict[str, Any]) -> None:
        self.state = state
        self.snapshots += 1
        self.seq = int(state["seq"])

    async def _on_state(self, state: dict[str, Any]) -> None:
        if self.state is None:
            self._take_snapshot(state)
        # A reconnect's `state` is not applied here: the `sync` that follows the
        # connect brings what was missed, as the browser app does.
        if "presence" in state:
            self.presence = state["presence"]

    async def _on_event(self, event: dict[str, Any]) -> None:
        seq = int(event["seq"])
        if seq <= self.seq:
            return
        if seq == self.seq + 1 and not self._sync_lock.locked():
            self._apply(event)
            return
        await self._catch_up()

    async def _on_heartbeat(self, data: dict[str, Any]) -> None:
        self.heartbeats += 1
        if int(data["seq"]) > self.seq:
            await self._catch_up()

    async def _catch_up(self) -> None:
        # In a task of its own: the handler must return for the sync's ack to arrive.
        task = asyncio.create_task(self._sync_quietly())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sync_quietly(self) -> None:
        # The socket went or the worker is gone: the reconnect's sync catches up.
        with contextlib.suppress(socketio.exceptions.SocketIOError, TimeoutError, AssertionError):
            await self.sync()

    async def _on_presence(self, data: dict[str, Any]) -> None:
        self.presence = data
        self.presence_count += 1

    async def _on_disconnect(self, *args: Any) -> None:
        self.disconnected.set()

    def _apply(self, event: dict[str, Any]) -> None:
        seq = int(event["seq"])
        if seq != self.seq + 1:
            return
        self.seq = seq
        self.applied.append(seq)
        self.events.append(event)

    def assert_no_gap_or_duplicate(self, start: int, head: int) -> None:
        """Every seq after `start` up to `head` applied exactly once, in order, unless a
        snapshot replaced them."""
        if self.snapshots <= 1:
            assert self.applied == list(range(start + 1, head + 1)), (
                f"{self.name}: applied {self.applied[:5]}…{self.applied[-5:]} "
                f"({len(self.applied)}), expected {start + 1}..{head}"
            )
        assert self.seq == head, f"{self.name}: at seq {self.seq}, the room is at {head}"


async def rest(
    url: str, method: str, path: str, *, token: str | None = None, json: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as http:
        return await http.request(method, f"/api{path}", json=json, headers=headers)


async def rest_ok(
    url: str, method: str, path: str, *, token: str | None = None, json: Any = None
) -> Any:
    res = await rest(url, method, path, token=token, json=json)
    assert res.is_success, f"{method} {path}: {res.status_code} {res.text}"
    return res.json()
