"""A /board socket as a user's browser tab: it keeps the board it was sent and applies
every event to it, as the app does, so tests can compare what each screen shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from tests.realtime.clients import TIMEOUT, LiveServer

NAMESPACE = "/board"


class BoardTab:
    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        self.state: dict[str, Any] | None = None
        self.cards: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.events: list[dict[str, Any]] = []
        self.presence: list[dict[str, Any]] = []
        self.revoked: dict[str, Any] | None = None
        self.refusal: dict[str, Any] | None = None
        self.disconnected = False
        self._tick = asyncio.Condition()

        async def record(kind: str, data: Any) -> None:
            if kind == "state":
                self.state = data
                self.seq = data["seq"]
                self.cards = {c["id"]: c for c in data["cards"]}
            elif kind == "event":
                self.events.append(data)
                self._apply(data)
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
            self.sio.on(kind, _recorder(record, kind), namespace=NAMESPACE)

    def _apply(self, event: dict[str, Any]) -> None:
        assert event["seq"] == self.seq + 1, f"gap or repeat: {self.seq} then {event['seq']}"
        self.seq = event["seq"]
        data = event["data"]
        kind = event["type"]
        if kind in ("card_created", "card_updated", "card_moved", "card_restored"):
            self.cards[data["card"]["id"]] = data["card"]
        elif kind in ("card_archived",):
            self.cards.pop(data["card"]["id"], None)
        elif kind == "card_deleted":
            self.cards.pop(data["cardId"], None)
        elif kind == "column_renumbered":
            for moved in data["positions"]:
                if moved["id"] in self.cards:
                    self.cards[moved["id"]]["position"] = moved["position"]

    def column(self, column_id: str) -> list[str]:
        """The card ids this screen shows in a column, top to bottom."""
        mine = [c for c in self.cards.values() if c["columnId"] == column_id]
        return [c["id"] for c in sorted(mine, key=lambda c: (c["position"], c["id"]))]

    async def connect(self, token: str, project: str) -> dict[str, Any]:
        await self._open({"token": token, "project": project})
        return await self.wait(lambda: self.state, "the board snapshot")

    async def refused(self, auth: Any) -> dict[str, Any]:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await self._open(auth)
        await self.wait(lambda: self.refusal, "connect_error")
        assert self.state is None
        assert self.refusal is not None
        return self.refusal

    async def _open(self, auth: Any) -> None:
        await asyncio.wait_for(
            self.sio.connect(
                self.live.url,
                namespaces=[NAMESPACE],
                auth=auth,
                transports=["websocket"],
                wait_timeout=TIMEOUT,
            ),
            TIMEOUT + 1,
        )

    async def call(self, command: str, payload: Any = None) -> dict[str, Any]:
        ack: dict[str, Any] = await self.sio.call(
            command, payload, namespace=NAMESPACE, timeout=TIMEOUT
        )
        return ack

    async def ok(self, command: str, payload: Any = None) -> Any:
        ack = await self.call(command, payload)
        assert ack["ok"] is True, f"{command} failed: {ack}"
        return ack["data"]

    async def wait(self, probe: Callable[[], Any], what: str, within: float = TIMEOUT) -> Any:
        async def until() -> Any:
            async with self._tick:
                while not (value := probe()):
                    await self._tick.wait()
                return value

        try:
            return await asyncio.wait_for(until(), within)
        except TimeoutError:
            raise AssertionError(f"no {what} within {within}s") from None

    async def at_seq(self, seq: int) -> None:
        await self.wait(lambda: self.seq >= seq, f"events up to seq {seq}")

    async def event(self, type: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            return next((e for e in self.events if e["type"] == type), None)

        found: dict[str, Any] = await self.wait(probe, f"'{type}' event")
        return found

    async def members_where(self, check: Callable[[list[dict[str, Any]]], bool]) -> Any:
        def probe() -> Any:
            if self.presence and check(self.presence[-1]["members"]):
                return self.presence[-1]["members"]
            return None

        return await self.wait(probe, "matching presence")

    async def wait_disconnected(self) -> None:
        await self.wait(lambda: self.disconnected, "disconnect")

    async def close(self) -> None:
        if self.sio.connected:
            await asyncio.wait_for(self.sio.disconnect(), TIMEOUT)


def _recorder(record: Callable[[str, Any], Any], kind: str) -> Callable[..., Any]:
    async def handler(*args: Any) -> None:
        await record(kind, args[0] if args else None)

    return handler
