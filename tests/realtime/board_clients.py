"""A /board socket as a user's browser tab: it keeps the board it was sent and applies
every event to it, as the app does, so tests can compare what each screen shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.realtime.clients import LiveServer, SocketTab

NAMESPACE = "/board"


class BoardTab(SocketTab):
    namespace = NAMESPACE

    def __init__(self, live: LiveServer) -> None:
        self.cards: dict[str, dict[str, Any]] = {}
        self.seq = 0
        super().__init__(live)

    def on_state(self, state: dict[str, Any]) -> None:
        super().on_state(state)
        self.seq = state["seq"]
        self.cards = {c["id"]: c for c in state["cards"]}

    def on_event(self, event: dict[str, Any]) -> None:
        super().on_event(event)
        self._apply(event)

    def _apply(self, event: dict[str, Any]) -> None:
        assert event["seq"] == self.seq + 1, f"gap or repeat: {self.seq} then {event['seq']}"
        self.seq = event["seq"]
        data = event["data"]
        kind = event["type"]
        if kind in ("card_created", "card_updated", "card_restored"):
            self.cards[data["card"]["id"]] = data["card"]
        elif kind == "card_moved":
            self.moved(data)
        elif kind in ("card_archived",):
            self.cards.pop(data["card"]["id"], None)
        elif kind == "card_deleted":
            self.cards.pop(data["cardId"], None)
        elif kind == "column_renumbered":
            for moved in data["positions"]:
                if moved["id"] in self.cards:
                    self.cards[moved["id"]]["position"] = moved["position"]

    def moved(self, move: dict[str, Any]) -> None:
        """A move (its event, or the mover's ack) names only what changed."""
        card = self.cards.get(move["cardId"])
        if card is not None and card["version"] < move["version"]:
            card |= {k: move[k] for k in ("columnId", "position", "version", "updatedAt")}

    def column(self, column_id: str) -> list[str]:
        """The card ids this screen shows in a column, top to bottom."""
        mine = [c for c in self.cards.values() if c["columnId"] == column_id]
        return [c["id"] for c in sorted(mine, key=lambda c: (c["position"], c["id"]))]

    async def connect(self, token: str, project: str) -> dict[str, Any]:
        await self._open({"token": token, "project": project})
        return await self.wait(lambda: self.state, "the board snapshot")

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
