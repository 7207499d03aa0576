"""A /document socket as a user's browser tab: it keeps the document it was sent and
applies every saved change, as the editor does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.realtime.clients import LiveServer, SocketTab


class DocumentTab(SocketTab):
    namespace = "/document"

    def __init__(self, live: LiveServer) -> None:
        self.document: dict[str, Any] | None = None
        self.seq = 0
        super().__init__(live)

    def on_state(self, state: dict[str, Any]) -> None:
        super().on_state(state)
        self.seq = state["seq"]
        self.document = state["document"]

    def on_event(self, event: dict[str, Any]) -> None:
        super().on_event(event)
        assert event["seq"] == self.seq + 1, f"gap or repeat: {self.seq} then {event['seq']}"
        self.seq = event["seq"]
        shown = event["data"].get("document")
        if shown is not None and self.document is not None:
            self.document = self.document | shown

    async def connect(self, token: str, document: str) -> dict[str, Any]:
        await self._open({"token": token, "document": document})
        state: dict[str, Any] = await self.wait(lambda: self.state, "the document snapshot")
        return state

    async def event(self, type: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            return next((e for e in self.events if e["type"] == type), None)

        found: dict[str, Any] = await self.wait(probe, f"'{type}' event")
        return found

    async def viewers_where(self, check: Callable[[list[dict[str, Any]]], bool]) -> Any:
        def probe() -> Any:
            if self.presence and check(self.presence[-1]["viewers"]):
                return self.presence[-1]["viewers"]
            return None

        return await self.wait(probe, "matching presence")
