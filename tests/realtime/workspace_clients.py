"""A /workspace socket as a user's cockpit tab: it keeps the seq it saw and checks that
events arrive in order."""

from __future__ import annotations

from typing import Any

from tests.realtime.clients import LiveServer, SocketTab


class WorkspaceTab(SocketTab):
    namespace = "/workspace"

    def __init__(self, live: LiveServer) -> None:
        self.seq = 0
        super().__init__(live)

    def on_state(self, state: dict[str, Any]) -> None:
        super().on_state(state)
        self.seq = state["seq"]

    def on_event(self, event: dict[str, Any]) -> None:
        super().on_event(event)
        assert event["seq"] == self.seq + 1, f"gap or repeat: {self.seq} then {event['seq']}"
        self.seq = event["seq"]

    async def connect(self, token: str, workspace: str) -> dict[str, Any]:
        await self._open({"token": token, "workspace": workspace})
        state: dict[str, Any] = await self.wait(lambda: self.state, "the pilotage snapshot")
        return state

    async def event(self, type: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            return next((e for e in self.events if e["type"] == type), None)

        found: dict[str, Any] = await self.wait(probe, f"'{type}' event")
        return found
