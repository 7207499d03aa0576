"""Sockets as a user's browser tabs: each records what arrives, and every wait is
bounded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

TIMEOUT = 5.0
NAMESPACE = "/poker"


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    redis_url: str | None
    log: Path


class SocketTab:
    """A socket to one namespace that records what arrives; the namespaces' tabs add
    what their screens do with it."""

    namespace = ""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        self.state: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.presence: list[dict[str, Any]] = []
        self.revoked: dict[str, Any] | None = None
        self.refusal: dict[str, Any] | None = None
        self.disconnected = False
        self._tick = asyncio.Condition()

        async def record(kind: str, data: Any) -> None:
            if kind == "state":
                self.on_state(data)
            elif kind == "event":
                self.on_event(data)
            elif kind == "presence":
                self.presence.append(data)
            elif kind == "revoked":
                self.revoked = data
            elif kind == "connect_error":
                self.refusal = data["data"] if isinstance(data, dict) and "data" in data else data
            elif kind == "disconnect":
                self.disconnected = True
            async with self._tick:
                self._tick.notify_all()

        for kind in ("state", "event", "presence", "revoked", "connect_error", "disconnect"):
            self.sio.on(kind, _recorder(record, kind), namespace=self.namespace)

    def on_state(self, state: dict[str, Any]) -> None:
        self.state = state

    def on_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    async def refused(self, auth: Any, *, query: str = "") -> dict[str, Any]:
        """Try to connect with `auth`, expect a refusal, and return its data."""
        with pytest.raises(socketio.exceptions.ConnectionError):
            await self._open(auth, query=query)
        await self.wait(lambda: self.refusal, "connect_error")
        assert self.state is None, "a refused socket must not receive the room's state"
        assert self.refusal is not None
        return self.refusal

    async def _open(self, auth: Any, *, query: str = "") -> None:
        await asyncio.wait_for(
            self.sio.connect(
                self.live.url + (f"?{query}" if query else ""),
                namespaces=[self.namespace],
                auth=auth,
                transports=["websocket"],
                wait_timeout=TIMEOUT,
            ),
            TIMEOUT + 1,
        )

    async def call(self, command: str, *payload: Any) -> dict[str, Any]:
        """Send a command and return its ack."""
        data: Any = payload[0] if len(payload) == 1 else (tuple(payload) if payload else None)
        ack: dict[str, Any] = await self.sio.call(
            command, data, namespace=self.namespace, timeout=TIMEOUT
        )
        return ack

    async def ok(self, command: str, *payload: Any) -> Any:
        ack = await self.call(command, *payload)
        assert ack["ok"] is True, f"{command} failed: {ack}"
        return ack["data"]

    async def wait(self, probe: Callable[[], Any], what: str, within: float = TIMEOUT) -> Any:
        """Wait until `probe()` is truthy and return its value."""

        async def until() -> Any:
            async with self._tick:
                while not (value := probe()):
                    await self._tick.wait()
                return value

        try:
            return await asyncio.wait_for(until(), within)
        except TimeoutError:
            raise AssertionError(f"no {what} within {within}s") from None

    async def wait_disconnected(self, within: float = TIMEOUT) -> None:
        await self.wait(lambda: self.disconnected, "disconnect", within)

    async def close(self) -> None:
        if self.sio.connected:
            await asyncio.wait_for(self.sio.disconnect(), TIMEOUT)


class Tab(SocketTab):
    """A /poker socket as a user's browser tab."""

    namespace = NAMESPACE

    def __init__(self, live: LiveServer) -> None:
        self.events_before_state: list[dict[str, Any]] = []
        self._seen = 0
        super().__init__(live)

    def on_event(self, event: dict[str, Any]) -> None:
        super().on_event(event)
        if self.state is None:
            self.events_before_state.append(event)

    async def connect(self, token: str, code: str) -> dict[str, Any]:
        """Open the socket and return the `state` it receives first."""
        await self._open({"token": token, "code": code})
        return await self.wait(lambda: self.state, "the state snapshot")

    async def next_event(self, type: str, within: float = TIMEOUT) -> dict[str, Any]:
        """The next event of `type` after the last one taken, skipping others."""

        def probe() -> dict[str, Any] | None:
            for i in range(self._seen, len(self.events)):
                if self.events[i]["type"] == type:
                    self._seen = i + 1
                    return self.events[i]
            return None

        event: dict[str, Any] = await self.wait(probe, f"'{type}' event", within)
        return event

    async def presence_where(
        self, check: Callable[[list[dict[str, Any]]], bool], within: float = TIMEOUT
    ) -> list[dict[str, Any]]:
        """Wait until the latest `presence` list, the one on screen, passes `check`."""

        def probe() -> list[dict[str, Any]] | None:
            if self.presence and check(self.presence[-1]["participants"]):
                return list(self.presence[-1]["participants"])
            return None

        found: list[dict[str, Any]] = await self.wait(probe, "matching presence", within)
        return found

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no `presence` message has arrived for `quiet` seconds."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                count = len(self.presence)
                await asyncio.sleep(quiet)
                if len(self.presence) == count:
                    return


def _recorder(record: Callable[[str, Any], Any], kind: str) -> Callable[..., Any]:
    async def handler(*args: Any) -> None:
        await record(kind, args[0] if args else None)

    return handler


def online(participants: list[dict[str, Any]]) -> list[int]:
    return [p["participant_id"] for p in participants]


async def rest(
    live: LiveServer, method: str, path: str, *, token: str | None = None, json: Any = None
) -> Any:
    """Call the live server's REST API and return the decoded body of a 2xx answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=live.url, timeout=TIMEOUT) as http:
        answer = await http.request(method, f"/api{path}", json=json, headers=headers)
    assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


async def personal_token(live: LiveServer, owner_jwt: str, scopes: list[str]) -> tuple[str, str]:
    """Mint a PAT over REST; returns its id and its value."""
    body = await rest(
        live, "POST", "/api-tokens", token=owner_jwt, json={"name": "bot", "scopes": scopes}
    )
    return body["id"], body["token"]
